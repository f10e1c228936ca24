"""The ``peron-kg`` command line: a click group, each verb in its own module.

Only click is imported at start-up; every command imports what it needs when it runs, so
``peron-kg --help`` and ``peron-kg query`` never load pySHACL.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .commands import build, export, link, publish, queries, query, serve, stats, validate


class Group(click.Group):
    """Turns a :class:`PeronKGError` into one line on stderr and its exit status."""

    def invoke(self, ctx: click.Context):
        from .errors import PeronKGError

        try:
            return super().invoke(ctx)
        except PeronKGError as e:
            click.echo(f"peron-kg: error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peron-kg")
def main() -> None:
    """A linked-data edition of Luis Velasco, 'Peron: Argentine Sub-Imperialist' (1948).

    Works on the project in the current folder (or above it); --root names another.
    """


for command in (build.command, validate.command, query.command, queries.command,
                export.command, stats.command, serve.command, publish.command, link.command):
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
