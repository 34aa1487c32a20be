"""Read side of browsing, one module per page: explorer, path, concept, paper, search, fields,
dashboard. Every function reads the graph store and the vector indexes; none writes. The names
below are what the views and the JSON API use."""

from browse.selectors.common import ConceptNotFound, PaperNotFound, summaries_forget
from browse.selectors.concept import concept_page
from browse.selectors.dashboard import concepts_fastest_growing, concepts_most_connected
from browse.selectors.explorer import MAX_DEPTH, MAX_NODES, concept_neighbourhood, concept_resolve
from browse.selectors.fields import field_bridges, fields_map
from browse.selectors.paper import paper_page
from browse.selectors.path import concept_path
from browse.selectors.search import search

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "ConceptNotFound",
    "PaperNotFound",
    "concept_neighbourhood",
    "concept_page",
    "concept_path",
    "concept_resolve",
    "concepts_fastest_growing",
    "concepts_most_connected",
    "field_bridges",
    "fields_map",
    "paper_page",
    "search",
    "summaries_forget",
]
