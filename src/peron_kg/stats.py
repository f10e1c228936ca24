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


@dataclass
class CoverageReport:
    """How complete the encoding is: the figures ``stats --coverage`` prints."""

    per_kind: dict[str, int] = field(default_factory=dict)
    claims_per_holder: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    claims_anchored: int = 0
    body_paragraphs: int = 0
    paragraphs_without_claim: list[str] = field(default_factory=list)
    mentions: int = 0
    capitalised_words: int = 0
    mention_ratio: float = 1.0
    uncovered_names: list[str] = field(default_factory=list)

    @property
    def anchored_share(self) -> float:
        return self.claims_anchored / self.claims if self.claims else 1.0

    def to_json(self) -> dict:
        return {
            "per_kind": self.per_kind,
            "claims_per_holder": self.claims_per_holder,
            "claims": self.claims,
            "claims_anchored": self.claims_anchored,
            "anchored_share": self.anchored_share,
            "body_paragraphs": self.body_paragraphs,
            "paragraphs_without_claim": self.paragraphs_without_claim,
            "mentions": self.mentions,
            "capitalised_words": self.capitalised_words,
            "mention_ratio": self.mention_ratio,
            "uncovered_names": self.uncovered_names,
        }


_CLAIMS = """
PREFIX pk: <https://w3id.org/peron-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim (SAMPLE(?a) AS ?anchor) WHERE {
  ?claim a/rdfs:subClassOf* pk:Claim .
  OPTIONAL { ?claim pk:evidence ?a }
} GROUP BY ?claim
"""
_HOLDERS = """
PREFIX pk: <https://w3id.org/peron-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?holder (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim a/rdfs:subClassOf* pk:Claim ; pk:heldBy ?holder .
} GROUP BY ?holder ORDER BY DESC(?n) ?holder
"""
_BARE_PARAGRAPHS = """
PREFIX pk: <https://w3id.org/peron-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?claimed WHERE {
  ?p a pk:Paragraph ; pk:inSection ?section ; pk:order ?order .
  OPTIONAL {
    ?claim a/rdfs:subClassOf* pk:Claim ; pk:evidence ?anchor .
    ?anchor pk:inParagraph ?p .
    BIND(true AS ?claimed)
  }
} ORDER BY ?order
"""


def coverage_report(assembled: Assembled) -> CoverageReport:
    """Counts per kind, claims per holder and anchored, paragraphs without a claim, and the
    names in the body that no mention covers."""
    from collections import Counter

    from .engines import oxigraph_store
    from .namespaces import ID

    store = oxigraph_store(assembled)

    def select(query: str) -> list:
        return list(store.query(query, use_default_graph_as_union=True))

    report = CoverageReport()
    from rdflib import RDF

    kinds: Counter = Counter()
    for s in set(assembled.graph("data").subjects(RDF.type, None)):
        iri = str(s)
        if iri.startswith(ID):
            kinds[iri[len(ID) :].split("/", 1)[0]] += 1
    report.per_kind = dict(sorted(kinds.items()))
    claims = select(_CLAIMS)
    report.claims = len(claims)
    report.claims_anchored = sum(1 for row in claims if row["anchor"] is not None)
    report.claims_per_holder = {
        row["holder"].value: int(row["n"].value) for row in select(_HOLDERS)
    }
    paragraphs: dict[str, bool] = {}
    for row in select(_BARE_PARAGRAPHS):
        iri = row["p"].value
        paragraphs[iri] = paragraphs.get(iri, False) or row["claimed"] is not None
    report.body_paragraphs = len(paragraphs)
    report.paragraphs_without_claim = [p for p, claimed in paragraphs.items() if not claimed]
    for model in assembled.text_models:
        report.mentions += len(model.mentions)
        if model.coverage is not None:
            report.capitalised_words += model.coverage.total
            report.mention_ratio = model.coverage.mention_ratio
            report.uncovered_names += [phrase for _, _, phrase in model.coverage.uncovered]
    return report
