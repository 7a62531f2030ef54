"""Builders of valid sample data for the tests (``subsidy``: rows and a placed world; ``accounts``:
two users of every role, each owning its own objects). Not shipped in the package."""
