"""The matching engine: hard constraints, ranking, explanations and the matching services.

Import the parts you need (``matcher.matching.service``, ``.explain``, ``.constraints``);
this package imports nothing heavy.
"""
