"""HTML documentation of the ontology, for ``dist/ontology.html``.

pyLODE was the first choice; the release on PyPI here (3.4.1) fails at import (its
``version.py`` opens a ``pyproject.toml`` that the wheel does not ship) and would bring five
more dependencies, so this module writes a plain, deterministic page instead: the ontology's
metadata, then every class and property with its label, comment and alignments.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .namespaces import ONTOLOGY, ONTOLOGY_IRI, compact

if TYPE_CHECKING:
    from rdflib import Graph

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
code { background: #f4f4f4; padding: 0 .2em; }
section.term { border-top: 1px solid #ddd; padding: .5rem 0; }
dt { font-weight: 600; } dd { margin: 0 0 .4rem 1.5rem; }
nav li { display: inline; margin-right: .6rem; }
"""


def _terms(graph: Graph, types) -> list:
    found = set()
    for t in types:
        for s in graph.subjects(predicate=None, object=t):
            if str(s).startswith(ONTOLOGY):
                found.add(s)
    return sorted(found, key=str)


def _values(graph: Graph, subject, predicates) -> list[str]:
    values = set()
    for p in predicates:
        values.update(graph.objects(subject, p))
    return sorted(str(v) for v in values)


def _link(iri: str) -> str:
    short = compact(iri)
    if iri.startswith(ONTOLOGY):
        return f'<a href="#{escape(iri[len(ONTOLOGY):])}"><code>{escape(short)}</code></a>'
    return f'<a href="{escape(iri)}"><code>{escape(short)}</code></a>'


def render(graph: Graph) -> bytes:
    """The page for the ontology in ``graph``."""
    from rdflib import OWL, RDF, RDFS, URIRef
    from rdflib.namespace import DCTERMS, SKOS

    onto = URIRef(ONTOLOGY_IRI)
    title = graph.value(onto, DCTERMS.title) or "peron-kg ontology"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(str(title))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(str(title))}</h1>",
        f"<p><code>{escape(ONTOLOGY_IRI)}</code> &middot; namespace <code>{escape(ONTOLOGY)}</code>"
        " (prefix <code>pk:</code>)</p>",
    ]
    description = graph.value(onto, DCTERMS.description)
    if description:
        parts.append(f"<p>{escape(str(description))}</p>")
    meta = [
        ("Version", OWL.versionInfo),
        ("Modified", DCTERMS.modified),
        ("Licence", DCTERMS.license),
        ("Creators", DCTERMS.creator),
    ]
    parts.append("<dl>")
    for name, prop in meta:
        values = _values(graph, onto, [prop])
        if values:
            shown = ", ".join(_link(v) if v.startswith("http") else escape(v) for v in values)
            parts.append(f"<dt>{name}</dt><dd>{shown}</dd>")
    parts.append("</dl>")

    classes = _terms(graph, [OWL.Class, RDFS.Class])
    properties = _terms(
        graph, [OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property]
    )
    rows = [
        ("Subclass of", [RDFS.subClassOf]),
        ("Subproperty of", [RDFS.subPropertyOf]),
        ("Equivalent to", [OWL.equivalentClass, OWL.equivalentProperty]),
        ("Inverse of", [OWL.inverseOf]),
        ("Domain", [RDFS.domain]),
        ("Range", [RDFS.range]),
        ("Close match", [SKOS.closeMatch]),
        ("Exact match", [SKOS.exactMatch]),
    ]
    for heading, terms in (("Classes", classes), ("Properties", properties)):
        parts.append(f"<h2>{heading}</h2><nav><ul>")
        parts.extend(f"<li>{_link(str(t))}</li>" for t in terms)
        parts.append("</ul></nav>")
        for term in terms:
            local = str(term)[len(ONTOLOGY) :]
            label = graph.value(term, RDFS.label) or local
            parts.append(f'<section class="term" id="{escape(local)}">')
            parts.append(f"<h3>{escape(str(label))} <small><code>pk:{escape(local)}</code>"
                         "</small></h3>")
            comment = graph.value(term, RDFS.comment)
            if comment:
                parts.append(f"<p>{escape(str(comment))}</p>")
            parts.append("<dl>")
            for name, props in rows:
                values = _values(graph, term, props)
                if values:
                    parts.append(f"<dt>{name}</dt><dd>{', '.join(_link(v) for v in values)}</dd>")
            parts.append("</dl></section>")
    parts.append("</body></html>")
    return ("\n".join(parts) + "\n").encode("utf-8")
