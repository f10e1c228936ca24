"""The hand-edited tab-separated files under ``graph/source/``: one row a line, ``#`` comments.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
>>> _ = p.write_text("# a comment\\n\\nPeron\\tthe man\\n", encoding="utf-8")
>>> list(rows(p, "t.tsv"))
[(3, ['Peron', 'the man'])]
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError


def rows(path: Path, label: str, required: bool = False) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` for every row, text in NFC; a missing file has no rows unless
    ``required``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise InputError(f"{label}: file not found") from None
        return
    except UnicodeDecodeError as e:
        raise InputError(f"{label}: not UTF-8 ({e.reason} at byte {e.start})") from None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield n, unicodedata.normalize("NFC", line).split("\t")
