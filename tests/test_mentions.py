"""Mentions derived from labels, ambiguity overrides, and the coverage of capitalised names."""

from __future__ import annotations

import pytest

from peron_kg.errors import InputError
from peron_kg.mentions import Override, coverage, find_mentions
from peron_kg.segments import segment

TEXT = ("Juan Domingo Peron defeated the Democratic Union. Peron’s plan followed. "
        "Castillo died. The plan grew. Washington was a man. Home estimated it.")


def spans(mentions):
    return [(TEXT[m.start : m.end], m.entity) for m in mentions]


def test_longest_label_wins_and_possessives_still_match():
    labels = {"Juan Domingo Peron": {"peron"}, "Peron": {"peron"},
              "Democratic Union": {"du"}, "Union": {"other"}}
    found = spans(find_mentions(TEXT, labels, [], "t"))
    assert found == [("Juan Domingo Peron", "peron"), ("Democratic Union", "du"),
                     ("Peron", "peron")]


def test_a_span_two_entities_claim_fails_until_overridden():
    labels = {"Castillo": {"person/ramon-castillo", "regime/x"}}
    with pytest.raises(InputError, match=r"'Castillo' at offset \d+ could name"):
        find_mentions(TEXT, labels, [], "overrides.tsv")
    settled = find_mentions(
        TEXT, labels, [Override("Castillo", 1, "person/ramon-castillo", 3)], "overrides.tsv"
    )
    assert spans(settled) == [("Castillo", "person/ramon-castillo")]


def test_an_override_can_say_a_word_names_nothing():
    labels = {"Home": {"person/home"}}
    assert spans(find_mentions(TEXT, labels, [Override("Home", None, None, 1)], "t")) == []


def test_an_override_for_an_occurrence_that_does_not_exist_fails():
    with pytest.raises(InputError, match=r"overrides.tsv:7: 'Peron' occurs 2 time"):
        find_mentions(TEXT, {"Peron": {"p"}}, [Override("Peron", 3, "p", 7)], "overrides.tsv")


def test_coverage_reports_unmentioned_names_only():
    seg = segment(TEXT, [], "t")
    mentions = find_mentions(TEXT, {"Juan Domingo Peron": {"p"}, "Peron": {"p"}}, [], "t")
    result = coverage(seg, mentions, {"Home": "a surname the curators could not identify"})
    uncovered = [phrase for _, _, phrase in result.uncovered]
    # "The" stands first in its sentence and the text also writes "the": not a name.
    # "Home" is listed with a reason. The rest are names nothing covers.
    assert uncovered == ["Democratic Union", "Castillo", "Washington"]
    assert result.listed == 1 and result.sentence_initial == 1
    assert result.mentioned == 4  # Juan, Domingo, Peron, and Peron’s
    assert result.total == 4 + 1 + 1 + 4


def test_people_and_places_inside_other_names_are_mentions_too():
    text = "the congress of Panama, in New England, by Lenin and the National Question"
    labels = {
        "congress of Panama": {"x/id/event/congress"},
        "Panama": {"x/id/place/panama"},
        "New England": {"x/id/place/new-england"},
        "England": {"x/id/place/england"},
        "Lenin and the National Question": {"x/id/article/lenin"},
        "Lenin": {"x/id/person/lenin"},
    }
    found = {(text[m.start : m.end], m.entity) for m in find_mentions(text, labels, [], "t")}
    assert ("Panama", "x/id/place/panama") in found
    assert ("Lenin", "x/id/person/lenin") in found
    # The name of a place is not read as naming the places inside it.
    assert ("England", "x/id/place/england") not in found
    assert ("New England", "x/id/place/new-england") in found
