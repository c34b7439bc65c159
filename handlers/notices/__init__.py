"""What customers are told without asking: their case's next step, and their own late order or stuck parcel."""
