"""Reference data production code reads (Beijing's districts); no imports from the rest of matcher.

The skills vocabulary is :mod:`matcher.skills` (``matcher/data/skills.yaml``).
"""
