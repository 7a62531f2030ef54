"""A believable demo city (Beijing): districts, an occupation catalog and the seeder.

Import :mod:`matcher.demo.seed` explicitly; this package imports nothing heavy.
"""
