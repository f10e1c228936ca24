"""Where the project's files are, and which named graph each file belongs to.

The CLI works on the project in the current folder: it looks upward for the folder that
holds ``ontology/``, ``graph/`` and ``queries/``. ``--root`` points it elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

MARKERS = ("ontology", "graph", "queries")


@dataclass(frozen=True)
class Project:
    """The folders of one checkout of peron-kg."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def source_dir(self) -> Path:
        return self.graph_dir / "source"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "peron-kg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def context_file(self) -> Path:
        return self.ontology_dir / "context.jsonld"

    @property
    def wikidata_snapshot(self) -> Path:
        """The Wikidata snapshot: facts about the linked items, each with its source."""
        return self.graph_dir / "wikidata-snapshot.ttl"

    @property
    def wikidata_types(self) -> Path:
        """Which Wikidata classes an entity of each of our classes may be an instance of."""
        return self.ontology_dir / "wikidata-types.tsv"

    @property
    def default_out(self) -> Path:
        return self.root / "dist"

    def rdf_files(self) -> list[tuple[str, Path]]:
        """Every hand-edited RDF file that goes into the dumps, with its role, in a fixed order.

        The shapes are not data: they are read by ``validate`` only.
        """
        files = [("ontology", self.ontology_file)]
        for path in sorted(self.graph_dir.rglob("*.ttl")):
            files.append((self.role_of(path), path))
        return files

    def role_of(self, path: Path) -> str:
        """The named graph a file under ``graph/`` belongs to.

        >>> p = Project(Path("/x"))
        >>> p.role_of(Path("/x/graph/source/source-text.ttl"))
        'text'
        >>> p.role_of(Path("/x/graph/people.ttl"))
        'data'
        >>> p.role_of(Path("/x/graph/links-wikidata.ttl"))
        'links'
        >>> p.role_of(Path("/x/graph/wikidata-snapshot.ttl"))
        'wikidata'
        """
        rel = path.relative_to(self.graph_dir)
        if rel.parts[0] == "source":
            return "text"
        if rel.name.startswith("links"):
            return "links"
        if rel.name.startswith("wikidata"):
            return "wikidata"
        return "data"

    def relative(self, path: Path) -> str:
        """A path as the user sees it in messages: relative to the root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def is_project_root(folder: Path) -> bool:
    return all((folder / name).is_dir() for name in MARKERS)


def find_project(root: str | os.PathLike[str] | None = None, start: Path | None = None) -> Project:
    """The project at ``root``, or the nearest one at or above ``start`` (default: the cwd)."""
    if root is not None:
        folder = Path(root).resolve()
        if not is_project_root(folder):
            raise InputError(
                f"{folder}: not a peron-kg project (it needs {', '.join(m + '/' for m in MARKERS)})"
            )
        return Project(folder)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project_root(folder):
            return Project(folder)
    raise InputError(
        f"{here}: no peron-kg project here or above (a folder with ontology/, graph/ and "
        "queries/); use --root to name one"
    )
