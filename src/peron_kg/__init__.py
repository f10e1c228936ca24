"""peron-kg: a linked-data edition of Luis Velasco, *Peron: Argentine Sub-Imperialist* (1948).

The package builds, validates, queries and exports the article's knowledge graph.
Everything heavy (rdflib, pySHACL, pyoxigraph) is imported inside the functions that need it,
so that ``peron-kg --help`` starts fast.
"""

__version__ = "0.1.0"
