"""Review app: the FastAPI web application and JSON API."""
