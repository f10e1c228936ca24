"""Cutting the article into sections and blocks, checked against the text itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from peron_kg.errors import InputError
from peron_kg.segments import read_structure, segment

REPO = Path(__file__).resolve().parent.parent
TEXT = (REPO / "graph/source/velasco-1948-peron-argentine-sub-imperialist.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def seg():
    path = REPO / "graph/source/structure.tsv"
    return segment(TEXT, read_structure(path, "structure.tsv"), "structure.tsv")


def test_sections_are_the_articles_headings_in_order(seg):
    titles = [s.title for s in seg.sections]
    assert titles == [
        "Opening (untitled)",
        "Structural Changes in Latin America",
        "Peron’s Plan",
        "Did Peron Make a Revolution?",
        "“Socialism in Due Time”",
        "Change in Argentina and Brazil",
        "Nature of Peron’s Dictatorship",
        "Argentina’s “Sub-Imperialism”",
        "Against ALL Imperialism",
        "Footnote 1",
    ]


def test_sections_hold_their_first_and_last_paragraphs(seg):
    by_slug = {s.slug: s for s in seg.sections}
    plan = by_slug["perons-plan"]
    assert TEXT[plan.start :].startswith("Peron’s Plan\n\nThe “grey eminence”")
    # The text has non-breaking spaces in "No. 3, p. 47".
    assert TEXT[: plan.end].endswith("its old patriarchal form.” (V. Guerrero, Continental Policy, "
                                     "Octubre, No.\u00a03, p.\u00a047)")
    footnote = by_slug["footnote-1"]
    assert TEXT[footnote.start :].startswith("1. The fact is established")
    assert TEXT[: footnote.end].endswith("we have semi-colonial countries like Peru, Bolivia, etc.")


def test_navigation_and_credit_lines_are_apparatus_not_body(seg):
    apparatus = [TEXT[b.start : b.end] for b in seg.blocks if b.kind == "apparatus"]
    assert apparatus[0] == "Main NI Index | Main Newspaper Index"
    assert any(a.startswith("From The New International") for a in apparatus)
    assert apparatus[-1] == "Last updated on 25 June 2017"
    body = " ".join(seg.block_text(b) for b in seg.body())
    assert "Main NI Index" not in body and "Transcribed & marked up" not in body
    assert "Latin America is undergoing a profound" in body


def test_blocks_are_exact_slices_in_order(seg):
    starts = [b.start for b in seg.blocks]
    assert starts == sorted(starts)
    assert all("\n\n" not in seg.block_text(b) for b in seg.blocks)
    assert seg.block_at(seg.blocks[5].start + 3) == seg.blocks[5]
    assert seg.block_at(seg.blocks[0].end) is None  # the blank line after a block is in none


def test_a_stale_structure_entry_fails_the_build():
    with pytest.raises(InputError, match=r"structure.tsv:2: entry matches no block"):
        segment(TEXT, [("section", "Structural Changes in Latin America", 1),
                       ("section", "A Heading The Article Lacks", 2)], "structure.tsv")
