"""The few error types the archive raises. Each message says what the user can do about it.

Errors about one input (`BadInputError`) or one request parameter (`InvalidRequestError`) keep the input or
parameter apart from the reason, so each edge can name it its own way: the CLI says `--date-from` where the
API says `date_from`, and an ingest report lists the file once, beside its reason.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class: anything the CLI prints as a message and the web app turns into a JSON error."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInputError(ArchiveError):
    """A file or record that cannot be ingested: reported and skipped, never half-ingested."""

    status = 400

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}" if origin else reason)
        self.origin = origin
        self.reason = reason


class InvalidRequestError(ArchiveError):
    """A query or parameter the archive cannot answer as asked.

    `param` names the parameter at fault (API spelling, e.g. `date_from`); the message starts with it, and
    `reason` is the rest, so the CLI can put its flag name in front instead.
    """

    status = 400

    def __init__(self, message: str, param: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.param = param
        self.reason = reason

    @classmethod
    def about(cls, param: str, reason: str) -> InvalidRequestError:
        """An error about one parameter: "`param` `reason`", e.g. "k must be between 1 and 100, got 0"."""
        return cls(f"{param} {reason}", param=param, reason=reason)

    def naming(self, names: dict[str, str]) -> str:
        """The message with the parameter called by another name (the CLI's `--date-from` for `date_from`)."""
        if self.param is None or self.reason is None or self.param not in names:
            return self.message
        return f"{names[self.param]} {self.reason}"


class NotFoundError(ArchiveError):
    status = 404


class IndexMismatchError(ArchiveError):
    """The index on disk was built differently (another model, another chunker) from what this process uses."""

    status = 503


class IndexMissingError(ArchiveError):
    status = 503


class WriterBusyError(ArchiveError):
    """Another ingest, rebuild or remove holds the archive's write lock."""

    status = 409


class UnauthorizedError(ArchiveError):
    """A write request without the right token (the server has one configured)."""

    status = 401


class ForbiddenError(ArchiveError):
    """Writes are switched off on this server."""

    status = 403


class SettingsError(ArchiveError):
    """A setting (environment variable or flag) with a value the archive does not accept."""
