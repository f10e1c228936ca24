"""``build``: load, validate and write the dumps, the description and a manifest to ``dist/``.

The output is deterministic (same sources, same bytes) and atomic: it is written to a
temporary folder beside the target, which then replaces the target whole. A failed build
leaves the previous ``dist/`` as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ValidationFailed

if TYPE_CHECKING:
    from .project import Project
    from .validate import Report

DUMP_STEM = "peron-kg"
MANIFEST = "SHA256SUMS"


@dataclass
class BuildResult:
    out: Path
    #: file name -> (size in bytes, SHA-256), for every file written
    files: dict[str, tuple[int, str]] = field(default_factory=dict)
    triples: int = 0
    report: Report | None = None


def render(project: Project, validate: bool = True) -> tuple[dict[str, bytes], int, Report | None]:
    """Every file of ``dist/`` as bytes, in memory, after validation."""
    from . import ontodoc
    from .describe import describe
    from .export import DUMP_FORMATS, FORMATS, load_context, quads, serialize, triples
    from .loading import load
    from .validate import validate as run_validation

    assembled = load(project)
    report = None
    if validate:
        report, _ = run_validation(project, assembled)
        if not report.conforms:
            raise ValidationFailed(
                f"the graph does not conform ({len(report.violations)} violations); "
                "run `peron-kg validate` for the report",
                report,
            )
    context = load_context(project.context_file)
    ordered = quads(assembled)
    files = {
        DUMP_STEM + FORMATS[fmt].extension: serialize(assembled, fmt, context, ordered)
        for fmt in DUMP_FORMATS
    }
    files["void.ttl"] = describe(assembled, dict(files), FORMATS, ordered)
    files["ontology.html"] = ontodoc.render(assembled.graph("ontology"))
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    files[MANIFEST] = manifest.encode("utf-8")
    return files, len(triples(assembled, ordered)), report


def build(project: Project, out: Path | None = None, validate: bool = True) -> BuildResult:
    """Build ``dist/`` (or ``out``) from the project's sources."""
    from .atomic import atomic_directory

    out = Path(out) if out is not None else project.default_out
    files, n_triples, report = render(project, validate=validate)
    with atomic_directory(out) as tmp:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
    return BuildResult(
        out=out,
        files={n: (len(d), hashlib.sha256(d).hexdigest()) for n, d in sorted(files.items())},
        triples=n_triples,
        report=report,
    )
