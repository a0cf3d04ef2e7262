"""Inicio: the dashboard of a chosen month."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import reflex as rx

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


# The chart rows and feed texts of the dashboards shown lately, by technician
# and language. While a month's cached dashboard is unchanged, its decoded
# series and feed are the same objects (``dashboard.dashboard`` reads them
# shared), so the feed's dozens of texts are not formatted again on every
# visit (half of a warm dashboard's CPU, issue 9).
_VIEWS_MAX = 512
_views: OrderedDict[tuple[int, str], tuple[Any, Any, list[dict], list[dict]]] = OrderedDict()
_views_lock = threading.Lock()


def _chart_and_feed(user_id: int, data: dict, lang: str) -> tuple[list[dict], list[dict]]:
    key = (user_id, lang)
    with _views_lock:
        memo = _views.get(key)
        if memo is not None and memo[0] is data["series"] and memo[1] is data["alerts"]:
            _views.move_to_end(key)
            return memo[2], memo[3]
    series = [
        {
            "label": f"{translate('month.' + str(p['month']), lang)} {str(p['year'])[2:]}",
            "services": p["services"],
            "revenue": float(p["revenue"]),
        }
        for p in data["series"]
    ]
    feed = [
        {"text": feed_text(item, lang), "severity": item["severity"], "link": item["link"]}
        for item in data["alerts"]
    ]
    with _views_lock:
        _views[key] = (data["series"], data["alerts"], series, feed)
        _views.move_to_end(key)
        while len(_views) > _VIEWS_MAX:
            _views.popitem(last=False)
    return series, feed


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
        series, feed = _chart_and_feed(user.id, data, lang)
        self.series = list(series)
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
        self.feed = list(feed)
        self.loaded = True

    @rx.event
    @page_load
    def load(self, user):
        # On the event loop, like every page: a warm dashboard takes about a
        # millisecond, less than the two thread-pool hops it used to make.
        if not self.year:
            today = local_today()
            self.year, self.month = today.year, today.month
        self._load()

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
