"""A believable demo city (Beijing): occupation catalog, seeder, bureau desks' scenario, logins.

An entry point like the CLI: it may import any layer, and nothing outside :mod:`matcher.cli`,
scripts and tests imports it. Import :mod:`matcher.demo.seed` explicitly; this package imports
nothing heavy. Districts are reference data (:mod:`matcher.reference.districts`).
"""
