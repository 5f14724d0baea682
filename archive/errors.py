"""The few error types the archive raises. Each message says what the user can do about it."""


class ArchiveError(Exception):
    """Base class: anything the CLI prints as a message and the web app turns into a JSON error."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInputError(ArchiveError):
    """A file or record that cannot be ingested: reported and skipped, never half-ingested."""

    status = 400


class InvalidRequestError(ArchiveError):
    """A query or parameter the archive cannot answer as asked."""

    status = 400


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


class ForbiddenError(ArchiveError):
    status = 403
