"""Print query results as a rich table, CSV, TSV or SPARQL 1.1 JSON.

>>> from peron_kg.engines import Result
>>> r = Result("select", ["name"], [{"name": {"type": "literal", "value": "Abe Stein"}}])
>>> to_csv(r)
'name\\r\\nAbe Stein\\r\\n'
>>> to_tsv(r)
'?name\\n"Abe Stein"\\n'
"""

from __future__ import annotations

import csv
import io
import json

from .engines import Result, Term
from .namespaces import compact

FORMATS = ("table", "csv", "tsv", "json")
#: Above this many columns, a table shows each row as its own two-column table.
RECORD_VIEW_COLUMNS = 5


def term_ntriples(term: Term) -> str:
    """A term in the N-Triples form that SPARQL TSV results use."""
    from .engines import term_to_sparql

    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term_to_sparql(term).replace("\t", "\\t")


def term_plain(term: Term) -> str:
    """A term as SPARQL CSV results write it: IRIs and lexical forms, bare."""
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term["value"]


def term_display(term: Term) -> str:
    """A term for people: compact IRIs, literals with their language."""
    if term["type"] == "uri":
        return compact(term["value"])
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    if "xml:lang" in term:
        return f"{term['value']} @{term['xml:lang']}"
    return term["value"]


def to_json(result: Result) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def to_csv(result: Result) -> str:
    if result.kind == "ask":
        return f"boolean\r\n{str(bool(result.boolean)).lower()}\r\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([term_plain(row[v]) if v in row else "" for v in result.variables])
    return out.getvalue()


def to_tsv(result: Result) -> str:
    if result.kind == "ask":
        return f"?boolean\n{str(bool(result.boolean)).lower()}\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(term_ntriples(row[v]) if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def print_table(result: Result, console=None, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if result.kind == "ask":
        console.print("yes" if result.boolean else "no")
        return
    if len(result.variables) > RECORD_VIEW_COLUMNS:
        # Too many columns to read side by side: one two-column table per row instead.
        for i, row in enumerate(result.rows, 1):
            table = Table(title=f"{title} ({i})" if title else None, show_header=False)
            table.add_column("variable", style="bold")
            table.add_column("value", overflow="fold")
            for v in result.variables:
                table.add_row(v, term_display(row[v]) if v in row else "")
            console.print(table)
    else:
        table = Table(title=title, show_lines=False)
        for v in result.variables:
            table.add_column(v, overflow="fold")
        for row in result.rows:
            table.add_row(*(term_display(row[v]) if v in row else "" for v in result.variables))
        console.print(table)
    console.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}")


def render(result: Result, fmt: str) -> str | None:
    """The result as text in ``fmt``; ``None`` for ``table``, which prints itself."""
    if result.kind == "graph":
        return result.ntriples
    return {"csv": to_csv, "tsv": to_tsv, "json": to_json}.get(fmt, lambda r: None)(result)
