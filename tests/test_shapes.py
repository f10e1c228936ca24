"""The SHACL shapes, tested both ways with fixture files (style.md: valid/ and invalid/ folders).

The convention, for everyone who adds a fixture:

- ``tests/shapes/valid/*.ttl`` must give zero violations.
- ``tests/shapes/invalid/*.ttl`` carries one deliberate defect. Its first line is
  ``# defect: <what is wrong>``, followed in the opening comment block by
  ``# expect-focus: <full IRI>`` and ``# expect-path: <full IRI, or none>``. The test asserts
  that a violation with exactly that focus node and path exists.
- Every fixture names the shape it exercises in a header line
  ``# shape: <https://w3id.org/peron-kg/shapes#XShape>`` (``pksh:XShape`` is accepted too);
  several lines may name several shapes.
- Fixtures are self-contained: every node they reference through ``sh:class`` is typed in the
  fixture itself, so nothing depends on the project's data.

A meta-test fails any NodeShape in ``ontology/shapes.ttl`` without a valid and an invalid
fixture, so a new shape cannot arrive untested.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from conftest import REPO, TESTS
from peron_kg.validate import shacl_graph

SHAPES_NS = "https://w3id.org/peron-kg/shapes#"
FIXTURES = TESTS / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SHAPES_FILE = REPO / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = REPO / "ontology" / "peron-kg.ttl"


def header(path: Path) -> list[tuple[str, str]]:
    """``(key, value)`` for each ``# key: value`` line of the opening comment block."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep and key.strip() and " " not in key.strip():
            found.append((key.strip(), value.strip()))
    return found


def expand_shape(value: str) -> str:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if value.startswith("pksh:"):
        return SHAPES_NS + value[len("pksh:") :]
    return value


def shapes_named(path: Path) -> set[str]:
    return {expand_shape(v) for k, v in header(path) if k == "shape"}


def node_shapes() -> list[str]:
    g = parsed(SHAPES_FILE)
    return sorted(str(s) for s in g.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


@functools.cache
def parsed(path: Path) -> Graph:
    """A file parsed once per session; callers get copies (see fresh)."""
    return Graph().parse(path, format="turtle")


def fresh(path: Path) -> Graph:
    # pySHACL adds to the shapes graph it is given, so every run gets its own copy.
    copy = Graph()
    for triple in parsed(path):
        copy.add(triple)
    return copy


def violations(fixture: Path):
    data = Graph().parse(fixture, format="turtle")
    shapes = fresh(SHAPES_FILE)
    return data, shapes, shacl_graph(data, shapes, fresh(ONTOLOGY_FILE))


def each(paths: list[Path]) -> list:
    return [pytest.param(p, id=p.stem) for p in paths] or [pytest.param(None, id="none")]


# --- the fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", each(VALID))
def test_valid_fixture_conforms(fixture):
    assert fixture is not None, "tests/shapes/valid/ holds no fixture"
    named = shapes_named(fixture)
    assert named, f"{fixture.name}: no '# shape:' header line"
    data, shapes, found = violations(fixture)
    assert found == [], "\n".join(v.line() for v in found)
    # A valid fixture proves something only if its shape actually had a node to check.
    for shape in named:
        assert has_focus(URIRef(shape), shapes, data), (
            f"{fixture.name}: nothing in the fixture is a target of {shape}"
        )


def has_focus(shape: URIRef, shapes: Graph, data: Graph) -> bool:
    """Whether ``data`` holds a focus node of ``shape``'s targets (subclasses included, as the
    ontology states them). A shape without targets is reached through sh:node from another
    shape, which the fixture's other shapes exercise; it counts as having one."""
    from rdflib import RDFS

    world = data + parsed(ONTOLOGY_FILE)
    targets = False
    for cls in shapes.objects(shape, SH.targetClass):
        targets = True
        classes = set(world.transitive_subjects(RDFS.subClassOf, cls))
        if any(True for c in classes for _ in world.subjects(RDF.type, c)):
            return True
    for node in shapes.objects(shape, SH.targetNode):
        targets = True
        if (node, None, None) in data or (None, None, node) in data:
            return True
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        targets = True
        if (None, prop, None) in data:
            return True
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        targets = True
        if (None, prop, None) in data:
            return True
    return not targets


@pytest.mark.parametrize("fixture", each(INVALID))
def test_invalid_fixture_violates_at_focus_and_path(fixture):
    assert fixture is not None, "tests/shapes/invalid/ holds no fixture"
    first = fixture.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# defect: ") and first[len("# defect: ") :].strip(), (
        f"{fixture.name}: the first line must be '# defect: <description>'"
    )
    keys = dict(header(fixture))
    assert "expect-focus" in keys and "expect-path" in keys, (
        f"{fixture.name}: needs '# expect-focus:' and '# expect-path:' header lines"
    )
    assert shapes_named(fixture), f"{fixture.name}: no '# shape:' header line"
    focus = keys["expect-focus"].strip("<>")
    path = "" if keys["expect-path"] == "none" else keys["expect-path"].strip("<>")
    _, _, found = violations(fixture)
    assert any(v.focus == focus and v.path == path for v in found), (
        f"{fixture.name}: no violation at focus {focus} path {path or '(none)'}; got:\n"
        + "\n".join(f"  {v.focus} {v.path or '(none)'}: {v.message}" for v in found)
    )


# --- every shape has fixtures ----------------------------------------------------------------


def test_fixture_headers_name_real_shapes():
    known = set(node_shapes())
    for fixture in VALID + INVALID:
        unknown = shapes_named(fixture) - known
        assert not unknown, f"{fixture.name} names shapes that shapes.ttl lacks: {unknown}"


@pytest.mark.parametrize("shape", node_shapes() or ["(no NodeShape)"])
def test_shape_has_valid_and_invalid_fixtures(shape):
    assert shape != "(no NodeShape)", "ontology/shapes.ttl defines no sh:NodeShape"
    short = shape.removeprefix(SHAPES_NS)
    assert any(shape in shapes_named(f) for f in VALID), (
        f"{short}: add tests/shapes/valid/<name>.ttl with '# shape: <{shape}>'")
    assert any(shape in shapes_named(f) for f in INVALID), (
        f"{short}: add tests/shapes/invalid/<name>.ttl with '# shape: <{shape}>'")


def closed_shapes() -> list[str]:
    g = parsed(SHAPES_FILE)
    return [s for s in node_shapes() if g.value(URIRef(s), SH.closed, default=False)]


def test_some_shapes_are_closed():
    # Without any, the test below would have nothing to check.
    assert closed_shapes()


@pytest.mark.parametrize("shape", closed_shapes())
def test_closed_shape_has_a_misspelt_property_fixture(shape):
    # A closed shape's point is to catch a misspelt property (skos:preflabel), which an open
    # shape silently accepts; one invalid fixture must expect a path the shape does not declare.
    g = parsed(SHAPES_FILE)
    node = URIRef(shape)
    declared = {str(g.value(p, SH.path)) for p in g.objects(node, SH.property)}
    expected_paths = {
        dict(header(f)).get("expect-path", "").strip("<>")
        for f in INVALID if shape in shapes_named(f)
    }
    assert expected_paths - declared - {"none", ""}, (
        f"{shape} is closed, but no invalid fixture expects an undeclared property"
    )
