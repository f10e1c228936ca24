"""Write graph/wikidata-snapshot.ttl from the reviewed, sourced facts of
notes/wikidata-snapshot-sources.tsv.

The machines of this project have no internet, so the snapshot was first built by hand: every
fact was found in a stored public file or page that names the item, and copied with an excerpt
of that source as evidence (the TSV keeps both). This script only turns the TSV into Turtle with
the same writer as ``peron-kg link wikidata --refresh``, so both snapshots look alike. A user
with the network can replace it with ``peron-kg link wikidata --refresh``.

    python scripts/wikidata_snapshot.py            # rewrite graph/wikidata-snapshot.ttl
    python scripts/wikidata_snapshot.py --check    # exit 1 if the file is not what the TSV gives
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from peron_kg.atomic import atomic_write_bytes  # noqa: E402
from peron_kg.tsv import rows  # noqa: E402
from peron_kg.wikidata import Fact, SnapshotSource, snapshot_turtle  # noqa: E402

TSV = ROOT / "notes" / "wikidata-snapshot-sources.tsv"
OUT = ROOT / "graph" / "wikidata-snapshot.ttl"
#: The day the stored copies were read.
RETRIEVED = "2026-11-27"
FACT_NAMES = {"label": "label", "alias": "alias", "description": "description",
              "sitelink": "sitelink"}

COMMENT = f"""\
A snapshot of Wikidata for the items the graph links to (and the classes their types name).
Written by scripts/wikidata_snapshot.py from notes/wikidata-snapshot-sources.tsv, which keeps,
for every fact, its source and an excerpt of it. The machines of this project have no internet:
every fact here was read on {RETRIEVED} in a stored copy of a public file or page that names
the item (a Wikidata-derived data file, a SPARQL result, or for dates an encyclopedia page),
never from memory. Facts that no source gave are left out, not guessed.
Each fact is stated as Wikidata states it (rdfs:label, skos:altLabel, schema:description with
http://schema.org/, wdt:P31, wdt:P569, wdt:P570, and an English Wikipedia article's schema:about
and schema:name) and again as an rdf:Statement whose prov:wasDerivedFrom names its source
(pr:P854 reference URL, pr:P813 retrieved).
'peron-kg link wikidata --refresh' rebuilds this file from a live endpoint."""


def source_url(raw: str) -> str:
    """A browsable URL for ``github:OWNER/REPO/PATH@COMMIT``, or the URL itself.

    >>> source_url("github:a/b/c d/e,f.md@0123")
    'https://github.com/a/b/blob/0123/c%20d/e%2Cf.md'
    """
    m = re.fullmatch(r"github:([^/]+)/([^/]+)/(.+)@([0-9a-f]{4,40})", raw.strip())
    if not m:
        if not re.match(r"^https?://", raw.strip()):
            raise ValueError(f"not a source: {raw!r}")
        return raw.strip()
    owner, repo, path, commit = m.groups()
    return f"https://github.com/{owner}/{repo}/blob/{commit}/{quote(path, safe='/')}"


def slug_of(url: str) -> str:
    """A short, stable name for a source.

    >>> slug_of("https://github.com/a/b/blob/0123/x/y.md")
    'github-a-b-y-md-...'
    """
    m = re.match(r"https://github\.com/([^/]+)/([^/]+)/blob/[^/]+/(.+)", url)
    if m:
        stem = f"github-{m[1]}-{m[2]}-{m[3].rsplit('/', 1)[-1]}"
    else:
        stem = re.sub(r"^https?://(www\.)?", "", url)
    stem = re.sub(r"%[0-9A-Fa-f]{2}", "-", stem)
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60].strip("-")
    return f"{stem}-{hashlib.sha256(url.encode()).hexdigest()[:6]}"


def read(tsv: Path = TSV) -> tuple[list[Fact], list[SnapshotSource]]:
    facts, sources = [], {}
    header = None
    for n, fields in rows(tsv, str(tsv.relative_to(ROOT)), required=True):
        if header is None:
            header = fields
            continue
        rec = dict(zip(header, fields, strict=False))
        url = source_url(rec["source"])
        slug = slug_of(url)
        sources.setdefault(slug, SnapshotSource(slug, url, RETRIEVED))
        kind = rec["fact"]
        name, _, lang = kind.partition("-")
        if name in FACT_NAMES:
            fact = Fact(rec["qid"], FACT_NAMES[name], rec["value"], lang or rec.get("lang", ""),
                        [slug])
        elif kind in ("P31", "P279", "P569", "P570"):
            fact = Fact(rec["qid"], kind, rec["value"], "", [slug])
        else:
            raise SystemExit(f"{tsv}:{n}: unknown fact {kind!r}")
        facts.append(fact)
    return facts, sorted(sources.values(), key=lambda s: s.slug)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args()
    facts, sources = read()
    text = snapshot_turtle(facts, sources, comment=COMMENT, created=RETRIEVED)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if same else 'differs from the TSV'}")
        return 0 if same else 1
    atomic_write_bytes(OUT, text.encode("utf-8"))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(facts)} facts from {len(sources)} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
