"""Mentions: every place the text names an entity, and the check that none is missed.

Each entity's labels (``skos:prefLabel`` and ``skos:altLabel``; the article's own spellings
are altLabels) are looked for in the text as whole words, case-sensitive. Where matches
overlap, the longest wins ("Juan Domingo Peron" over "Peron"). A span that two entities both
claim is ambiguous and must be settled in ``graph/source/mention-overrides.tsv``.

Coverage: every capitalised word of the body must lie in a mention, stand at the start of a
sentence (or in a heading's title case) as a word the text also writes in lower case, or be
listed, with its reason, in ``graph/source/not-entities.tsv``. That list must hold no real names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .segments import Segmentation

_CAPITALISED = re.compile(r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][\w’'-]*")
_POSSESSIVE = re.compile(r"[’'](s)?$")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: str
    label: str


@dataclass(frozen=True)
class Override:
    label: str
    #: the n-th whole-word occurrence of the label in the text (1-based); None for all
    occurrence: int | None
    #: the entity meant, or None when the word there names no entity
    entity: str | None
    line: int


def read_overrides(path: Path, label: str, expand) -> list[Override]:
    """``LABEL<TAB>OCCURRENCE|*<TAB>ENTITY|-<TAB>REASON`` lines; ENTITY as an IRI or kind/slug."""
    from .tsv import rows

    found = []
    for n, parts in rows(path, label):
        if len(parts) < 4 or not parts[3].strip():
            raise InputError(f"{label}:{n}: expected LABEL<TAB>OCCURRENCE<TAB>ENTITY<TAB>REASON")
        word, occ, entity = parts[0], parts[1].strip(), parts[2].strip()
        if occ != "*" and not occ.isdigit():
            raise InputError(f"{label}:{n}: OCCURRENCE is a number or *")
        try:
            iri = None if entity == "-" else expand(entity)
        except InputError as e:
            raise InputError(f"{label}:{n}: {e}") from None
        found.append(Override(word, None if occ == "*" else int(occ), iri, n))
    return found


def read_not_entities(path: Path, label: str) -> dict[str, str]:
    """``WORDS<TAB>REASON`` lines: capitalised words that name no entity, each with a reason."""
    from .tsv import rows

    found = {}
    for n, parts in rows(path, label):
        words, reason = parts[0], "\t".join(parts[1:])
        if not words.strip() or not reason.strip():
            raise InputError(f"{label}:{n}: expected WORDS<TAB>REASON (a reason is required)")
        found[words.strip()] = reason.strip()
    return found


def whole_word_spans(text: str, label: str) -> list[int]:
    """Start offsets of ``label`` in ``text`` as a whole word.

    >>> whole_word_spans("Peron, Peronism and Peron’s plan", "Peron")
    [0, 20]
    """
    pattern = re.compile(rf"(?<![\w]){re.escape(label)}(?![\w])")
    return [m.start() for m in pattern.finditer(text)]


#: Kinds of entity whose names are also annotated inside a longer name of something else:
#: "Lenin" in the title "Lenin and the National Question", "Panama" in "the congress of
#: Panama". Concepts and organisations are not ("Trotskyism" in "Encyclopedia of Trotskyism"),
#: and nothing is inside the name of a place ("England" in "New England" is not England).
NESTED_KINDS = ("/id/person/", "/id/place/")
_PLACE = "/id/place/"


def find_mentions(
    text: str, labels: dict[str, set[str]], overrides: list[Override], where: str
) -> list[Mention]:
    """Resolve every label occurrence into mentions: the longest match wins a span, and a
    person or place named inside a longer name of another entity is a mention of its own.

    ``labels`` maps a label to the entities that carry it.

    >>> ms = find_mentions("Juan Peron met Peron.", {"Juan Peron": {"p"}, "Peron": {"p"}}, [], "t")
    >>> [(m.start, m.end, m.entity) for m in ms]
    [(0, 10, 'p'), (15, 20, 'p')]
    >>> labels = {"Lenin and the National Question": {"x/id/article/t"}, "Lenin": {"x/id/person/l"}}
    >>> [(m.start, m.entity) for m in find_mentions("Lenin and the National Question",
    ...                                              labels, [], "t")]
    [(0, 'x/id/person/l'), (0, 'x/id/article/t')]
    """
    by_label: dict[str, list[Override]] = defaultdict(list)
    for o in overrides:
        by_label[o.label].append(o)
    candidates: list[tuple[int, int, str, frozenset[str]]] = []
    for label in sorted(set(labels) | set(by_label)):
        starts = whole_word_spans(text, label)
        rules = by_label.get(label, [])
        for rule in rules:
            if rule.occurrence is not None and rule.occurrence > len(starts):
                raise InputError(
                    f"{where}:{rule.line}: {label!r} occurs {len(starts)} time(s), "
                    f"not {rule.occurrence}"
                )
        for k, start in enumerate(starts, 1):
            entities = set(labels.get(label, set()))
            for rule in rules:
                if rule.occurrence in (None, k):
                    entities = {rule.entity} if rule.entity else set()
            candidates.append((start, start + len(label), label, frozenset(entities)))
    # Longest first; a span already taken by a longer (or equal, earlier) match is dropped.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2]))
    taken: list[tuple[int, int]] = []
    chosen: list[Mention] = []
    nested: list[Mention] = []
    for start, end, label, entities in candidates:
        if any(start < e and s < end for s, e in taken):
            inside = [m for m in chosen if m.start <= start and end <= m.end]
            if (len(entities) == 1 and inside and (entity := next(iter(entities))) not in
                    {m.entity for m in inside} and any(k in entity for k in NESTED_KINDS)
                    and not any(_PLACE in m.entity for m in inside)):
                nested.append(Mention(start, end, entity, label))
            continue
        taken.append((start, end))
        if not entities:
            continue  # an override says this word names nothing
        if len(entities) > 1:
            raise InputError(
                f"{where}: {label!r} at offset {start} could name "
                f"{', '.join(sorted(entities))}; settle it in mention-overrides.tsv"
            )
        chosen.append(Mention(start, end, next(iter(entities)), label))
    return sorted(chosen + nested, key=lambda m: (m.start, m.end, m.entity))


@dataclass
class Coverage:
    #: capitalised words in the body
    total: int = 0
    #: of which inside a mention
    mentioned: int = 0
    #: of which sentence-initial words the text also writes in lower case
    sentence_initial: int = 0
    #: of which listed in not-entities.tsv
    listed: int = 0
    #: runs of capitalised words that nothing accounts for: (start, end, text)
    uncovered: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Share of the body's capitalised words accounted for (1.0 when all are)."""
        if not self.total:
            return 1.0
        return (self.total - sum(len(t.split()) for _, _, t in self.uncovered)) / self.total

    @property
    def mention_ratio(self) -> float:
        """Share of the capitalised words that are not listed as non-entities which a mention
        covers: the figure that says how complete the graph's entities are."""
        candidates = self.total - self.sentence_initial - self.listed
        return self.mentioned / candidates if candidates else 1.0


_ENUMERATOR = re.compile(r"\(\d+\)$")


def _sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence: after . ! ? : or a line break, past any
    quotation marks and brackets, or after an enumerator such as "(2)".

    >>> t = "He left.” They stayed. (2) The end. (My note)"
    >>> [_sentence_initial(t, t.index(w)) for w in ("They", "The", "My", "He")]
    [True, True, True, True]
    """
    before = text[max(0, start - 200) : start].rstrip(" \u00a0“”‘’\"'([)]")
    if not before or _ENUMERATOR.search(text[max(0, start - 200) : start].rstrip()):
        return True
    return before[-1] in ".!?:\n" or before.endswith("...")


def coverage(seg: Segmentation, mentions: list[Mention], not_entities: dict[str, str]) -> Coverage:
    """Check every capitalised word of the body against the mentions and the list."""
    text = seg.text
    lower_words = set(re.findall(r"(?<![\w’'-])[a-zà-ÿ][\w’'-]*", text))
    spans = sorted((m.start, m.end) for m in mentions)
    starts = [s for s, _ in spans]
    import bisect

    def mentioned(a: int, b: int) -> bool:
        i = bisect.bisect_right(starts, a) - 1
        return i >= 0 and spans[i][0] <= a and b <= spans[i][1]

    result = Coverage()

    def flush(run: list[tuple[int, int]]) -> None:
        """Account for a run of capitalised words that no mention covers."""
        if not run:
            return
        a, b = run[0][0], run[-1][1]
        phrase = text[a:b]
        words = [text[s:e] for s, e in run]
        if phrase in not_entities or all(w in not_entities for w in words):
            result.listed += len(run)
        else:
            result.uncovered.append((a, b, phrase))
        run.clear()

    for block in seg.body():
        run: list[tuple[int, int]] = []
        for m in _CAPITALISED.finditer(text, block.start, block.end):
            a, b = m.start(), m.end()
            word = _POSSESSIVE.sub("", m.group())
            b = a + len(word)  # "Peron’s" is covered by a mention of "Peron"
            result.total += 1
            if mentioned(a, b):
                result.mentioned += 1
                flush(run)
                continue
            # Sentence-initial words, and the title case of headings, are common words when
            # the text also writes them in lower case.
            opening = block.kind == "heading" or _sentence_initial(text, a)
            if opening and word.lower() in lower_words:
                result.sentence_initial += 1
                flush(run)
                continue
            if run and text[run[-1][1] : a].strip():
                flush(run)
            run.append((a, b))
        flush(run)
    return result
