"""Read-side queries that return plain dataclasses for pages and the API."""
