"""Parse the hand-edited Turtle and assemble the dataset, one named graph a role.

A syntax error becomes an :class:`InputError` naming the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .namespaces import GRAPH_ROLES, PREFIXES, graph_iri
from .project import Project

if TYPE_CHECKING:
    from rdflib import Dataset, Graph
    from rdflib.term import Node


@dataclass
class Assembled:
    """The dataset with its named graphs, and where each subject was written."""

    dataset: Dataset
    #: subject -> the file (relative to the root) that defines it: the one that gives its
    #: ``rdf:type``, else the first that uses it as a subject.
    origins: dict[Node, str] = field(default_factory=dict)
    #: what the build derived from each source text (see :mod:`peron_kg.textgraph`)
    text_models: list = field(default_factory=list)

    def graph(self, role: str) -> Graph:
        from rdflib import URIRef

        return self.dataset.graph(URIRef(graph_iri(role)))

    def union(self) -> Graph:
        """All roles in one plain graph (a copy), prefixes bound."""
        from rdflib import Graph

        g = Graph()
        bind_prefixes(g)
        for role in GRAPH_ROLES:
            for triple in self.graph(role):
                g.add(triple)
        return g

    def origin(self, node: Node) -> str:
        return self.origins.get(node, "")


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes, replacing rdflib's defaults, so output is stable."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def new_dataset() -> Dataset:
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    return ds


def _syntax_location(error: Exception, text: str) -> tuple[int, int, str]:
    """Line, column (1-based) and reason of an rdflib Turtle syntax error."""
    index = getattr(error, "_i", None)
    why = getattr(error, "_why", None) or str(error).splitlines()[0]
    raw = getattr(error, "_str", None)
    if index is None or raw is None:
        return 0, 0, why
    before = raw[:index]
    if isinstance(before, bytes):
        before = before.decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column, why


def parse_turtle(path: Path, label: str | None = None) -> Graph:
    """Parse one Turtle file into a new graph; a syntax error names file, line and column.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bad.ttl"
    >>> _ = p.write_text("@prefix a: <http://a/> .\\na:x a:y\\n a:z a:w .\\n")
    >>> try:
    ...     parse_turtle(p, "bad.ttl")
    ... except InputError as e:
    ...     print(e)
    bad.ttl:3:6: malformed Turtle: expected '.' or '}' or ']' at end of statement
    """
    from rdflib import Graph

    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{label}: not UTF-8 ({e.reason} at byte {e.start})") from None
    g = Graph()
    try:
        g.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as e:  # rdflib raises BadSyntax and a few others for bad input
        line, column, why = _syntax_location(e, text)
        where = f"{label}:{line}:{column}" if line else label
        raise InputError(f"{where}: malformed Turtle: {why}") from None
    return g


def load(project: Project, generate: bool = True) -> Assembled:
    """Parse every RDF file of the project into its named graph.

    With ``generate`` (the default), add what the build derives from the source text
    (see :mod:`peron_kg.sourcetext`).
    """
    from rdflib import RDF, URIRef

    assembled = Assembled(new_dataset())
    typed: dict[Node, str] = {}
    for role, path in project.rdf_files():
        label = project.relative(path)
        g = parse_turtle(path, label)
        target = assembled.dataset.graph(URIRef(graph_iri(role)))
        for s, p, o in g:
            target.add((s, p, o))
            assembled.origins.setdefault(s, label)
            if p == RDF.type:
                typed.setdefault(s, label)
    assembled.origins.update(typed)
    if generate:
        from .textgraph import generate_text_graph

        generate_text_graph(project, assembled)
    return assembled
