"""The source text is kept byte for byte, and the graph's checksum says which bytes those are.

Every offset and quotation in the graph counts on these exact bytes, so the recorded SHA-256 is
checked here independently of the package's own code (hashlib and rdflib only).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace

from conftest import REPO, SHARED
from peron_kg.errors import InputError
from peron_kg.loading import load

PK = Namespace("https://w3id.org/peron-kg/ontology#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SHARED_TEXT = SHARED / "source" / "000_bfc29b6c99140844.txt"


def recorded_sources(root: Path) -> list[tuple[Path, str]]:
    """Each pk:SourceText's file and the SHA-256 the graph records for it."""
    g = Graph().parse(root / "graph" / "source" / "source-text.ttl", format="turtle")
    found = []
    for node in g.subjects(RDF.type, PK.SourceText):
        name = g.value(node, PK.sourceFile)
        checksum = g.value(node, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = str(g.value(checksum, SPDX.checksumValue))
        found.append((root / "graph" / "source" / str(name), value))
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_graph_records_one_source_text():
    sources = recorded_sources(REPO)
    assert len(sources) == 1
    path, _ = sources[0]
    assert path.name == "velasco-1948-peron-argentine-sub-imperialist.txt"
    assert path.is_file()


def test_recorded_sha256_matches_the_file():
    for path, recorded in recorded_sources(REPO):
        assert sha256(path) == recorded, f"{path.name} changed since its checksum was recorded"


@pytest.mark.skipif(not SHARED_TEXT.is_file(), reason=f"{SHARED_TEXT} not present")
def test_source_text_is_the_shared_transcription():
    # ../shared/source holds the transcription everyone works from; ours must be that, unedited.
    (path, recorded), = recorded_sources(REPO)
    assert sha256(SHARED_TEXT) == recorded
    assert path.read_bytes() == SHARED_TEXT.read_bytes()


def test_text_keeps_its_typos():
    # design.md: the text is kept "typos included"; a well-meant correction would break offsets.
    (path, _), = recorded_sources(REPO)
    text = path.read_text(encoding="utf-8")
    assert "Accordig" in text


def test_changed_byte_is_refused(project_copy):
    (path, recorded), = recorded_sources(project_copy.root)
    data = path.read_bytes()
    # A curator "fixing" the article's typo is the realistic way the bytes change.
    assert data.count(b"Accordig") == 1
    path.write_bytes(data.replace(b"Accordig", b"According"))
    with pytest.raises(InputError) as caught:
        load(project_copy)
    message = str(caught.value)
    assert "SHA-256" in message
    assert path.name in message
    assert recorded in message


def test_single_flipped_byte_is_refused(project_copy):
    (path, _), = recorded_sources(project_copy.root)
    data = bytearray(path.read_bytes())
    # An ASCII letter, so the text stays valid UTF-8 and only the checksum can notice.
    i = next(i for i in range(len(data) // 2, len(data))
             if data[i] < 128 and chr(data[i]).isalpha())
    data[i] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="SHA-256"):
        load(project_copy)


def test_missing_source_text_is_refused(project_copy):
    (path, _), = recorded_sources(project_copy.root)
    path.unlink()
    with pytest.raises(InputError, match="not found"):
        load(project_copy)
