"""The article's source text: its file, its SHA-256, and what the build derives from it.

The text under ``graph/source/`` is kept byte for byte as published on ETOL. Its SHA-256 is
recorded in ``graph/source/source-text.ttl``; the build recomputes it and refuses to go on
if the file has changed, because every offset in the graph counts on those exact bytes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .namespaces import ONTOLOGY, PREFIXES

if TYPE_CHECKING:
    from rdflib.term import Node

    from .loading import Assembled
    from .project import Project

SPDX = PREFIXES["spdx"]


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, as lower-case hex.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SourceText:
    """One source text: its node in the graph, its file and the checksum the graph records."""

    node: Node
    path: Path
    recorded_sha256: str

    def read(self) -> str:
        """The text as a ``str`` in NFC, the form every offset counts in."""
        return unicodedata.normalize("NFC", self.path.read_text(encoding="utf-8"))


def source_texts(project: Project, assembled: Assembled) -> list[SourceText]:
    """Every ``pk:SourceText`` of the text graph, with its file and recorded checksum."""
    from rdflib import RDF, Namespace

    pk = Namespace(ONTOLOGY)
    spdx = Namespace(SPDX)
    text = assembled.graph("text")
    found = []
    for node in sorted(text.subjects(RDF.type, pk.SourceText)):
        where = assembled.origin(node) or "graph/source"
        name = text.value(node, pk.sourceFile)
        if name is None:
            raise InputError(f"{where}: {node} has no pk:sourceFile")
        checksum = text.value(node, spdx.checksum)
        value = text.value(checksum, spdx.checksumValue) if checksum is not None else None
        if value is None:
            raise InputError(f"{where}: {node} records no spdx:checksum with a checksumValue")
        found.append(SourceText(node, project.source_dir / str(name), str(value)))
    return found


def verify(project: Project, source: SourceText) -> None:
    """Refuse a source text whose bytes differ from the checksum the graph records."""
    label = project.relative(source.path)
    if not source.path.is_file():
        raise InputError(f"{label}: source text not found (named by {source.node})")
    actual = sha256_file(source.path)
    if actual != source.recorded_sha256:
        raise InputError(
            f"{label}: SHA-256 is {actual}, but the graph records {source.recorded_sha256}; "
            "the source text must stay byte for byte as published"
        )
