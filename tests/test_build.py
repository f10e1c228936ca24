"""``peron-kg build``: deterministic bytes, atomic replacement, and a truthful manifest and VoID."""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import stat
import subprocess

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from conftest import assert_one_line_error, tree_bytes
from peron_kg.build import build
from peron_kg.errors import OutputError
from peron_kg.namespaces import DATASET_IRI, GRAPH_ROLES, graph_iri

VOID = Namespace("http://rdfs.org/ns/void#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DUMPS = ["peron-kg.ttl", "peron-kg.nt", "peron-kg.jsonld", "peron-kg.trig", "peron-kg.nq"]
#: What dist/ must hold at least; other derived files (documentation pages) may join them.
REQUIRED_FILES = {*DUMPS, "void.ttl", "SHA256SUMS"}

#: A person without the skos:prefLabel that pksh:PersonShape requires. A file of its own, so
#: the test does not depend on the contents of graph/people.ttl, which others are editing.
PLANTED_PERSON = "https://w3id.org/peron-kg/id/person/planted-nobody"
PLANTED_TTL = f"""@prefix pk: <https://w3id.org/peron-kg/ontology#> .
<{PLANTED_PERSON}> a pk:Person .
"""


def plant_violation(project) -> pathlib.Path:
    path = project.graph_dir / "zz-planted.ttl"
    path.write_text(PLANTED_TTL, encoding="utf-8")
    return path


def listing(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def small_dist(small_snapshot, tmp_path_factory):
    """The small project's dist/, built once; tests get copies of it."""
    out = tmp_path_factory.mktemp("small-dist") / "dist"
    build(small_snapshot, out=out, validate=False)
    return out


@pytest.fixture
def built(small_project, small_dist, tmp_path):
    """An earlier build in tmp_path/out/dist; returns (project, out, its bytes).

    Unvalidated: what is under test is how dist/ is replaced, not what the data says.
    """
    out = tmp_path / "out" / "dist"
    shutil.copytree(small_dist, out)
    return small_project, out, tree_bytes(out)


@pytest.fixture(scope="module")
def dist(full_dist):
    """The whole project's dist/ and its bytes."""
    return full_dist, tree_bytes(full_dist)


# --- determinism ----------------------------------------------------------------------------


def test_build_is_deterministic_across_processes(full_dists):
    # Another interpreter with another hash seed than this one (see conftest.full_dists): set
    # and dict order must not leak into the bytes.
    first, second = (tree_bytes(out) for out in full_dists)
    assert REQUIRED_FILES <= set(first)
    assert set(first) == set(second)
    for name in sorted(first):
        assert first[name] == second[name], f"{name} differs between two builds"


# --- atomicity ------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["peron-kg.ttl", "peron-kg.trig", "SHA256SUMS"])
def test_failed_write_leaves_previous_dist_intact(built, monkeypatch, failing):
    project, out, before = built
    parent_before = listing(out.parent)
    real_write_bytes = pathlib.Path.write_bytes

    def write_bytes(self, data):
        if self.name == failing:
            raise OSError(28, "No space left on device")
        return real_write_bytes(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    with pytest.raises(OutputError, match="No space left on device"):
        build(project, out=out, validate=False)
    monkeypatch.undo()
    assert tree_bytes(out) == before
    # No half-written temporary folder (.dist.*.tmp) or parked old one (.dist.*.old) remains.
    assert listing(out.parent) == parent_before


def test_failed_first_build_leaves_nothing(small_project, tmp_path, monkeypatch):
    out = tmp_path / "dist"

    def write_bytes(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    with pytest.raises(OutputError):
        build(small_project, out=out, validate=False)
    monkeypatch.undo()
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")] == []


# Regression: the empty .dist.*.old folder used to stay behind when the final rename failed.
def test_failed_rename_restores_previous_dist_without_leftovers(built, monkeypatch):
    import peron_kg.atomic

    project, out, before = built
    parent_before = listing(out.parent)
    real_replace = os.replace

    def replace(src, dst):
        if str(src).endswith(".tmp"):  # the finished new folder moving into place
            raise OSError(18, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(peron_kg.atomic.os, "replace", replace)
    with pytest.raises(OutputError):
        build(project, out=out, validate=False)
    monkeypatch.undo()
    assert tree_bytes(out) == before
    assert listing(out.parent) == parent_before


def test_validation_failure_keeps_previous_dist(built, cli):
    project, out, before = built
    plant_violation(project)
    result = cli("build", "--out", out, root=project)
    assert result.exit_code == 1
    # The report goes to stderr, so that the dist listing on stdout is never a lie.
    assert "person/planted-nobody" in result.stderr
    assert "does not conform" in result.stderr
    assert result.stdout == ""
    assert tree_bytes(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".dist.")]


# Regression: dist/ used to keep mkdtemp's mode 0700, which a web server cannot read.
def test_dist_folder_is_readable_by_others(small_dist):
    out = small_dist
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


# --- what dist/ says about itself ------------------------------------------------------------


def test_manifest_lists_every_file_with_its_hash(dist):
    out, files = dist
    assert REQUIRED_FILES <= set(files)
    lines = files["SHA256SUMS"].decode("utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)  # the two-space form `sha256sum -c` reads
        assert name not in listed, f"{name} listed twice"
        listed[name] = digest
    assert set(listed) == set(files) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert digest == hashlib.sha256(files[name]).hexdigest(), name


def test_manifest_checks_with_sha256sum(dist):
    # The manifest is meant for `sha256sum -c`; run the real tool where it exists.
    out, _ = dist
    tool = "/usr/bin/sha256sum"
    if not os.path.exists(tool):
        pytest.skip("sha256sum not installed")
    done = subprocess.run([tool, "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def void_graph(out: pathlib.Path) -> Graph:
    return Graph().parse(out / "void.ttl", format="turtle")


def test_void_counts_the_distinct_triples(dist):
    out, files = dist
    lines = files["peron-kg.nt"].decode("utf-8").splitlines()
    # One statement a line, so distinct lines are distinct triples; check the premise.
    assert all(line.endswith(" .") for line in lines)
    assert len(set(lines)) == len(lines)
    void = void_graph(out)
    stated = list(void.objects(URIRef(DATASET_IRI), VOID.triples))
    assert len(stated) == 1
    assert stated[0].toPython() == len(lines)


def test_void_counts_each_named_graph(dist):
    import pyoxigraph as ox

    out, files = dist
    per_graph: dict[str, set] = {}
    for quad in ox.parse(input=files["peron-kg.nq"], format=ox.RdfFormat.N_QUADS):
        per_graph.setdefault(quad.graph_name.value, set()).add(quad.triple)
    void = void_graph(out)
    for role in GRAPH_ROLES:
        part = URIRef(f"{DATASET_IRI}#graph-{role}")
        assert (URIRef(DATASET_IRI), VOID.subset, part) in void
        assert (part, DCTERMS.identifier, Literal(graph_iri(role))) in void
        (n,) = void.objects(part, VOID.triples)
        assert n.toPython() == len(per_graph.get(graph_iri(role), ())), role


def test_void_describes_each_dump_truthfully(dist):
    out, files = dist
    void = void_graph(out)
    dataset = URIRef(DATASET_IRI)
    described = {}
    for dist in void.objects(dataset, DCAT.distribution):
        url = void.value(dist, DCAT.downloadURL)
        # File IRIs are relative to void.ttl, so they resolve to files beside it.
        path = pathlib.Path(url.removeprefix("file://"))
        assert path.parent == out, url
        checksum = void.value(dist, SPDX.checksum)
        described[path.name] = (
            void.value(dist, DCAT.byteSize).toPython(),
            str(void.value(checksum, SPDX.checksumValue)),
        )
    assert set(described) == set(DUMPS)
    for name, (size, digest) in described.items():
        assert size == len(files[name]), name
        assert digest == hashlib.sha256(files[name]).hexdigest(), name


def test_build_refuses_an_out_that_is_a_file(small_project, tmp_path, cli):
    target = tmp_path / "dist"
    target.write_text("not a folder\n")
    result = cli("build", "--no-validate", "--out", target, root=small_project)
    message = assert_one_line_error(result)
    assert str(target) in message
    assert target.read_text() == "not a folder\n"
    assert listing(tmp_path) == ["dist", "project"]
