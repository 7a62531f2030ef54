"""Text retrieval beside the dense index: lexical (character n-gram BM25) scoring.

:mod:`matcher.retrieval.lexical` has no dependency on the rest of matcher (numpy and scipy
only), so the ranking core and the feature packages can both use it.
"""
