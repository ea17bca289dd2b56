"""The HTTP interface: the REST API under /api/v1 and the web UI, one FastAPI application."""
