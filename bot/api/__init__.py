"""The ingestion API for the shop's other systems (ERP, WMS, tracking): its models, document and routes."""
