"""The ranking core: profiles, hard constraints, score components and weights.

Pure domain code: nothing here imports the indexes, the encoders' models or the web.
Ranked lists from the indexes live one layer up, in :mod:`matcher.recommend`.
"""
