"""Stored SPARQL queries: finding them by name, and reading their headers.

Each ``queries/*.rq`` opens with comment lines of the form ``#+ key: value``:

- ``summary``, ``description``, ``tags`` (comma-separated): required;
- ``param``: one line a parameter, ``NAME TYPE [default=VALUE] -- description``, where TYPE is
  ``iri``, ``string``, ``integer`` or ``date``;
- ``problem`` and ``solution``: for the checks under ``queries/checks/``;
- ``network``: ``true`` for a query that needs the live internet (a federated ``SERVICE``).

>>> text = "#+ summary: Who wrote it\\n#+ tags: a, b\\n#+ param: agent iri -- whose\\nSELECT"
>>> h = parse_header(text)
>>> h.summary, h.tags, h.params[0].name, h.params[0].type
('Who wrote it', ('a', 'b'), 'agent', 'iri')
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .project import Project

REQUIRED_KEYS = ("summary", "description", "tags")
PARAM_TYPES = ("iri", "string", "integer", "date")
_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s+default=(?P<default>\S+))?"
    r"(?:\s+--\s*(?P<description>.*))?$"
)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Header:
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    problem: str = ""
    solution: str = ""
    network: bool = False
    #: keys present, to tell a missing key from an empty one
    keys: frozenset[str] = field(default_factory=frozenset)

    def missing(self) -> list[str]:
        return [k for k in REQUIRED_KEYS if k not in self.keys or not getattr(self, k)]


def parse_header(text: str, label: str = "query") -> Header:
    """Read the ``#+`` lines at the top of a query (before its first non-comment line)."""
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER.match(stripped)
        if m:
            values.setdefault(m["key"], []).append(m["value"])
    params = []
    for raw in values.get("param", []):
        m = _PARAM.match(raw)
        if not m or m["type"] not in PARAM_TYPES:
            raise InputError(
                f"{label}: bad '#+ param:' line {raw!r}; write NAME TYPE [default=VALUE] "
                f"-- description, TYPE one of {', '.join(PARAM_TYPES)}"
            )
        params.append(Param(m["name"], m["type"], m["default"], m["description"] or ""))

    def one(key: str) -> str:
        return " ".join(values.get(key, []))

    return Header(
        summary=one("summary"),
        description=one("description"),
        tags=tuple(t.strip() for t in one("tags").split(",") if t.strip()),
        params=tuple(params),
        problem=one("problem"),
        solution=one("solution"),
        network=one("network").lower() == "true",
        keys=frozenset(values),
    )


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    text: str
    header: Header

    @property
    def summary(self) -> str:
        return self.header.summary


def read_query(path: Path, name: str | None = None, label: str | None = None) -> StoredQuery:
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{label}: query file not found") from None
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise InputError(f"{label}: cannot read query ({e})") from None
    return StoredQuery(name or path.stem, path, text, parse_header(text, label))


def stored_queries(project: Project, checks: bool = False) -> list[StoredQuery]:
    """The stored queries (or, with ``checks``, the quality checks), sorted by name."""
    folder = project.checks_dir if checks else project.queries_dir
    return [
        read_query(p, label=project.relative(p)) for p in sorted(folder.glob("*.rq")) if p.is_file()
    ]


def find_query(project: Project, name_or_file: str) -> StoredQuery:
    """A stored query by name (``claims-by-agent``), or any ``.rq`` file by path.

    An unknown name gets a message listing the closest names.
    """
    candidate = Path(name_or_file)
    if candidate.suffix == ".rq" or candidate.is_file():
        return read_query(candidate, label=name_or_file)
    names = {q.name: q for q in stored_queries(project)}
    names.update({f"checks/{q.name}": q for q in stored_queries(project, checks=True)})
    if name_or_file in names:
        return names[name_or_file]
    close = difflib.get_close_matches(name_or_file, list(names), n=5, cutoff=0.4)
    hint = f"; closest: {', '.join(close)}" if close else "; `peron-kg queries` lists them"
    raise InputError(f"unknown query {name_or_file!r}{hint}")
