"""workbridge matching engine: domain, storage, services. Knows nothing of Flask."""

__version__ = "0.1.0"
