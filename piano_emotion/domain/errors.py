"""Errors the domain layer raises; the UI turns their keys into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can understand: ``key`` is a translation key."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(DomainError):
    """The record does not exist *for this technician*.

    Asking for another technician's record raises exactly this, so that
    nothing tells whether the id exists elsewhere.
    """

    def __init__(self, what: str = "record") -> None:
        super().__init__("error.not_found", what=what)
        self.what = what


class ValidationFailed(DomainError):
    """Bad input: ``fields`` maps a field name to a translation key."""

    def __init__(self, fields: dict[str, str], **params: object) -> None:
        super().__init__("error.validation", **params)
        self.fields = fields


class Forbidden(DomainError):
    """An action reserved to the platform owner."""

    def __init__(self) -> None:
        super().__init__("error.forbidden")
