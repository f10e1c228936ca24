"""The IRIs and prefixes of the project, in one place.

Plain strings only: importing this module must stay cheap (no rdflib), because the CLI
imports it at start-up.

>>> resource_iri("person", "luis-velasco")
'https://w3id.org/peron-kg/id/person/luis-velasco'
>>> graph_iri("data")
'https://w3id.org/peron-kg/graph/data'
"""

from __future__ import annotations

BASE = "https://w3id.org/peron-kg/"
ONTOLOGY = BASE + "ontology#"
ONTOLOGY_IRI = BASE + "ontology"
SHAPES = BASE + "shapes#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
DATASET_IRI = ID + "dataset/peron-kg"

#: Roles of the named graphs in TriG and N-Quads dumps, in the order they are written.
GRAPH_ROLES = ("ontology", "data", "text", "links", "wikidata")

#: Every prefix the project writes. Bound explicitly so that dumps do not depend on
#: rdflib's defaults, which change between releases.
PREFIXES: dict[str, str] = {
    "pk": ONTOLOGY,
    "pksh": SHAPES,
    "aif": "http://www.arg.dundee.ac.uk/aif#",
    "bibo": "http://purl.org/ontology/bibo/",
    "cito": "http://purl.org/spar/cito/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "marcrel": "http://id.loc.gov/vocabulary/relators/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def resource_iri(kind: str, slug: str) -> str:
    """The IRI of a resource of the graph: ``…/id/{kind}/{slug}``."""
    return f"{ID}{kind}/{slug}"


def graph_iri(role: str) -> str:
    """The IRI of the named graph that holds one role (ontology, data, text, links, wikidata)."""
    return GRAPH + role


def compact(iri: str) -> str:
    """A short form of an IRI for people to read: a CURIE, or ``kind/slug`` for our resources.

    >>> compact("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    >>> compact("https://w3id.org/peron-kg/id/person/luis-velasco")
    'person/luis-velasco'
    >>> compact("http://example.org/x")
    '<http://example.org/x>'
    """
    if iri.startswith(ID):
        return iri[len(ID) :]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"
