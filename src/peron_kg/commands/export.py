"""``peron-kg export``."""

from __future__ import annotations

import click

from .options import project_from, root_option


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq", "xml"]),
              default="ttl", show_default=True, help="Serialisation.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="File to write (default: standard output).")
@root_option
def command(fmt: str, output: str | None, root: str | None) -> None:
    """Write the whole graph in one format (TriG and N-Quads keep the named graphs)."""
    from pathlib import Path

    from ..atomic import atomic_write_bytes
    from ..export import load_context, serialize
    from ..loading import load

    project = project_from(root)
    data = serialize(load(project), fmt, load_context(project.context_file))
    if output is None or output == "-":
        click.get_binary_stream("stdout").write(data)
    else:
        atomic_write_bytes(Path(output), data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
