"""Telegram through aiogram: updates in (webhook or long polling), replies out through the send queue."""
