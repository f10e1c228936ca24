"""``peron-kg link wikidata``: check, suggest, refresh."""

from __future__ import annotations

import json
import sys

import click

from .options import project_from, root_option


@click.group("link")
def command() -> None:
    """Links from the graph to other datasets (Wikidata)."""


@command.command("wikidata")
@click.option("--check", "action", flag_value="check",
              help="Compare every link with its item: label, type, dates. Exit 1 on a mismatch.")
@click.option("--suggest", "action", flag_value="suggest",
              help="Propose candidate items for the entities without a link (writes nothing).")
@click.option("--refresh", "action", flag_value="refresh",
              help="Rebuild graph/wikidata-snapshot.ttl from the endpoint.")
@click.option("--endpoint", default=None, metavar="URL",
              help="A SPARQL endpoint with Wikidata's data, http or https. --check reads the "
                   "snapshot without it; --suggest and --refresh default to "
                   "https://query.wikidata.org/sparql.")
@click.option("--search", type=click.Choice(["auto", "mwapi", "label"]), default="auto",
              show_default=True,
              help="--suggest: Wikidata's entity search (mwapi, on query.wikidata.org) or a label "
                   "match (any endpoint); auto picks by the endpoint's host.")
@click.option("--entity", "only", multiple=True, metavar="ID",
              help="--suggest: only this entity (kind/slug or IRI; repeatable).")
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="--suggest: candidates an entity.")
@click.option("--date", "retrieved", default=None, metavar="YYYY-MM-DD",
              help="--refresh: the retrieval date to record (default: today, UTC).")
@click.option("--timeout", "timeout_s", type=click.IntRange(min=1), default=60,
              show_default=True, help="Seconds to wait for each request.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further tries after HTTP 429 or 503 (each after the Retry-After wait).")
@click.option("--max-wait", "max_wait", type=click.FloatRange(min=0), default=120,
              show_default=True, help="The longest Retry-After wait to honour, in seconds.")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json"]), default="table",
              show_default=True, help="Output format of --check and --suggest.")
@root_option
def wikidata(action: str | None, endpoint: str | None, search: str, only: tuple[str, ...],
             limit: int, retrieved: str | None, timeout_s: int, retries: int,
             max_wait: float, fmt: str, root: str | None) -> None:
    """Check the Wikidata links, suggest new ones, or refresh the snapshot.

    Requests are POSTed through SPARQLWrapper, one at a time, at most 200 QIDs each, with a
    descriptive User-Agent; HTTP 429 and 503 are retried after the Retry-After wait.
    """
    from ..engines import Retry
    from ..errors import InputError
    from ..wikidata import WDQS, Source

    if action is None:
        raise click.UsageError("say what to do: --check, --suggest or --refresh")
    project = project_from(root)
    retry = Retry(attempts=retries + 1, max_wait_s=max_wait)
    if action == "check" and endpoint is None:
        source = Source.snapshot(project)
    else:
        source = Source.endpoint(endpoint or WDQS, retry=retry, timeout=timeout_s)

    if action == "check":
        _check(project, source, fmt)
    elif action == "suggest":
        _suggest(project, source, fmt, limit=limit, search=search, only=only)
    else:
        import datetime as dt
        import re

        from ..wikidata import refresh

        day = retrieved or dt.datetime.now(dt.UTC).date().isoformat()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise InputError(f"--date {day!r}: give the day as YYYY-MM-DD")
        path, items, facts = refresh(project, source, day)
        click.echo(f"wrote {project.relative(path)}: {facts} facts about {items} items from "
                   f"{source.name} ({source.requests} requests)")


def _check(project, source, fmt: str) -> None:
    from ..wikidata import check

    findings, links = check(project, source)
    mismatches = [f for f in findings if f.mismatch]
    rows = [{"entity": f.entity, "item": f"wd:{f.qid}", "aspect": f.aspect,
             "result": "MISMATCH" if f.mismatch else "unchecked", "reason": f.reason}
            for f in findings]
    summary = (f"{links} links checked against {source.name}: {len(mismatches)} "
               f"mismatch{'es' if len(mismatches) != 1 else ''}, "
               f"{len(findings) - len(mismatches)} facts unchecked")
    _print(rows, ["entity", "item", "aspect", "result", "reason"], fmt,
           title="Wikidata links", summary=summary)
    if mismatches:
        sys.exit(1)


def _suggest(project, source, fmt: str, **kwargs) -> None:
    from ..wikidata import suggest

    found = suggest(project, source, **kwargs)
    rows = [{"entity": s.entity, "label": s.label, "candidate": f"wd:{s.qid}",
             "candidate_label": s.item_label, "description": s.description,
             "score": f"{s.score:.2f}", "why": s.why} for s in found]
    summary = (f"{len(found)} candidates from {source.name} ({source.requests} requests); "
               "nothing was written: add the links you confirm to graph/links-wikidata.ttl "
               "with their source")
    _print(rows, ["entity", "label", "candidate", "candidate_label", "description", "score",
                  "why"], fmt, title="Wikidata candidates", summary=summary)


def _print(rows: list[dict], columns: list[str], fmt: str, *, title: str, summary: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "tsv":
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(str(row[c]).replace("\t", " ") for c in columns))
    else:
        from rich.console import Console
        from rich.table import Table

        if rows:
            table = Table(*columns, title=title)
            for row in rows:
                table.add_row(*(str(row[c]) for c in columns))
            Console().print(table)
    click.echo(summary, err=fmt != "table")
