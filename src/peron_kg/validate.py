"""``validate``: named steps, each reported on its own.

1. ``parse``: every RDF file parses (and the source text matches its checksum);
2. ``shacl``: the shapes in ``ontology/shapes.ttl``, run by pySHACL;
3. ``checks``: every query in ``queries/checks/`` returns no rows (run on pyoxigraph);
4. ``coverage``: every capitalised word of the body is a mention of an entity, a
   sentence-initial common word, or listed with its reason in ``graph/source/not-entities.tsv``.

A violation names the focus node, the path, what is wrong and the file that defines the node.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from .errors import InputError, PeronKGError
from .namespaces import compact

if TYPE_CHECKING:
    from .loading import Assembled
    from .project import Project

STEPS = ("parse", "shacl", "checks", "coverage")


@dataclass
class Violation:
    step: str
    focus: str
    path: str
    message: str
    value: str = ""
    file: str = ""
    #: the shape or check that found it
    source: str = ""
    severity: str = "Violation"

    def line(self) -> str:
        where = f" ({self.file})" if self.file else ""
        path = f" {compact(self.path)}" if self.path else ""
        value = f" [value: {_show(self.value)}]" if self.value else ""
        return f"{_show(self.focus)}{path}{where}: {self.message}{value}"


def _show(text: str) -> str:
    return compact(text) if "://" in text and " " not in text else text


@dataclass
class Step:
    name: str
    violations: list[Violation] = field(default_factory=list)
    #: set when the step could not run at all (unusable input)
    error: str | None = None
    seconds: float = 0.0
    ran: bool = True

    @property
    def ok(self) -> bool:
        return self.ran and self.error is None and not self.violations


@dataclass
class Report:
    steps: list[Step] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def unusable(self) -> bool:
        return any(s.error for s in self.steps)

    @property
    def violations(self) -> list[Violation]:
        return [v for s in self.steps for v in s.violations]

    @property
    def exit_code(self) -> int:
        return 2 if self.unusable else (0 if self.conforms else 1)

    def to_json(self) -> dict:
        return {
            "conforms": self.conforms,
            "steps": [
                {
                    "name": s.name,
                    "ran": s.ran,
                    "ok": s.ok,
                    "error": s.error,
                    "seconds": round(s.seconds, 3),
                    "violations": [asdict(v) for v in s.violations],
                }
                for s in self.steps
            ],
        }

    def to_text(self) -> str:
        lines = []
        for s in self.steps:
            if not s.ran:
                lines.append(f"[skip] {s.name}: not run (an earlier step failed)")
            elif s.error:
                lines.append(f"[FAIL] {s.name}: {s.error}")
            elif s.violations:
                n = len(s.violations)
                lines.append(f"[FAIL] {s.name}: {n} violation{'s' if n != 1 else ''}")
                lines.extend(f"  - {v.line()}" for v in s.violations)
            else:
                lines.append(f"[ ok ] {s.name} ({s.seconds:.2f} s)")
        lines.append("conforms" if self.conforms else "does not conform")
        return "\n".join(lines)


def shacl_violations(assembled: Assembled, shapes_graph) -> list[Violation]:
    """Run the shapes over the data, text and links graphs of the assembled dataset."""
    from rdflib import Graph

    data = Graph()
    for role in ("data", "text", "links"):
        for triple in assembled.graph(role):
            data.add(triple)
    return shacl_graph(data, shapes_graph, assembled.graph("ontology"), assembled.origin)


def shacl_graph(data, shapes_graph, ontology_graph=None, origin=None) -> list[Violation]:
    """Run pySHACL on one data graph; one :class:`Violation` per validation result.

    ``origin`` maps a focus node to the file that defines it, for the report.
    """
    from pyshacl import validate as shacl_validate
    from rdflib.namespace import SH

    _, results, text = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ontology_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    if not hasattr(results, "subjects"):  # pySHACL's ValidationFailure: the shapes are unusable
        first = str(text).strip().splitlines()[0] if str(text).strip() else "unusable shapes"
        raise InputError(f"ontology/shapes.ttl: pySHACL cannot run the shapes: {first}")
    found = []
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        found.append(
            Violation(
                step="shacl",
                focus=str(focus) if focus is not None else "",
                path="" if path is None else ("(complex path)" if _is_bnode(path) else str(path)),
                message=str(message) if message is not None else "constraint violated",
                value=str(value) if value is not None else "",
                file=origin(focus) if origin is not None and focus is not None else "",
                source=str(shape) if shape is not None and not _is_bnode(shape) else "",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "",
            )
        )
    found.sort(key=lambda v: (v.focus, v.path, v.message, v.value))
    return found


def _is_bnode(node) -> bool:
    from rdflib import BNode

    return isinstance(node, BNode)


def check_violations(project: Project, assembled: Assembled, store=None) -> list[Violation]:
    """Run every ``queries/checks/*.rq`` on pyoxigraph; each row is a violation."""
    from .engines import oxigraph_store, run
    from .queries import stored_queries

    if store is None:
        store = oxigraph_store(assembled)
    found = []
    for check in stored_queries(project, checks=True):
        result = run(check, store=store)
        message = check.header.problem or check.header.summary or check.name
        for row in result.rows:
            focus = row.get("entity", {}).get("value", "")
            found.append(
                Violation(
                    step="checks",
                    focus=focus,
                    path=row.get("property", {}).get("value", ""),
                    message=message,
                    value=row.get("value", {}).get("value", ""),
                    file=_origin_of(assembled, focus),
                    source=f"queries/checks/{check.path.name}",
                )
            )
    return found


def coverage_violations(project: Project, assembled: Assembled) -> list[Violation]:
    """One violation per run of capitalised words that nothing accounts for."""
    from .textgraph import NOT_ENTITIES_FILE, block_iri

    found = []
    for model in assembled.text_models:
        if model.coverage is None:
            continue
        seg = model.segmentation
        for start, end, phrase in model.coverage.uncovered:
            block = seg.block_at(start)
            found.append(
                Violation(
                    step="coverage",
                    focus=block_iri(model.source.node, block) if block else "",
                    path="",
                    message=(
                        f"capitalised words at offsets {start}-{end} are neither a mention of "
                        f"an entity nor listed in graph/source/{NOT_ENTITIES_FILE}"
                    ),
                    value=phrase,
                    file=project.relative(model.source.path),
                    source="coverage",
                )
            )
    return found


def _origin_of(assembled: Assembled, iri: str) -> str:
    from rdflib import URIRef

    return assembled.origin(URIRef(iri)) if iri else ""


def validate(
    project: Project, assembled: Assembled | None = None
) -> tuple[Report, Assembled | None]:
    """Run the steps in order; a step that cannot run stops the ones after it."""
    from .loading import load, parse_turtle

    report = Report()
    step = Step("parse")
    report.steps.append(step)
    started = time.perf_counter()
    try:
        if assembled is None:
            assembled = load(project)
        shapes = parse_turtle(project.shapes_file, project.relative(project.shapes_file))
    except PeronKGError as e:
        step.error = str(e)
        report.steps.extend(Step(name, ran=False) for name in STEPS[1:])
        return report, None
    step.seconds = time.perf_counter() - started

    for name, run_step in (
        ("shacl", lambda: shacl_violations(assembled, shapes)),
        ("checks", lambda: check_violations(project, assembled)),
        ("coverage", lambda: coverage_violations(project, assembled)),
    ):
        step = Step(name)
        report.steps.append(step)
        started = time.perf_counter()
        try:
            step.violations = run_step()
        except PeronKGError as e:
            step.error = str(e)
        step.seconds = time.perf_counter() - started
    return report, assembled
