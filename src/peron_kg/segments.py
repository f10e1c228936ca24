"""Cutting the source text into its sections and blocks (paragraphs, headings, apparatus).

Blocks are the runs of text between blank lines. ``graph/source/structure.tsv`` says which
blocks are section headings, the article's title, the footnote, or apparatus (navigation,
masthead and credit lines of the ETOL page); every other block is a paragraph of the body.
Offsets count Unicode code points of the NFC text; ``end`` is exclusive.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

KINDS = ("apparatus", "title", "section", "footnote")
_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")


@dataclass(frozen=True)
class Block:
    order: int
    start: int
    end: int
    #: paragraph, heading or apparatus
    kind: str
    #: order of the section it belongs to; None for apparatus
    section: int | None


@dataclass(frozen=True)
class Section:
    order: int
    slug: str
    title: str
    start: int
    end: int


@dataclass
class Segmentation:
    text: str
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def block_at(self, offset: int) -> Block | None:
        """The block that contains ``offset``, if any (blank lines belong to none)."""
        i = bisect.bisect_right([b.start for b in self.blocks], offset) - 1
        if i >= 0 and self.blocks[i].start <= offset < self.blocks[i].end:
            return self.blocks[i]
        return None

    def body(self) -> list[Block]:
        """The blocks of the article itself: paragraphs and headings, not apparatus."""
        return [b for b in self.blocks if b.kind != "apparatus"]

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


def slugify(text: str) -> str:
    """A readable ASCII slug.

    >>> slugify("Argentina’s “Sub-Imperialism”")
    'argentinas-sub-imperialism'
    >>> slugify("Did Peron Make a Revolution?")
    'did-peron-make-a-revolution'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def read_structure(path: Path, label: str) -> list[tuple[str, str, int]]:
    """``(kind, text, line number)`` for each entry of the structure file."""
    from .tsv import rows

    entries = []
    for n, fields in rows(path, label, required=True):
        kind, text = fields[0], fields[1] if len(fields) > 1 else ""
        if kind not in KINDS or not text:
            raise InputError(
                f"{label}:{n}: expected KIND<TAB>TEXT[<TAB>NOTE], KIND one of {', '.join(KINDS)}"
            )
        entries.append((kind, text, n))
    return entries


def segment(text: str, structure: list[tuple[str, str, int]], label: str) -> Segmentation:
    """Blocks and sections of ``text`` as the structure entries describe them.

    >>> s = segment("Nav\\n\\nTitle\\n\\nOne.\\n\\nHead\\n\\nTwo.",
    ...             [("apparatus", "Nav", 1), ("title", "Title", 2), ("section", "Head", 3)], "t")
    >>> [(b.kind, b.section) for b in s.blocks]
    [('apparatus', None), ('heading', 0), ('paragraph', 0), ('heading', 1), ('paragraph', 1)]
    >>> [(x.slug, x.start, x.end) for x in s.sections]
    [('opening', 5, 16), ('head', 18, 28)]
    """
    used: set[int] = set()
    raw = []
    for m in _BLOCK.finditer(text):
        block_text = m.group()
        kind = "paragraph"
        for entry_kind, entry_text, n in structure:
            whole = entry_kind in ("section", "title")
            if (block_text == entry_text) if whole else block_text.startswith(entry_text):
                kind = entry_kind
                used.add(n)
                break
        raw.append((m.start(), m.end(), kind, block_text))
    stale = [n for _, _, n in structure if n not in used]
    if stale:
        raise InputError(
            f"{label}:{stale[0]}: entry matches no block of the source text; fix or remove it"
        )

    seg = Segmentation(text)
    titles: list[tuple[str, str]] = [("opening", "Opening (untitled)")]
    current = 0
    started = False
    for order, (start, end, kind, block_text) in enumerate(raw, 1):
        if kind == "section":
            current = len(titles)
            titles.append((slugify(block_text), block_text))
        elif kind == "footnote":
            current = len(titles)
            number = block_text.split(".", 1)[0].strip()
            titles.append((f"footnote-{slugify(number)}", f"Footnote {number}"))
        if kind != "apparatus":
            started = True
        if kind == "apparatus":
            seg.blocks.append(Block(order, start, end, "apparatus", None))
        else:
            block_kind = "heading" if kind in ("section", "title") else "paragraph"
            seg.blocks.append(Block(order, start, end, block_kind, current if started else 0))
    for i, (slug, title) in enumerate(titles):
        members = [b for b in seg.blocks if b.section == i]
        if not members:
            continue
        seg.sections.append(Section(i, slug, title, members[0].start, members[-1].end))
    return seg
