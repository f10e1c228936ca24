"""Errors the CLI turns into one line on standard error and an exit status.

Exit statuses: 0 success, 1 the graph does not conform (violations), 2 unusable input or
environment (malformed file, unknown query, unreachable endpoint, unwritable path).
"""

from __future__ import annotations


class PeronKGError(Exception):
    """Base class: ``str(error)`` is the one-line message shown to the user."""

    exit_code = 2


class InputError(PeronKGError):
    """Input that cannot be used: a malformed file, an unknown name, a bad parameter."""


class EndpointError(PeronKGError):
    """A remote SPARQL endpoint that cannot be reached or answers with an error."""


class ServiceNotAllowed(InputError):
    """A query whose ``SERVICE`` clause names a host that is not on the allow-list."""


class ServerError(PeronKGError):
    """The Oxigraph server or its store could not be prepared, started or stopped."""


class OutputError(PeronKGError):
    """A path that cannot be written."""


class ValidationFailed(PeronKGError):
    """The graph parsed but does not conform; carries the report."""

    exit_code = 1

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
