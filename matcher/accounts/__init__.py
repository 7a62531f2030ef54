"""User accounts: registration, password and API-token authentication, permissions."""
