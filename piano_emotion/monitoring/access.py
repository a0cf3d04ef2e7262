"""Owner-only access for the monitor's functions (checked on the server)."""

from __future__ import annotations

from piano_emotion.auth.owner import is_owner
from piano_emotion.domain.errors import Forbidden
from piano_emotion.models import User
from piano_emotion.settings import Settings


class OwnerOnly(Forbidden, PermissionError):
    """Not the platform owner: a ``PermissionError`` (the UI shows "Acceso denegado")."""


def require_owner(user: User | None, settings: Settings | None = None) -> User:
    if not is_owner(user, settings):
        raise OwnerOnly()
    return user
