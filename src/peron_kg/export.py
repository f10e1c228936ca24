"""Serialise the assembled dataset, deterministically, in every format the project ships.

Two builds of the same sources give the same bytes: line-based formats are sorted, prefixes
are bound explicitly, and JSON-LD is written with sorted keys and a sorted ``@graph``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .loading import Assembled
from .namespaces import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class Format:
    name: str
    rdflib_name: str
    extension: str
    media_type: str
    #: whether the format keeps named graphs (TriG, N-Quads) or flattens them
    quads: bool = False


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ttl", "turtle", ".ttl", "text/turtle"),
        Format("nt", "nt", ".nt", "application/n-triples"),
        Format("jsonld", "json-ld", ".jsonld", "application/ld+json"),
        Format("trig", "trig", ".trig", "application/trig", quads=True),
        Format("nq", "nquads", ".nq", "application/n-quads", quads=True),
        Format("xml", "xml", ".rdf", "application/rdf+xml"),
    )
}

#: The formats ``build`` writes into ``dist/``.
DUMP_FORMATS = ("ttl", "nt", "jsonld", "trig", "nq")


def load_context(path: Path) -> dict:
    """The JSON-LD context object from ``ontology/context.jsonld``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: JSON-LD context not found") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}:{e.colno}: malformed JSON: {e.msg}") from None
    context = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(context, dict):
        raise InputError(f"{path}: no @context object")
    return context


def quads(assembled: Assembled) -> list:
    """Every quad of the dataset as pyoxigraph terms, in a fixed order: by role, then by term."""
    import pyoxigraph as ox

    from .namespaces import GRAPH_ROLES, graph_iri

    order = {graph_iri(role): i for i, role in enumerate(GRAPH_ROLES)}
    data = assembled.dataset.serialize(format="nquads", encoding="utf-8")
    parsed = ox.parse(input=data, format=ox.RdfFormat.N_QUADS)

    def key(q):
        g = q.graph_name
        return (
            order.get(getattr(g, "value", ""), len(order)),
            str(g),
            str(q.subject),
            str(q.predicate),
            str(q.object),
        )

    return sorted(set(parsed), key=key)


def triples(assembled: Assembled, ordered: list | None = None) -> list:
    """Every distinct triple of the dataset (graphs merged), sorted.

    ``ordered`` is :func:`quads` of the same dataset, when the caller has it already.
    """
    return sorted({q.triple for q in (ordered or quads(assembled))}, key=str)


def _used_prefixes(data: bytes) -> dict[str, str]:
    return {p: ns for p, ns in PREFIXES.items() if ns.encode("utf-8") in data}


def _line_based(terms: list) -> bytes:
    return "".join(f"{t} .\n" for t in terms).encode("utf-8")


def _jsonld(graph: Graph, context: dict | None) -> bytes:
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    doc = _sort_json(json.loads(text))
    return (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _sort_json(value, key: str | None = None):
    """Sort every JSON-LD array that stands for a set (all but ``@list``), recursively."""
    if isinstance(value, dict):
        return {k: _sort_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize(
    assembled: Assembled, fmt: str, context: dict | None = None, ordered: list | None = None
) -> bytes:
    """The whole dataset in ``fmt``: named graphs by role for TriG and N-Quads, else merged.

    Line-based formats are written one sorted statement a line; Turtle, TriG and RDF/XML are
    written by pyoxigraph from sorted input, which keeps the bytes the same from build to build.
    ``ordered`` is :func:`quads` of the same dataset, to spare a build computing it per format.
    """
    import pyoxigraph as ox

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "jsonld":
        return _jsonld(assembled.union(), context)
    spec = FORMATS[fmt]
    ordered = ordered or quads(assembled)
    items = ordered if spec.quads else triples(assembled, ordered)
    plain = _line_based(items)
    if fmt in ("nt", "nq"):
        return plain
    ox_format = {
        "ttl": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "xml": ox.RdfFormat.RDF_XML,
    }[fmt]
    return ox.serialize(items, format=ox_format, prefixes=_used_prefixes(plain))
