"""The in-app inbox: notifications to a person or an organisation, with an outbox copy."""
