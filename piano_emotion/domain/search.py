"""The top bar's global search: the technician's clients, pianos, services and
invoices matching what is typed, grouped by kind.

Matching is accent- and case-free (the ``search_text`` columns, see
``text.normalise_search_text``): every word typed must appear. Results go
through the cache (entity ``search``) and depend on every collection they
show, so any write to one of them hides the cached results.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from piano_emotion.domain.cached import cached_read
from piano_emotion.domain.listing import like_pattern, search_filter
from piano_emotion.models import Client, Invoice, Piano, Service, User
from piano_emotion.text import normalise_search_text
from piano_emotion.ui import routes

KINDS = ("clients", "pianos", "services", "invoices")
MIN_LENGTH = 2
MAX_WORDS = 8
MAX_TERM = 100
MAX_PER_KIND = 20
SEARCH_READS = ("clients", "pianos", "services", "invoices")


def search_term(text: str | None) -> str:
    """What is searched for: accent-free, lower-case, at most 8 words."""
    return " ".join(normalise_search_text(text or "")[:MAX_TERM].split()[:MAX_WORDS])


def empty_result() -> dict[str, list[dict[str, Any]]]:
    return {kind: [] for kind in KINDS}


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def _result(kind: str, record_id: int, title: str, subtitle: str, link: str, **extra: Any):
    return {
        "kind": kind,
        "id": record_id,
        "title": title,
        "subtitle": subtitle,
        "link": link,
        **extra,
    }


def _clients(session: Session, user: User, term: str, limit: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Client)
        .where(Client.technician_id == user.id, search_filter(Client.search_text, term))
        .order_by(Client.archived, Client.name, Client.id)
        .limit(limit)
    ).all()
    return [
        _result(
            "clients",
            c.id,
            c.name,
            _join(c.city, c.phone, c.email),
            routes.client_detail(c.id),
            archived=c.archived,
        )
        for c in rows
    ]


def _pianos(session: Session, user: User, term: str, limit: int) -> list[dict[str, Any]]:
    # Piano.search_text holds brand, model, serial number and the owner's name.
    rows = session.exec(
        select(Piano, Client.name)
        .join(Client, Client.id == Piano.client_id)
        .where(
            Piano.technician_id == user.id,
            Client.technician_id == user.id,
            search_filter(Piano.search_text, term),
        )
        .order_by(Piano.archived, Piano.brand, Piano.model, Piano.id)
        .limit(limit)
    ).all()
    return [
        _result(
            "pianos",
            p.id,
            f"{p.brand} {p.model}".strip(),
            _join(owner, p.serial_number),
            routes.piano_detail(p.id),
            archived=p.archived,
            serial_number=p.serial_number,
        )
        for p, owner in rows
    ]


def _services(session: Session, user: User, term: str, limit: int) -> list[dict[str, Any]]:
    # Every word in the piano (brand, model, serial, owner) or the client served.
    filters = [
        Service.technician_id == user.id,
        Piano.technician_id == user.id,
        Client.technician_id == user.id,
    ]
    for word in term.split():
        pattern = like_pattern(word)
        filters.append(
            sa.or_(
                Piano.search_text.like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    rows = session.exec(
        select(Service, Piano.brand, Piano.model, Client.name)
        .join(Piano, Piano.id == Service.piano_id)
        .join(Client, Client.id == Service.client_id)
        .where(*filters)
        .order_by(Service.service_date.desc(), Service.created_at.desc(), Service.id.desc())
        .limit(limit)
    ).all()
    return [
        _result(
            "services",
            s.id,
            client_name,
            f"{brand} {model}".strip(),
            routes.service_detail(s.id),
            service_type=s.service_type.value,
            status=s.status.value,
            service_date=s.service_date,
        )
        for s, brand, model, client_name in rows
    ]


def _invoices(session: Session, user: User, term: str, limit: int) -> list[dict[str, Any]]:
    # Every word in the number or the client's name (current or as issued).
    filters = [Invoice.technician_id == user.id, Client.technician_id == user.id]
    for word in term.split():
        pattern = like_pattern(word)
        filters.append(
            sa.or_(
                sa.func.lower(sa.func.coalesce(Invoice.number, "")).like(pattern, escape="\\"),
                Client.search_text.like(pattern, escape="\\"),
            )
        )
    rows = session.exec(
        select(Invoice, Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(*filters)
        .order_by(Invoice.issue_date.desc(), Invoice.created_at.desc(), Invoice.id.desc())
        .limit(limit)
    ).all()
    return [
        _result(
            "invoices",
            i.id,
            i.number or "",
            i.client_name or client_name,
            f"{routes.INVOICES}/{i.id}",
            status=i.status.value,
            issue_date=i.issue_date,
            total=i.total,
        )
        for i, client_name in rows
    ]


def _search(session: Session, user: User, term: str, limit: int) -> dict[str, Any]:
    return {
        "clients": _clients(session, user, term, limit),
        "pianos": _pianos(session, user, term, limit),
        "services": _services(session, user, term, limit),
        "invoices": _invoices(session, user, term, limit),
    }


def global_search(
    session: Session, user: User, text: str | None, limit_per_kind: int = 5
) -> dict[str, list[dict[str, Any]]]:
    """``{clients, pianos, services, invoices}``: up to ``limit_per_kind`` of the
    technician's records of each kind matching ``text`` (every word, accents
    and case ignored), each ``{kind, id, title, subtitle, link, …}``.

    Fewer than two characters searches nothing (empty groups).
    """
    term = search_term(text)
    if len(term) < MIN_LENGTH:
        return empty_result()
    try:
        limit = min(max(int(limit_per_kind), 1), MAX_PER_KIND)
    except (TypeError, ValueError):
        limit = 5
    return cached_read(
        user,
        "search",
        "global",
        {"q": term, "limit": limit},
        lambda: _search(session, user, term, limit),
        depends_on=SEARCH_READS,
    )
