"""The dataset's description: VoID statistics and DCAT distributions, for ``dist/void.ttl``.

The hand-written part (title, licence, version, date) comes from ``graph/dataset.ttl``;
everything counted or measured is added here. Download URLs are written relative to
``void.ttl`` itself, so the description stays true wherever ``dist/`` is published.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .namespaces import DATASET_IRI, GRAPH_ROLES, ONTOLOGY, PREFIXES, compact, graph_iri

if TYPE_CHECKING:
    from .export import Format
    from .loading import Assembled

# A base of another scheme than the data's, so only the file names come out relative.
_FILE_BASE = "file:///peron-kg-dist/"
IANA = "https://www.iana.org/assignments/media-types/"


def _slug(term: str) -> str:
    return compact(term).replace(":", "-").replace("/", "-").strip("<>").replace("#", "-")


def describe(
    assembled: Assembled,
    dumps: dict[str, bytes],
    formats: dict[str, Format],
    ordered: list | None = None,
) -> bytes:
    """VoID and DCAT for the dumps (file name -> bytes), as Turtle.

    ``ordered`` is :func:`peron_kg.export.quads` of the dataset, when the caller has it.
    """
    import pyoxigraph as ox

    from .export import quads

    V, D, DCT, SPDX, XSD = (PREFIXES[p] for p in ("void", "dcat", "dcterms", "spdx", "xsd"))
    dataset = ox.NamedNode(DATASET_IRI)
    out: list = []

    def add(s, p: str, o) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    def integer(n: int):
        return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))

    ordered = ordered or quads(assembled)
    for q in ordered:
        if q.subject == dataset:
            out.append(q.triple)

    store = ox.Store()
    store.extend(ordered)

    def count(where: str) -> int:
        rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
                                use_default_graph_as_union=True))
        return int(rows[0]["n"].value)

    add(dataset, V + "triples", integer(count("SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }")))
    add(dataset, V + "distinctSubjects", integer(count("SELECT DISTINCT ?s { ?s ?p ?o }")))
    add(dataset, V + "properties", integer(count("SELECT DISTINCT ?p { ?s ?p ?o }")))
    add(dataset, V + "classes", integer(count("SELECT DISTINCT ?c { ?s a ?c }")))
    add(dataset, V + "vocabulary", ox.NamedNode(ONTOLOGY))

    classes = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY ?c",
        use_default_graph_as_union=True,
    )
    for row in classes:
        part = ox.NamedNode(f"{DATASET_IRI}#class-{_slug(row['c'].value)}")
        add(dataset, V + "classPartition", part)
        add(part, V + "class", row["c"])
        add(part, V + "entities", integer(int(row["n"].value)))
    props = store.query(
        "SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } } "
        "GROUP BY ?p ORDER BY ?p",
        use_default_graph_as_union=True,
    )
    for row in props:
        part = ox.NamedNode(f"{DATASET_IRI}#property-{_slug(row['p'].value)}")
        add(dataset, V + "propertyPartition", part)
        add(part, V + "property", row["p"])
        add(part, V + "triples", integer(int(row["n"].value)))
    for role in GRAPH_ROLES:
        part = ox.NamedNode(f"{DATASET_IRI}#graph-{role}")
        n = count(f"GRAPH <{graph_iri(role)}> {{ ?s ?p ?o }}")
        add(dataset, V + "subset", part)
        add(part, PREFIXES["rdf"] + "type", ox.NamedNode(V + "Dataset"))
        add(part, DCT + "title", ox.Literal(f"named graph: {role}"))
        add(part, V + "triples", integer(n))
        add(part, DCT + "identifier", ox.Literal(graph_iri(role)))

    for name in sorted(dumps):
        data = dumps[name]
        fmt = next(f for f in formats.values() if name.endswith(f.extension))
        dist = ox.NamedNode(f"{DATASET_IRI}#dump-{fmt.name}")
        file_iri = ox.NamedNode(_FILE_BASE + name)
        add(dataset, D + "distribution", dist)
        add(dataset, V + "dataDump", file_iri)
        add(dist, PREFIXES["rdf"] + "type", ox.NamedNode(D + "Distribution"))
        add(dist, DCT + "title", ox.Literal(f"{name} ({fmt.media_type})"))
        add(dist, D + "downloadURL", file_iri)
        add(dist, D + "mediaType", ox.NamedNode(IANA + fmt.media_type))
        add(dist, D + "byteSize", integer(len(data)))
        checksum = ox.NamedNode(f"{DATASET_IRI}#sha256-{fmt.name}")
        add(dist, SPDX + "checksum", checksum)
        add(checksum, PREFIXES["rdf"] + "type", ox.NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", ox.Literal(hashlib.sha256(data).hexdigest()))

    triples = sorted(set(out), key=str)
    used = {p: ns for p, ns in PREFIXES.items() if any(ns in str(t) for t in triples)}
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used, base_iri=_FILE_BASE)
    lines = [line for line in text.decode("utf-8").splitlines() if not line.startswith("@base ")]
    header = "# VoID and DCAT description of peron-kg; file IRIs are relative to this file.\n"
    return (header + "\n".join(lines) + "\n").encode("utf-8")
