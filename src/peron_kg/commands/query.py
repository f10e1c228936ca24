"""``peron-kg query``."""

from __future__ import annotations

import click

from .options import project_from, root_option


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r}: write name=value", param_hint="--param")
        params[name.strip()] = value
    return params


@click.command("query")
@click.argument("name_or_file")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of the query (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True, help="Output format.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph",
              show_default=True, help="In-process engine.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Run on a remote SPARQL 1.1 endpoint (http or https) instead.")
@click.option("--allow-service", "allow_services", multiple=True, metavar="HOST",
              help="A host that a SERVICE clause may call from the in-process engines "
                   "(repeatable; replaces the default, query.wikidata.org).")
@root_option
def command(name_or_file: str, params: tuple[str, ...], fmt: str, engine: str,
            endpoint: str | None, allow_services: tuple[str, ...], root: str | None) -> None:
    """Run a stored query (by name) or a .rq file."""
    from ..engines import DEFAULT_SERVICE_HOSTS, run
    from ..queries import find_query
    from ..results import print_table, render

    project = project_from(root)
    stored = find_query(project, name_or_file)
    assembled = None
    if not endpoint:
        from ..loading import load

        assembled = load(project)
    result = run(stored, engine=engine, assembled=assembled, endpoint=endpoint,
                 params=_params(params), allow_services=allow_services or DEFAULT_SERVICE_HOSTS)
    text = render(result, fmt)
    if text is None:
        print_table(result, title=stored.summary or stored.name)
    else:
        click.echo(text, nl=False)
