"""Ranked, explained lists from the FAISS indexes: recommendations for a person,
candidates for a vacancy, the explanation of one pair and the evaluation harness.

This layer sits above :mod:`matcher.index` (stored vectors) and :mod:`matcher.matching`
(the ranking core: profiles, constraints, components, weights).
"""
