"""Every export format reads back, with rdflib, as exactly the graph that was assembled.

rdflib is an independent reader here: the dumps are written by pyoxigraph (and rdflib's JSON-LD
serialiser), so a format that loses or mangles a triple shows up as a difference. The dumps
are the ones ``build`` wrote (which is what publishers download); RDF/XML, which ``build`` does
not write, comes from ``serialize`` directly.
"""

from __future__ import annotations

import json

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from peron_kg.export import FORMATS, load_context, serialize
from peron_kg.namespaces import GRAPH_ROLES, graph_iri

RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml",
                 "trig": "trig", "nq": "nquads"}


def same_graph(expected: Graph, got: Graph) -> bool:
    """Graph isomorphism; plain set equality when neither graph has a blank node, which is
    the same test and, unlike rdflib's canonicalisation, fast on the whole graph."""
    def has_bnode(g: Graph) -> bool:
        return any(isinstance(t, BNode) for triple in g for t in triple)

    if has_bnode(expected) or has_bnode(got):
        return isomorphic(expected, got)
    return set(expected) == set(got)


def explain(expected: Graph, got: Graph) -> str:
    _, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    lost = sorted(only_expected)[:5]
    extra = sorted(only_got)[:5]
    return f"lost {len(only_expected)} triples, e.g. {lost}; gained {len(only_got)}, e.g. {extra}"


@pytest.fixture(scope="module")
def context(snapshot):
    return load_context(snapshot.context_file)


@pytest.fixture(scope="module")
def expected(assembled):
    union = assembled.union()
    assert len(union) > 100, "the graph is suspiciously small; is the snapshot complete?"
    return union


def dump(fmt: str, full_dist, assembled, context) -> bytes:
    path = full_dist / f"peron-kg{FORMATS[fmt].extension}"
    return path.read_bytes() if path.exists() else serialize(assembled, fmt, context)


@pytest.fixture(scope="module")
def read_back(full_dist, assembled, context):
    """Each format's dump as rdflib reads it, parsed once: a Dataset for TriG and N-Quads."""
    cache: dict[str, Graph | Dataset] = {}

    def read(fmt: str):
        if fmt not in cache:
            data = dump(fmt, full_dist, assembled, context)
            target = Dataset() if FORMATS[fmt].quads else Graph()
            # JSON-LD carries its context inline, so no context is passed to the parser.
            target.parse(data=data, format=RDFLIB_FORMAT[fmt])
            cache[fmt] = target
        return cache[fmt]

    return read


def test_every_format_is_covered():
    # A format added to FORMATS without a round-trip test would ship unchecked.
    assert set(FORMATS) == set(RDFLIB_FORMAT)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "xml", "trig", "nq"])
def test_union_round_trips(fmt, read_back, expected):
    read = read_back(fmt)
    if isinstance(read, Dataset):
        got = Graph()
        for s, p, o, _ in read.quads((None, None, None, None)):
            got.add((s, p, o))
    else:
        got = read
    assert same_graph(expected, got), explain(expected, got)


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_named_graphs_round_trip(fmt, read_back, assembled):
    read = read_back(fmt)
    names = {str(g.identifier) for g in read.graphs()
             if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID}
    # An empty role (no links yet) has no quads, so it cannot appear in the dump.
    expected_names = {graph_iri(r) for r in GRAPH_ROLES if len(assembled.graph(r))}
    assert names == expected_names
    assert {"ontology", "data", "text"} <= {n.rsplit("/", 1)[-1] for n in names}
    assert len(read.default_graph) == 0, "every triple belongs in a named graph"
    for role in GRAPH_ROLES:
        expected = assembled.graph(role)
        got = read.graph(URIRef(graph_iri(role)))
        assert same_graph(expected, got), f"graph {role}: {explain(expected, got)}"


def test_jsonld_uses_the_project_context(full_dist, context):
    # Publishers read the JSON-LD with our short names; an expanded dump would still round-trip.
    doc = json.loads((full_dist / "peron-kg.jsonld").read_bytes())
    assert doc["@context"] == context
    text = json.dumps(doc)
    assert '"prefLabel"' in text
    assert "http://www.w3.org/2004/02/skos/core#prefLabel" not in text
