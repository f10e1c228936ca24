"""Counts of the graph: triples, and instances per class and triples per property."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .loading import Assembled


@dataclass
class Stats:
    triples: int
    per_graph: dict[str, int] = field(default_factory=dict)
    per_class: dict[str, int] = field(default_factory=dict)
    per_property: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "triples": self.triples,
            "graphs": self.per_graph,
            "classes": self.per_class,
            "properties": self.per_property,
        }


def compute(assembled: Assembled) -> Stats:
    """Distinct triples of the merged graph; instances by class; triples by property.

    Counts are sorted by count (largest first), then by IRI, so the output is stable.
    """
    from collections import Counter

    from rdflib import RDF

    from .namespaces import GRAPH_ROLES

    union = assembled.union()
    classes = Counter()
    for _, o in set(union.subject_objects(RDF.type)):
        classes[str(o)] += 1
    properties = Counter(str(p) for _, p, _ in union)

    def ordered(counter: Counter) -> dict[str, int]:
        return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return Stats(
        triples=len(union),
        per_graph={role: len(assembled.graph(role)) for role in GRAPH_ROLES},
        per_class=ordered(classes),
        per_property=ordered(properties),
    )
