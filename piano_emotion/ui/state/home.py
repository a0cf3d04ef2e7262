"""Inicio: the dashboard of a chosen month."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import reflex as rx
from starlette.concurrency import run_in_threadpool

from piano_emotion.db import session_scope
from piano_emotion.domain import dashboard
from piano_emotion.domain.alerts import local_today
from piano_emotion.formatting import format_date, format_datetime, format_money, format_number
from piano_emotion.ui.i18n import CATALOGUE, translate
from piano_emotion.ui.state.auth import AuthState, page_load


def month_label(year: int, month: int, lang: str) -> str:
    return f"{translate(f'month.{month}', lang)} {year}"


MONEY_PARAMS = frozenset({"total", "amount"})


def _param(name: str, value, lang: str):
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        if name in MONEY_PARAMS:
            return format_money(value, lang)
        return format_number(value, 0 if value == value.to_integral_value() else 2, lang)
    return value


def feed_text(item: dict, lang: str) -> str:
    params = {k: _param(k, v, lang) for k, v in (item.get("params") or {}).items()}
    key = item["title_key"]
    if key not in CATALOGUE:
        return key
    try:
        return translate(key, lang, **params)
    except (KeyError, IndexError):
        return translate(key, lang)


class HomeState(AuthState):
    year: int = 0
    month: int = 0
    month_title: str = ""
    services_done: int = 0
    revenue: str = ""
    new_clients: int = 0
    new_pianos: int = 0
    series: list[dict] = []
    upcoming: list[dict] = []
    feed: list[dict] = []
    loaded: bool = False

    def _load(self) -> None:
        user = self.require_user()
        with session_scope() as session:
            data = dashboard.dashboard(session, user, self.year, self.month)
        lang = self.lang
        self.month_title = month_label(self.year, self.month, lang)
        self.services_done = data["services_done"]
        self.revenue = format_money(data["revenue"], lang)
        self.new_clients, self.new_pianos = data["new_clients"], data["new_pianos"]
        self.series = [
            {
                "label": f"{translate('month.' + str(p['month']), lang)} {str(p['year'])[2:]}",
                "services": p["services"],
                "revenue": float(p["revenue"]),
            }
            for p in data["series"]
        ]
        self.upcoming = [
            {
                "when": format_datetime(a["starts_at"]),
                "title": a["title"],
                "client_name": a["client_name"],
                "client_id": a["client_id"],
                "piano": a["piano"],
            }
            for a in data["upcoming_appointments"]
        ]
        self.feed = [
            {"text": feed_text(item, lang), "severity": item["severity"], "link": item["link"]}
            for item in data["alerts"]
        ]
        self.loaded = True

    @rx.event
    @page_load
    async def load(self, user):
        if not self.year:
            today = local_today()
            self.year, self.month = today.year, today.month
        await run_in_threadpool(self._load)

    @rx.event
    def shift_month(self, delta: int):
        month = self.year * 12 + (self.month - 1) + int(delta)
        year, month = divmod(month, 12)
        today = local_today()
        if (year, month + 1) > (today.year, today.month):
            return  # no future months
        self.year, self.month = year, month + 1
        self._load()

    @rx.event
    def this_month(self):
        today = local_today()
        self.year, self.month = today.year, today.month
        self._load()
