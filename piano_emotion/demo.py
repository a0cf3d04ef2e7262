"""Demo data: realistic Spanish data for N technicians.

    python -m piano_emotion.demo [--technicians N] [--database-url URL]
                                 [--seed S] [--password PW] [--quiet]

Applies the migrations, then gives each demo technician
(``tecnico<i>@demo.pianoemotion.es``) the data of a real one (DOMAIN.md
sizes: 300 clients, 690 pianos, 1,600 services, 330 invoices, plus rates,
stock, agenda, reminders and quotes). Running it again changes nothing: a
technician that already has data is reported as already present. The data
depends only on the seed and the day it is loaded (except the payment-link
tokens, which are secrets and always random).

Rows are written with bulk ``INSERT``s, one transaction per technician. Ids
are never assigned here nor derived from insertion order (TiDB ids are not
ordered): each parent table is read back by ``created_at``, which the
generator makes unique per technician and table.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from piano_emotion import demo_data as data
from piano_emotion.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, normalise_email
from piano_emotion.models import (
    Appointment,
    BusinessInfo,
    Client,
    DocumentCounter,
    InventoryItem,
    Invoice,
    InvoiceLine,
    MaintenanceSettings,
    Piano,
    Quote,
    QuoteLine,
    Reminder,
    Service,
    ServiceMaterial,
    ServiceRate,
    ServiceTask,
    StockMovement,
    User,
)
from piano_emotion.models.billing import DEFAULT_TAX_RATE
from piano_emotion.models.enums import (
    AppointmentStatus,
    ClientType,
    DocumentKind,
    InvoiceStatus,
    LineKind,
    PaymentMethod,
    PianoCategory,
    PianoCondition,
    PianoType,
    QuoteStatus,
    ReminderSource,
    ReminderType,
    ServiceStatus,
    ServiceType,
    StockMovementReason,
)
from piano_emotion.models.types import utcnow
from piano_emotion.text import normalise_search_text

DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "PianoDemo2026!"
DEMO_EMAIL_DOMAIN = "demo.pianoemotion.es"
MADRID = ZoneInfo("Europe/Madrid")
CENT = Decimal("0.01")
HISTORY_DAYS = 3 * 365

# Per technician (DOMAIN.md "Realistic size").
CLIENTS = 300
PIANOS = 690
SERVICES = 1600
INVOICES = 330
APPOINTMENTS = 60
REMINDERS = 40
QUOTES = 20

CLIENT_TYPE_COUNTS: tuple[tuple[ClientType, int], ...] = (
    (ClientType.PARTICULAR, 204),
    (ClientType.STUDENT, 36),
    (ClientType.PROFESSIONAL, 30),
    (ClientType.MUSIC_SCHOOL, 18),
    (ClientType.CONSERVATORY, 6),
    (ClientType.CONCERT_HALL, 6),
)
INSTITUTIONS = frozenset(
    {ClientType.MUSIC_SCHOOL, ClientType.CONSERVATORY, ClientType.CONCERT_HALL}
)
# Future work: within the next 30 days (each with an appointment) and later.
PENDING_SOON = 28
PENDING_LATER = 8
IN_PROGRESS = 3
COMPLETED_APPOINTMENTS = 28
# Invoice statuses (sum = INVOICES); "overdue" are sent invoices past their due date.
INVOICE_MIX = {"draft": 8, "sent": 14, "overdue": 9, "cancelled": 7, "paid": 292}
QUOTE_MIX = {
    QuoteStatus.DRAFT: 3,
    QuoteStatus.SENT: 4,
    QuoteStatus.ACCEPTED: 2,
    QuoteStatus.REJECTED: 3,
    QuoteStatus.EXPIRED: 3,
}
CONVERTED_QUOTES = 5
DUE_SERVICE_REMINDERS = 10
# Manual reminders: done, overdue and upcoming (with the above, REMINDERS in all).
MANUAL_REMINDERS = (("done", 12), ("overdue", 6), ("upcoming", 12))
assert sum(n for _, n in CLIENT_TYPE_COUNTS) == CLIENTS
assert sum(INVOICE_MIX.values()) == INVOICES
assert DUE_SERVICE_REMINDERS + sum(n for _, n in MANUAL_REMINDERS) == REMINDERS

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
# Spanish national holidays with a fixed date (no visits on them).
NATIONAL_HOLIDAYS = frozenset(
    {(1, 1), (1, 6), (5, 1), (8, 15), (10, 12), (11, 1), (12, 6), (12, 8), (12, 25)}
)
_T = PianoType


@dataclass
class DemoAccount:
    """A login the demo data can be explored with."""

    email: str
    password: str
    name: str
    # True: this call loaded it (for a demo technician, also when the account
    # existed without data; its password is then left as it was).
    # False: it was already present and nothing was changed.
    created: bool


# --- Small helpers --------------------------------------------------------------


def demo_email(index: int) -> str:
    return f"tecnico{index}@{DEMO_EMAIL_DOMAIN}"


def demo_name(index: int) -> str:
    names = data.TECHNICIAN_NAMES
    base = names[(index - 1) % len(names)]
    if index > len(names):
        base = f"{base.split()[0]} {data.SURNAMES[(index * 7) % len(data.SURNAMES)]}"
    return f"{base} (demo)"


def line_amounts(
    quantity: Decimal, unit_price: Decimal, discount_pct: Decimal, tax_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Net, tax and total of one line, each rounded half-up to cents (DOMAIN.md)."""
    net = (quantity * unit_price * (1 - discount_pct / 100)).quantize(CENT, ROUND_HALF_UP)
    tax = (net * tax_rate / 100).quantize(CENT, ROUND_HALF_UP)
    return net, tax, net + tax


def nif(number: int) -> str:
    """A Spanish NIF (DNI number plus its check letter)."""
    return f"{number:08d}{NIF_LETTERS[number % 23]}"


def cif(letter: str, digits: str) -> str:
    """A Spanish CIF: organisation letter, 7 digits and the control character."""
    total = 0
    for position, char in enumerate(digits, start=1):
        value = int(char)
        if position % 2:  # odd positions are doubled, digits summed
            value *= 2
            value = value // 10 + value % 10
        total += value
    control = (10 - total % 10) % 10
    if letter in "PQRSNW":
        return f"{letter}{digits}{'JABCDEFGHI'[control]}"
    return f"{letter}{digits}{control}"


def _ccc_digit(digits: str) -> str:
    weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
    value = 11 - sum(int(d) * w for d, w in zip(digits.zfill(10), weights, strict=True)) % 11
    return str({11: 0, 10: 1}.get(value, value))


def spanish_iban(bank: str, branch: str, account: str) -> str:
    """A Spanish IBAN with correct CCC control digits and IBAN check digits."""
    bban = bank + branch + _ccc_digit(bank + branch) + _ccc_digit(account) + account
    # Move "ES00" to the end, letters to numbers (E=14, S=28), mod 97.
    check = 98 - int(bban + "142800") % 97
    return f"ES{check:02d}{bban}"


def _slug(text: str, separator: str = ".") -> str:
    words = normalise_search_text(text).replace("'", " ").replace("-", " ").split()
    return separator.join("".join(ch for ch in w if ch.isalnum()) for w in words if w)


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    """The columns of a planned row (keys starting with "_" are references)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int):
    """``k`` distinct items, more likely the heavier ones (Efraimidis-Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


# --- The generator: one technician's data, in memory -------------------------


class _Plan:
    """Every row of one technician, with references by list index."""

    def __init__(self) -> None:
        self.user: dict[str, Any] = {}
        self.business: dict[str, Any] = {}
        self.settings: dict[str, Any] = {}
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.tables[name]

    def row_count(self) -> int:
        return 3 + sum(len(rows) for rows in self.tables.values())


class _Generator:
    def __init__(self, index: int, seed: int, now: datetime) -> None:
        self.index = index
        self.rng = random.Random(seed + index)
        self.now = now.astimezone(UTC)
        self.today = self.now.astimezone(MADRID).date()
        self.start = self.today - timedelta(days=HISTORY_DAYS)
        self.area = data.AREAS[(index - 1) % len(data.AREAS)]
        self.main_city = self.area.cities[0]
        self.plan = _Plan()
        self._stamps: dict[str, set[datetime]] = defaultdict(set)
        self._emails: set[str] = set()
        self._names: set[str] = set()
        self.materials_of: dict[int, list[dict[str, Any]]] = defaultdict(list)

    # -- time ---------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A Madrid wall-clock time on ``day``, as aware UTC."""
        local = datetime(day.year, day.month, day.day, tzinfo=MADRID) + timedelta(
            hours=hour, minutes=minute
        )
        return local.astimezone(UTC)

    def office_time(self, day: date, first: int = 9, last: int = 19) -> datetime:
        minutes = self.rng.randint(first * 60, last * 60 - 1)
        return self.at(day, 0, minutes) + timedelta(
            seconds=self.rng.randint(0, 59), microseconds=self.rng.randint(0, 999_999)
        )

    def past(self, moment: datetime) -> datetime:
        """``moment`` but never after now."""
        return min(moment, self.now - timedelta(minutes=self.rng.randint(2, 90)))

    def stamp(self, table: str, moment: datetime) -> datetime:
        """A ``created_at`` unique within ``table`` (ids are read back by it)."""
        moment = self.past(moment)
        seen = self._stamps[table]
        while moment in seen:
            moment += timedelta(microseconds=1)
        seen.add(moment)
        return moment

    def random_day(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    @staticmethod
    def is_working(day: date) -> bool:
        return day.weekday() < 5 and (day.month, day.day) not in NATIONAL_HOLIDAYS

    def working_day(self, day: date, latest: date) -> date:
        """Move a weekend or holiday to a weekday of the same or next week.

        A few Saturdays are kept (some technicians work Saturday mornings).
        """
        rng = self.rng
        weekday = day.weekday()
        holiday = (day.month, day.day) in NATIONAL_HOLIDAYS
        if weekday == 5 and not holiday and day <= latest and rng.random() < 0.08:
            return day
        if weekday == 5:
            day -= timedelta(days=rng.randint(1, 5))
        elif weekday == 6:
            day += timedelta(days=rng.randint(1, 5))
        while not self.is_working(day):
            day += timedelta(days=1)
        while day > latest or not self.is_working(day):
            day -= timedelta(days=1)
        return day

    def working_days(self, first: date, last: date) -> list[date]:
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [d for d in days if self.is_working(d)]

    # -- people -------------------------------------------------------------
    def person_name(self) -> tuple[str, str, str]:
        names = data.FEMALE_NAMES if self.rng.random() < 0.52 else data.MALE_NAMES
        first = self.rng.choice(names)
        surname1, surname2 = self.rng.sample(data.SURNAMES, 2)
        return first, surname1, surname2

    def person_email(self, first: str, surname1: str, surname2: str) -> str:
        rng = self.rng
        f, s1, s2 = _slug(first), _slug(surname1), _slug(surname2)
        f_short = f.split(".")[0]
        local = rng.choice(
            (
                f"{f_short}.{s1}",
                f"{f_short}.{s1}.{s2}",
                f"{f_short[0]}{s1}",
                f"{f_short}{s1}{rng.randint(60, 99)}",
                f"{f_short}_{s1}",
                f"{s1}.{f_short}",
            )
        )
        domain = rng.choices(
            [d for d, _ in data.CLIENT_EMAIL_DOMAINS],
            weights=[w for _, w in data.CLIENT_EMAIL_DOMAINS],
        )[0]
        return self.unique_email(local.replace("..", "."), domain)

    def unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        suffix = 2
        while email in self._emails:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        self._emails.add(email)
        return email

    def mobile(self) -> str:
        return "6" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def landline(self, city: data.City) -> str:
        rest = 9 - len(city.phone_prefix)
        first = str(self.rng.randint(2, 8))  # landline numbers after the prefix
        return (
            city.phone_prefix
            + first
            + "".join(str(self.rng.randint(0, 9)) for _ in range(rest - 1))
        )

    def street_address(self, with_flat: bool) -> str:
        address = f"{self.rng.choice(data.STREETS)}, {self.rng.randint(1, 140)}"
        if with_flat:
            floor = self.rng.choice(data.FLOORS)
            door = self.rng.choice(data.DOORS)
            address += f", {floor} {door}" if floor != "Ático" else f", {floor}"
        return address

    def postal_code(self, city: data.City) -> str:
        return f"{self.rng.randint(*city.postal_codes):05d}"

    def pick_city(self) -> data.City:
        cities = self.area.cities
        return self.rng.choices(cities, weights=[c.weight for c in cities])[0]

    # -- build ----------------------------------------------------------------
    def build(self) -> _Plan:
        self.account()
        self.rates()
        self.clients()
        self.pianos()
        self.services()
        self.appointments()
        self.tasks_and_materials()
        self.inventory()
        self.invoices()
        self.quotes()
        self.counters()
        self.reminders()
        return self.plan

    def account(self) -> None:
        rng = self.rng
        name = demo_name(self.index)
        created = self.at(self.start - timedelta(days=2), 10, 15)
        self.plan.user = {
            "email": demo_email(self.index),
            "name": name,
            "created_at": created,
            "updated_at": created,
        }
        full = name.removesuffix(" (demo)")
        surname = full.split()[-1]
        city = self.main_city
        self.business = {
            "business_name": rng.choice(
                (
                    f"Afinaciones {surname}",
                    f"Pianos {surname}",
                    f"{full} · Técnico de pianos",
                    f"Taller de Pianos {surname}",
                )
            ),
            "tax_id": nif(rng.randint(10_000_000, 79_999_999)),
            "address": self.street_address(with_flat=rng.random() < 0.5),
            "city": city.name,
            "postal_code": self.postal_code(city),
            "region": city.region,
            "phone": self.mobile(),
            "email": demo_email(self.index),
            "iban": spanish_iban(
                rng.choice(data.BANK_CODES),
                f"{rng.randint(0, 9999):04d}",
                f"{rng.randint(0, 9_999_999_999):010d}",
            ),
            "invoice_prefix": "F",
            "quote_prefix": "P",
            "default_tax_rate": DEFAULT_TAX_RATE,
            "payment_terms_days": 30,
            "created_at": created,
            "updated_at": created,
        }
        self.plan.business = self.business
        self.plan.settings = {
            "tuning_pending_days": 180,
            "tuning_urgent_days": 270,
            "regulation_pending_days": 730,
            "regulation_urgent_days": 1095,
            "default_interval_months": 12,
            "created_at": created,
            "updated_at": created,
        }

    def rates(self) -> None:
        for rate in data.SERVICE_RATES:
            created = self.stamp("rates", self.office_time(self.start))
            self.plan["rates"].append(
                {
                    "name": rate.name,
                    "category": rate.category,
                    "description": rate.description,
                    "base_price": rate.price,
                    "tax_rate": DEFAULT_TAX_RATE,
                    "estimated_minutes": rate.minutes,
                    "active": rate.active,
                    "created_at": created,
                    "updated_at": created,
                }
            )

    # -- clients --------------------------------------------------------------
    def clients(self) -> None:
        rng = self.rng
        types = [kind for kind, count in CLIENT_TYPE_COUNTS for _ in range(count)]
        rng.shuffle(types)
        import_end = self.start + timedelta(days=30)
        for client_type in types:
            imported = client_type in INSTITUTIONS or rng.random() < 0.3
            day = (
                self.random_day(self.start, import_end)
                if imported
                else self.random_day(import_end, self.today)
            )
            self.plan["clients"].append(self.client(client_type, day))

    def institution_name(self, client_type: ClientType, city: data.City) -> tuple[str, data.City]:
        rng = self.rng
        for _ in range(200):
            if client_type == ClientType.MUSIC_SCHOOL:
                name = (
                    data.MUSIC_SCHOOL_PER_CITY.format(city=city.name)
                    if rng.random() < 0.2
                    else rng.choice(data.MUSIC_SCHOOL_NAMES)
                )
            elif client_type == ClientType.CONSERVATORY:
                # Only the capital has a conservatorio superior.
                patterns = data.CONSERVATORY_PATTERNS[: 3 if city is self.main_city else 2]
                name = rng.choice(patterns).format(city=city.name)
            elif client_type == ClientType.CONCERT_HALL:
                name = rng.choice(data.CONCERT_HALL_PATTERNS).format(city=city.name)
            else:
                name = rng.choice(data.PROFESSIONAL_BUSINESSES).format(
                    surname=rng.choice(data.SURNAMES)
                )
            if name not in self._names:
                self._names.add(name)
                return name, city
            city = self.pick_city()
        raise RuntimeError("ran out of institution names")  # pragma: no cover

    def client(self, client_type: ClientType, day: date) -> dict[str, Any]:
        rng = self.rng
        city = self.pick_city()
        if client_type in (ClientType.CONSERVATORY, ClientType.CONCERT_HALL):
            # Conservatories and halls are in the bigger towns.
            big = [c for c in self.area.cities if c.weight >= 4]
            city = rng.choice(big)
        is_person = client_type in (ClientType.PARTICULAR, ClientType.STUDENT) or (
            client_type == ClientType.PROFESSIONAL and rng.random() < 0.5
        )
        notes = rng.choice(data.CLIENT_NOTES) if rng.random() < 0.25 else ""
        if is_person:
            first, surname1, surname2 = self.person_name()
            name = f"{first} {surname1} {surname2}"
            email = (
                self.person_email(first, surname1, surname2)
                if rng.random() < {ClientType.PARTICULAR: 0.85}.get(client_type, 0.93)
                else ""
            )
            phone = self.mobile() if rng.random() < 0.8 else self.landline(city)
            wants_invoice = {ClientType.PARTICULAR: 0.3, ClientType.STUDENT: 0.1}.get(
                client_type, 0.9
            )
            tax_id = nif(rng.randint(1_000_000, 79_999_999)) if rng.random() < wants_invoice else ""
            address = self.street_address(with_flat=rng.random() < 0.75)
            if client_type == ClientType.PROFESSIONAL and not notes:
                notes = rng.choice(("Pianista profesional.", "Profesor de piano.", "Acompañante."))
        else:
            name, city = self.institution_name(client_type, city)
            prefix = rng.choice(("info", "secretaria", "administracion", "contacto"))
            slug = _slug(
                " ".join(
                    w for w in name.split() if w.lower() not in {"de", "la", "del", "el", "los"}
                ),
                "-",
            )
            email = self.unique_email(f"{prefix}.{slug}", "example.org")
            phone = self.landline(city)
            letter = {
                ClientType.MUSIC_SCHOOL: "B",
                ClientType.CONSERVATORY: "Q",
                ClientType.CONCERT_HALL: "P",
            }.get(client_type, "B")
            tax_id = cif(letter, f"{rng.randint(0, 9_999_999):07d}")
            address = self.street_address(with_flat=False)
        created = self.stamp("clients", self.office_time(day, 8, 21))
        geocoded = rng.random() < 0.75
        route = rng.choice(data.ROUTE_ZONES) if city is self.main_city else city.name
        return {
            "_person": is_person,
            "name": name,
            "client_type": client_type,
            "email": email,
            "phone": phone,
            "tax_id": tax_id,
            "address": address,
            "city": city.name,
            "postal_code": self.postal_code(city),
            "region": city.region,
            "notes": notes,
            "route_group": route,
            "latitude": (
                Decimal(f"{city.latitude + rng.uniform(-0.03, 0.03):.6f}") if geocoded else None
            ),
            "longitude": (
                Decimal(f"{city.longitude + rng.uniform(-0.03, 0.03):.6f}") if geocoded else None
            ),
            "archived": client_type == ClientType.PARTICULAR and rng.random() < 0.04,
            "search_text": normalise_search_text(name, email, phone, city.name),
            "created_at": created,
            "updated_at": created,
        }

    # -- pianos -----------------------------------------------------------------
    def piano_counts(self) -> list[int]:
        rng = self.rng
        ranges = {
            ClientType.PARTICULAR: None,
            ClientType.STUDENT: (1, 1),
            ClientType.PROFESSIONAL: (1, 3),
            ClientType.MUSIC_SCHOOL: (3, 12),
            ClientType.CONSERVATORY: (15, 35),
            ClientType.CONCERT_HALL: (1, 4),
        }
        counts = []
        for client in self.plan["clients"]:
            bounds = ranges[client["client_type"]]
            if bounds is None:
                counts.append(rng.choices((1, 2, 3), weights=(85, 12, 3))[0])
            else:
                counts.append(rng.randint(*bounds))
        # Adjust to exactly PIANOS, adding to (or taking from) the bigger owners.
        weights = [
            {ClientType.CONSERVATORY: 8, ClientType.MUSIC_SCHOOL: 4}.get(c["client_type"], 1)
            for c in self.plan["clients"]
        ]
        while sum(counts) < PIANOS:
            counts[rng.choices(range(len(counts)), weights=weights)[0]] += 1
        while sum(counts) > PIANOS:
            i = rng.choices(range(len(counts)), weights=weights)[0]
            if counts[i] > 1:
                counts[i] -= 1
        return counts

    def pianos(self) -> None:
        for client_index, count in enumerate(self.piano_counts()):
            for number in range(count):
                self.plan["pianos"].append(self.piano(client_index, number))

    def piano_model(self, client_type: ClientType, number: int) -> data.PianoModel:
        rng = self.rng
        category_weights = {
            ClientType.PARTICULAR: (72, 10, 18),
            ClientType.STUDENT: (50, 3, 47),
            ClientType.PROFESSIONAL: (35, 50, 15),
            ClientType.MUSIC_SCHOOL: (72, 13, 15),
            ClientType.CONSERVATORY: (55, 42, 3),
            ClientType.CONCERT_HALL: (8, 92, 0),
        }[client_type]
        category = rng.choices(
            (PianoCategory.VERTICAL, PianoCategory.GRAND, PianoCategory.DIGITAL),
            weights=category_weights,
        )[0]
        if client_type in (ClientType.CONCERT_HALL, ClientType.CONSERVATORY) and number == 0:
            category = PianoCategory.GRAND  # the hall's (or auditorium's) instrument
        if category == PianoCategory.VERTICAL:
            types = (_T.SPINET, _T.CONSOLE, _T.STUDIO, _T.UPRIGHT_PROFESSIONAL)
            weights = (0, 5, 35, 60) if client_type in INSTITUTIONS else (3, 20, 40, 37)
        elif category == PianoCategory.GRAND:
            types = (
                _T.BABY_GRAND,
                _T.MEDIUM_GRAND,
                _T.PARLOR_GRAND,
                _T.SEMI_CONCERT,
                _T.CONCERT_GRAND,
            )
            weights = {
                ClientType.PARTICULAR: (30, 50, 18, 2, 0),
                ClientType.STUDENT: (40, 50, 10, 0, 0),
                ClientType.PROFESSIONAL: (10, 35, 35, 15, 5),
                ClientType.MUSIC_SCHOOL: (20, 50, 25, 5, 0),
                ClientType.CONSERVATORY: (0, 20, 35, 25, 20),
                ClientType.CONCERT_HALL: (0, 0, 10, 30, 60),
            }[client_type]
            if number == 0 and client_type in (ClientType.CONCERT_HALL, ClientType.CONSERVATORY):
                weights = (0, 0, 0, 30, 70)
        else:
            types = (_T.PORTABLE, _T.CONSOLE_DIGITAL, _T.STAGE, _T.HYBRID)
            weights = (20, 40, 30, 10) if client_type == ClientType.PROFESSIONAL else (30, 58, 5, 7)
        piano_type = rng.choices(types, weights=weights)[0]
        models = [m for m in data.PIANO_MODELS if m.piano_type == piano_type]
        return rng.choices(models, weights=[m.weight for m in models])[0]

    def serial(self, model: data.PianoModel, year: int) -> str:
        rng = self.rng
        if model.category == PianoCategory.DIGITAL:
            prefixes = data.DIGITAL_SERIAL_PREFIXES.get(model.brand, ("SN",))
            return f"{rng.choice(prefixes)}{rng.randint(10_000, 999_999):06d}"
        if rng.random() < (0.35 if year < 1950 else 0.06):
            return ""  # unknown or unreadable
        span = data.SERIAL_RANGES.get(model.brand)
        if span is None:
            return str(rng.randint(10_000, 999_999))
        y0, s0, y1, s1 = span
        fraction = min(1.0, max(0.0, (year - y0) / (y1 - y0)))
        spread = max(1, (s1 - s0) // 200)
        return str(int(s0 + (s1 - s0) * fraction) + rng.randint(-spread, spread))

    def condition(self, model: data.PianoModel, year: int) -> PianoCondition:
        age = self.today.year - year
        if model.category == PianoCategory.DIGITAL:
            weights = (35, 55, 8, 1, 1)
        elif age < 10:
            weights = (40, 50, 8, 1, 1)
        elif age < 30:
            weights = (15, 52, 24, 5, 4)
        elif age < 60:
            weights = (5, 38, 35, 12, 10)
        else:
            weights = (3, 22, 35, 20, 20)
        return self.rng.choices(list(PianoCondition), weights=weights)[0]

    def interval(self, client_type: ClientType, category: PianoCategory) -> int | None:
        rng = self.rng
        if category == PianoCategory.DIGITAL:
            return rng.choice((0, 0, 0, None, None))
        options = {
            ClientType.CONCERT_HALL: ((3,), (1,)),
            ClientType.CONSERVATORY: ((6, 3), (70, 30)),
            ClientType.MUSIC_SCHOOL: ((6, 12), (60, 40)),
            ClientType.PROFESSIONAL: ((6, 3, None), (50, 20, 30)),
        }.get(client_type, ((None, 12, 6, 0), (55, 20, 10, 15)))
        return rng.choices(options[0], weights=options[1])[0]

    def piano(self, client_index: int, number: int) -> dict[str, Any]:
        rng = self.rng
        client = self.plan["clients"][client_index]
        client_type = client["client_type"]
        model = self.piano_model(client_type, number)
        year = min(rng.randint(*model.years), self.today.year)
        serial = self.serial(model, year)
        if client_type in INSTITUTIONS or not client["_person"]:
            rooms = {
                ClientType.CONCERT_HALL: data.HALL_ROOMS,
                ClientType.PROFESSIONAL: data.BUSINESS_ROOMS,
            }.get(client_type, data.INSTITUTION_ROOMS)
            room = rooms[number % len(rooms)]
            floor = rng.choice(data.INSTITUTION_FLOORS)
        else:
            room = rng.choice(data.HOME_ROOMS)
            floor = ""
        client_created: datetime = client["created_at"]
        if number == 0 or client_type in INSTITUTIONS:
            created = client_created + timedelta(minutes=5 + number)
        else:
            created = client_created + (self.now - client_created) * rng.uniform(0.05, 0.9)
        hall_grand = (
            client_type == ClientType.CONCERT_HALL and model.category == PianoCategory.GRAND
        )
        created = self.stamp("pianos", created)
        return {
            "_client": client_index,
            "_model": model,
            "brand": model.brand,
            "model": model.model,
            "serial_number": serial,
            "year": year,
            "category": model.category,
            "piano_type": model.piano_type,
            "size_cm": model.size_cm,
            "condition": self.condition(model, year),
            "room": room,
            "floor": floor,
            "notes": rng.choice(data.PIANO_NOTES) if rng.random() < 0.2 else "",
            "service_interval_months": self.interval(client_type, model.category),
            "tuning_pending_days": 90 if hall_grand else None,
            "tuning_urgent_days": 120 if hall_grand else None,
            "regulation_pending_days": None,
            "regulation_urgent_days": None,
            "archived": client["archived"] or rng.random() < 0.015,
            "search_text": normalise_search_text(model.brand, model.model, serial, client["name"]),
            "created_at": created,
            "updated_at": created,
        }

    # -- services ---------------------------------------------------------------
    def piano_weight(self, piano: dict[str, Any]) -> float:
        """Expected services of a piano over its history (relative)."""
        days = (self.today - piano["created_at"].astimezone(MADRID).date()).days
        if days <= 1:
            return 0.0
        if piano["category"] == PianoCategory.DIGITAL:
            per_year = 0.15
        else:
            per_year = {3: 3.5, 6: 2.0, 12: 1.1, 0: 0.5}.get(piano["service_interval_months"], 1.0)
            if piano["piano_type"] == PianoType.CONCERT_GRAND:
                per_year *= 1.5
        if piano["archived"]:
            per_year *= 0.4
        return days / 365 * per_year

    def service_type(self, piano: dict[str, Any]) -> ServiceType:
        rng = self.rng
        if piano["category"] == PianoCategory.DIGITAL:
            return rng.choices(
                (ServiceType.REPAIR, ServiceType.INSPECTION, ServiceType.OTHER),
                weights=(40, 45, 15),
            )[0]
        kind = rng.choices(
            (
                ServiceType.TUNING,
                ServiceType.REPAIR,
                ServiceType.REGULATION,
                ServiceType.MAINTENANCE_BASIC,
                ServiceType.MAINTENANCE_COMPLETE,
                ServiceType.MAINTENANCE_PREMIUM,
                ServiceType.INSPECTION,
                ServiceType.RESTORATION,
                ServiceType.OTHER,
            ),
            weights=(68, 9, 5, 5, 3.5, 1.5, 4, 0.6, 3.4),
        )[0]
        if kind == ServiceType.RESTORATION and (piano["year"] or 2000) >= 1990:
            kind = ServiceType.REGULATION
        return kind

    def price(
        self, kind: ServiceType, piano: dict[str, Any], day: date, client_type
    ) -> tuple[Decimal, int]:
        """Cost and minutes of a service (prices go up a little every year)."""
        rng = self.rng
        grand = piano["category"] == PianoCategory.GRAND
        days_ago = (self.today - day).days
        years_ago = max(0, min(2, days_ago // 365))
        if kind == ServiceType.TUNING:
            for max_days, vertical, grand_price in data.TUNING_PRICE_BY_AGE:
                if days_ago <= max_days:
                    cost = grand_price if grand else vertical
                    break
            minutes = 90 if grand else 60
            if client_type == ClientType.CONCERT_HALL:
                cost, minutes = Decimal("150.00") - 10 * years_ago, 90
            elif piano["condition"] in (PianoCondition.POOR, PianoCondition.NEEDS_REPAIR) or (
                rng.random() < 0.05
            ):
                cost, minutes = Decimal("130.00") - 10 * years_ago, minutes + 30
            return cost, minutes
        if kind == ServiceType.REGULATION:
            base = Decimal("550.00") if grand else Decimal("380.00")
            return base - 20 * years_ago, 480 if grand else 360
        if kind in (
            ServiceType.MAINTENANCE_BASIC,
            ServiceType.MAINTENANCE_COMPLETE,
            ServiceType.MAINTENANCE_PREMIUM,
        ):
            base, minutes = {
                ServiceType.MAINTENANCE_BASIC: (Decimal("120.00"), 90),
                ServiceType.MAINTENANCE_COMPLETE: (Decimal("220.00"), 180),
                ServiceType.MAINTENANCE_PREMIUM: (Decimal("380.00"), 300),
            }[kind]
            return base - 10 * years_ago, minutes
        if kind == ServiceType.INSPECTION:
            digital = piano["category"] == PianoCategory.DIGITAL
            return (Decimal("60.00") if digital else Decimal("50.00")), 45
        if kind == ServiceType.REPAIR:
            cost = Decimal(rng.choice((45, 60, 75, 90, 120, 135, 150, 180, 240, 320, 450)))
            return cost.quantize(CENT), max(30, int(cost / 45 * 60) // 15 * 15)
        if kind == ServiceType.RESTORATION:
            return Decimal(50 * rng.randint(36, 130)).quantize(CENT), rng.choice((1200, 1800, 2400))
        return Decimal(rng.choice((40, 60, 75, 90, 120, 150))).quantize(CENT), rng.choice(
            (30, 60, 90)
        )

    def service(
        self,
        piano_index: int,
        kind: ServiceType,
        status: ServiceStatus,
        day: date,
        created: datetime,
    ) -> dict[str, Any]:
        rng = self.rng
        piano = self.plan["pianos"][piano_index]
        client = self.plan["clients"][piano["_client"]]
        cost, minutes = self.price(kind, piano, day, client["client_type"])
        measured = (
            status in (ServiceStatus.COMPLETED, ServiceStatus.IN_PROGRESS)
            and piano["category"] != PianoCategory.DIGITAL
            and rng.random() < 0.85
        )
        summer = day.month in (6, 7, 8, 9)
        if status == ServiceStatus.CANCELLED:
            notes = rng.choice(
                (
                    "Cancelado por el cliente.",
                    "Aplazado: el cliente estaba de viaje.",
                    "Anulado: el piano se ha vendido.",
                )
            )
        elif status == ServiceStatus.PENDING:
            notes = rng.choice(("", "", "Confirmar el día antes.", "Pedir llaves en conserjería."))
        else:
            notes = rng.choice(data.SERVICE_NOTES[kind]) if rng.random() < 0.6 else ""
        return {
            "_piano": piano_index,
            "_client": piano["_client"],
            "_appointment": None,
            "service_type": kind,
            "status": status,
            "service_date": day,
            "cost": cost,
            "duration_minutes": minutes,
            "humidity_pct": Decimal(f"{rng.uniform(35, 70):.1f}") if measured else None,
            "temperature_c": (
                Decimal(f"{rng.uniform(23, 29) if summer else rng.uniform(16, 22):.1f}")
                if measured
                else None
            ),
            "notes": notes,
            "technician_notes": (
                rng.choice(data.TECHNICIAN_NOTES)
                if status == ServiceStatus.COMPLETED and rng.random() < 0.2
                else ""
            ),
            "created_at": self.stamp("services", created),
            "updated_at": None,  # set below
        }

    def services(self) -> None:
        rng = self.rng
        pianos = self.plan["pianos"]
        services = self.plan["services"]
        weights = [self.piano_weight(p) for p in pianos]
        past_total = SERVICES - PENDING_SOON - PENDING_LATER - IN_PROGRESS
        per_piano = Counter(rng.choices(range(len(pianos)), weights=weights, k=past_total))
        yesterday = self.today - timedelta(days=1)
        for piano_index in sorted(per_piano):
            count = per_piano[piano_index]
            piano = pianos[piano_index]
            first = piano["created_at"].astimezone(MADRID).date()
            span = (yesterday - first).days
            for n in range(count):
                offset = int(span * (n + rng.random()) / count)
                day = self.working_day(first + timedelta(days=offset), latest=yesterday)
                day = max(day, first)
                status = (
                    ServiceStatus.CANCELLED if rng.random() < 0.026 else ServiceStatus.COMPLETED
                )
                created = max(
                    self.office_time(day, 10, 20), piano["created_at"] + timedelta(minutes=20)
                )
                services.append(
                    self.service(piano_index, self.service_type(piano), status, day, created)
                )

        # Work in progress: acoustic pianos in bad shape, started recently.
        candidates = [
            i
            for i, p in enumerate(pianos)
            if p["category"] != PianoCategory.DIGITAL
            and p["condition"] in (PianoCondition.NEEDS_REPAIR, PianoCondition.POOR)
            and not p["archived"]
        ]
        kinds = (ServiceType.RESTORATION, ServiceType.REPAIR, ServiceType.REGULATION)
        for i, kind in zip(rng.sample(candidates, IN_PROGRESS), kinds, strict=True):
            day = self.working_day(self.today - timedelta(days=rng.randint(2, 20)), yesterday)
            services.append(
                self.service(i, kind, ServiceStatus.IN_PROGRESS, day, self.office_time(day, 10, 19))
            )

        # Planned work: mostly tunings of pianos that are due.
        active = [0.0 if p["archived"] else w + 0.01 for w, p in zip(weights, pianos, strict=True)]
        chosen = _weighted_sample(rng, range(len(pianos)), active, PENDING_SOON + PENDING_LATER)
        # Something today (if the working day is not over) and tomorrow, for the alerts.
        upcoming = self.working_days(
            self.today + timedelta(days=1), self.today + timedelta(days=30)
        )
        soon_days = [upcoming[0]]
        if self.is_working(self.today) and self.now.astimezone(MADRID).hour < 16:
            soon_days.append(self.today)
        while len(soon_days) < PENDING_SOON:
            soon_days.append(rng.choice(upcoming))
        later = self.working_days(self.today + timedelta(days=31), self.today + timedelta(days=60))
        later_days = [rng.choice(later) for _ in range(PENDING_LATER)]
        for piano_index, day in zip(chosen, soon_days + later_days, strict=True):
            piano = pianos[piano_index]
            kind = (
                rng.choices(
                    (
                        ServiceType.TUNING,
                        ServiceType.MAINTENANCE_COMPLETE,
                        ServiceType.REGULATION,
                        ServiceType.REPAIR,
                    ),
                    weights=(75, 10, 5, 10),
                )[0]
                if piano["category"] != PianoCategory.DIGITAL
                else ServiceType.INSPECTION
            )
            booked = self.now - timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600))
            booked = max(booked, piano["created_at"] + timedelta(hours=1))
            services.append(self.service(piano_index, kind, ServiceStatus.PENDING, day, booked))

        services.sort(key=lambda s: (s["service_date"], s["created_at"]))
        for service in services:
            service["updated_at"] = service["created_at"]

    # -- agenda -----------------------------------------------------------------
    def appointments(self) -> None:
        rng = self.rng
        services = self.plan["services"]
        done = [
            s
            for s in services
            if s["status"] == ServiceStatus.COMPLETED and s["service_date"] < self.today
        ]
        cancelled = [
            s
            for s in services
            if s["status"] == ServiceStatus.CANCELLED and s["service_date"] < self.today
        ]
        pending = [
            s
            for s in services
            if s["status"] == ServiceStatus.PENDING
            and s["service_date"] <= self.today + timedelta(days=30)
        ]
        planned: list[tuple[dict[str, Any] | None, AppointmentStatus, date, int, int | None]] = []
        for s in done[-COMPLETED_APPOINTMENTS:]:
            planned.append(
                (s, AppointmentStatus.COMPLETED, s["service_date"], s["_client"], s["_piano"])
            )
        for s in cancelled[-2:]:
            planned.append(
                (s, AppointmentStatus.CANCELLED, s["service_date"], s["_client"], s["_piano"])
            )
        for s in pending:
            status = (
                AppointmentStatus.CONFIRMED
                if s["service_date"] <= self.today + timedelta(days=7) and rng.random() < 0.7
                else AppointmentStatus.SCHEDULED
            )
            planned.append((s, status, s["service_date"], s["_client"], s["_piano"]))
        clients = self.plan["clients"]
        while len(planned) < APPOINTMENTS:
            client_index = rng.choice([i for i, c in enumerate(clients) if not c["archived"]])
            day = rng.choice(
                self.working_days(self.today + timedelta(days=2), self.today + timedelta(days=29))
            )
            planned.append((None, AppointmentStatus.CANCELLED, day, client_index, None))
        planned.sort(key=lambda p: p[2])

        end_of_previous: dict[date, int] = {}
        for service, status, day, client_index, piano_index in planned[:APPOINTMENTS]:
            client = clients[client_index]
            kind = service["service_type"] if service else ServiceType.TUNING
            duration = min(service["duration_minutes"] if service else 60, 240)
            duration = max(30, -(-duration // 30) * 30)
            start = end_of_previous.get(day)
            start = (
                9 * 60 + rng.choice((0, 30, 60))
                if start is None
                else start + rng.choice((30, 30, 60))
            )
            if day == self.today:  # later than now, on the half hour
                local = self.now.astimezone(MADRID)
                start = max(start, (local.hour * 60 + local.minute) // 30 * 30 + 60)
            start = min(start, 19 * 60 - duration)
            end_of_previous[day] = start + duration
            starts_at = self.at(day, 0, start)
            if day < self.today:
                booked = starts_at - timedelta(days=rng.randint(2, 21), hours=rng.randint(0, 6))
            else:
                booked = self.now - timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 8))
            booked = max(booked, client["created_at"] + timedelta(minutes=30))
            created = self.stamp("appointments", booked)
            updated = created
            if status in (AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED):
                updated = max(created, self.past(starts_at + timedelta(minutes=duration)))
            piano = self.plan["pianos"][piano_index] if piano_index is not None else None
            title = data.SERVICE_LABELS[kind]
            title += f" · {piano['brand']} {piano['model']}" if piano else f" · {client['name']}"
            if service is not None:
                service["_appointment"] = len(self.plan["appointments"])
            self.plan["appointments"].append(
                {
                    "_client": client_index,
                    "_piano": piano_index,
                    "title": title[:200],
                    "starts_at": starts_at,
                    "duration_minutes": duration,
                    "service_type": kind,
                    "address": f"{client['address']}, {client['postal_code']} {client['city']}",
                    "notes": rng.choice(data.APPOINTMENT_NOTES) if rng.random() < 0.25 else "",
                    "status": status,
                    "created_at": created,
                    "updated_at": updated,
                }
            )

    # -- checklists and materials ----------------------------------------------
    def tasks_and_materials(self) -> None:
        rng = self.rng
        always = {
            ServiceType.REGULATION,
            ServiceType.MAINTENANCE_BASIC,
            ServiceType.MAINTENANCE_COMPLETE,
            ServiceType.MAINTENANCE_PREMIUM,
            ServiceType.RESTORATION,
        }
        usable = [i for i, item in enumerate(data.INVENTORY_ITEMS) if item.usable]
        year_ago = self.today - timedelta(days=365)
        for service_index, s in enumerate(self.plan["services"]):
            kind, status = s["service_type"], s["status"]
            open_work = status in (ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS)
            wanted = (
                kind in always
                or open_work
                or (kind == ServiceType.REPAIR and rng.random() < 0.4)
                or (kind == ServiceType.TUNING and rng.random() < 0.12)
            )
            labels = data.SERVICE_TASKS.get(kind, ())
            if wanted and labels:
                for position, label in enumerate(labels, start=1):
                    if status == ServiceStatus.COMPLETED:
                        is_done = True
                    elif status == ServiceStatus.IN_PROGRESS:
                        is_done = position <= len(labels) // 2
                    else:
                        is_done = False
                    self.plan["tasks"].append(
                        {
                            "_service": service_index,
                            "position": position,
                            "label": label,
                            "done": is_done,
                            "created_at": s["created_at"],
                            "updated_at": s["created_at"],
                        }
                    )
            if (
                kind == ServiceType.REPAIR
                and status == ServiceStatus.COMPLETED
                and s["service_date"] >= year_ago
                and rng.random() < 0.65
            ):
                for item_index in rng.sample(usable, rng.choice((1, 1, 2))):
                    item = data.INVENTORY_ITEMS[item_index]
                    quantity = (
                        Decimal(rng.choice(("1.5", "2", "3")))
                        if item.unit == "m"
                        else Decimal(rng.randint(1, 3))
                    )
                    material = {
                        "_service": service_index,
                        "_item": item_index,
                        "quantity": quantity,
                        "unit_price": (item.cost * Decimal("1.5")).quantize(CENT, ROUND_HALF_UP),
                        "created_at": s["created_at"],
                        "updated_at": s["created_at"],
                    }
                    self.plan["materials"].append(material)
                    self.materials_of[service_index].append(material)

    def inventory(self) -> None:
        """Items whose stock is the initial purchase minus what the services used."""
        rng = self.rng
        used: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for material in self.plan["materials"]:
            used[material["_item"]].append(material)
        for item_index, item in enumerate(data.INVENTORY_ITEMS):
            uses = sorted(used[item_index], key=lambda m: m["created_at"])
            total_used = sum((m["quantity"] for m in uses), Decimal(0))
            bought = Decimal(item.stock) + total_used
            day = self.random_day(self.start, self.start + timedelta(days=20))
            created = self.stamp("items", self.office_time(day, 9, 20))
            sku = f"{_slug(item.supplier, '')[:3].upper()}-{item_index + 1:04d}"
            self.plan["items"].append(
                {
                    "name": item.name,
                    "category": item.category,
                    "sku": sku,
                    "quantity": Decimal(item.stock),
                    "unit": item.unit,
                    "min_stock": Decimal(item.min_stock),
                    "cost_per_unit": item.cost,
                    "supplier": item.supplier,
                    "notes": "",
                    "archived": False,
                    "created_at": created,
                    "updated_at": uses[-1]["created_at"] if uses else created,
                }
            )
            self.plan["movements"].append(
                {
                    "_item": item_index,
                    "_service": None,
                    "reason": StockMovementReason.PURCHASE,
                    "quantity_delta": bought,
                    "quantity_after": bought,
                    "note": f"Compra inicial · {item.supplier}",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            level = bought
            for material in uses:
                level -= material["quantity"]
                service = self.plan["services"][material["_service"]]
                moment = material["created_at"] + timedelta(seconds=rng.randint(1, 300))
                self.plan["movements"].append(
                    {
                        "_item": item_index,
                        "_service": material["_service"],
                        "reason": StockMovementReason.SERVICE_USE,
                        "quantity_delta": -material["quantity"],
                        "quantity_after": level,
                        "note": f"Servicio del {service['service_date']:%d/%m/%Y}",
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )

    # -- invoices ----------------------------------------------------------------
    def invoice_weight(self, service: dict[str, Any]) -> float:
        client = self.plan["clients"][service["_client"]]
        kind = client["client_type"]
        if kind in INSTITUTIONS:
            return 6.0
        if kind == ClientType.PROFESSIONAL:
            return 4.0
        if client["tax_id"]:
            return 2.5
        return 0.5 if kind == ClientType.PARTICULAR else 0.4

    def invoices(self) -> None:
        rng = self.rng
        today = self.today
        completed = [
            (i, s)
            for i, s in enumerate(self.plan["services"])
            if s["status"] == ServiceStatus.COMPLETED and s["service_date"] < today
        ]
        taken: set[int] = set()

        def pick(first: date, last: date, count: int) -> list[int]:
            pool = [
                i for i, s in completed if first <= s["service_date"] <= last and i not in taken
            ]
            weights = [self.invoice_weight(self.plan["services"][i]) for i in pool]
            chosen = _weighted_sample(rng, pool, weights, count)
            if len(chosen) < count:  # not enough recent work: take any
                rest = [i for i, _ in completed if i not in taken and i not in chosen]
                chosen += rest[-(count - len(chosen)) :]
            taken.update(chosen)
            return chosen

        plans: list[tuple[str, int]] = []
        mix = INVOICE_MIX
        plans += [("draft", i) for i in pick(today - timedelta(days=10), today, mix["draft"])]
        plans += [("sent", i) for i in pick(today - timedelta(days=27), today, mix["sent"])]
        plans += [
            ("overdue", i)
            for i in pick(today - timedelta(days=150), today - timedelta(days=36), mix["overdue"])
        ]
        plans += [
            ("cancelled", i) for i in pick(self.start, today - timedelta(days=40), mix["cancelled"])
        ]
        plans += [("paid", i) for i in pick(self.start, today, mix["paid"])]
        for kind, service_index in plans:
            self.invoice(kind, service_index)

        # Gap-free numbers per year, in issue order; drafts have none.
        issued = [inv for inv in self.plan["invoices"] if inv["status"] != InvoiceStatus.DRAFT]
        issued.sort(key=lambda inv: (inv["issue_date"], inv["created_at"]))
        per_year: Counter[int] = Counter()
        for invoice in issued:
            year = invoice["issue_date"].year
            per_year[year] += 1
            invoice["number"] = f"F-{year}-{per_year[year]:04d}"

    def client_address(self, client: dict[str, Any]) -> str:
        return f"{client['address']}, {client['postal_code']} {client['city']} ({client['region']})"

    def invoice(self, kind: str, service_index: int) -> None:
        rng = self.rng
        today = self.today
        service = self.plan["services"][service_index]
        client = self.plan["clients"][service["_client"]]
        piano = self.plan["pianos"][service["_piano"]]
        business = self.business
        issue = service["service_date"] + timedelta(days=rng.choice((0, 0, 0, 1, 2, 3)))
        issue = max(service["service_date"], self.working_day(issue, today))
        if kind == "overdue":
            issue = min(issue, today - timedelta(days=31))
        due = issue + timedelta(days=30)
        status = {
            "draft": InvoiceStatus.DRAFT,
            "sent": InvoiceStatus.SENT,
            "overdue": InvoiceStatus.SENT,
            "cancelled": InvoiceStatus.CANCELLED,
            "paid": InvoiceStatus.PAID,
        }[kind]
        created = self.stamp("invoices", self.office_time(issue, 16, 19))
        sent_at = None
        if status != InvoiceStatus.DRAFT:
            sent_at = self.past(
                max(created + timedelta(minutes=5), self.office_time(issue, 19, 22))
            )
        paid_date = method = None
        reference = ""
        token = None
        cancelled_at = None
        updated = sent_at or created
        notes = ""
        if status == InvoiceStatus.PAID:
            method = rng.choices(list(PaymentMethod)[:5], weights=(50, 10, 15, 20, 5))[
                0
            ]  # transfer, card, cash, bizum, stripe
            delay = {
                PaymentMethod.TRANSFER: rng.randint(2, 35),
                PaymentMethod.CARD: 0,
                PaymentMethod.CASH: 0,
                PaymentMethod.BIZUM: rng.randint(0, 10),
                PaymentMethod.STRIPE: rng.randint(0, 15),
            }[method]
            paid_date = min(today, issue + timedelta(days=delay))
            reference = {
                PaymentMethod.TRANSFER: f"Transferencia {rng.randint(10**9, 10**10 - 1)}",
                PaymentMethod.CARD: f"TPV {rng.randint(100_000, 999_999)}",
                PaymentMethod.CASH: "Efectivo",
                PaymentMethod.BIZUM: f"Bizum {rng.randint(10**7, 10**8 - 1)}",
                PaymentMethod.STRIPE: f"pi_{rng.getrandbits(96):024x}",
            }[method]
            updated = max(updated, self.past(self.office_time(paid_date, 9, 20)))
        elif status == InvoiceStatus.CANCELLED:
            cancelled_at = self.past(self.office_time(issue + timedelta(days=rng.randint(1, 10))))
            cancelled_at = max(cancelled_at, updated + timedelta(minutes=1))
            updated = cancelled_at
            notes = rng.choice(
                (
                    "Anulada: datos fiscales del cliente incorrectos.",
                    "Anulada: importe incorrecto; se emite una nueva factura.",
                    "Anulada a petición del cliente.",
                )
            )
        elif status == InvoiceStatus.SENT:
            # The public payment link is a secret: never derived from the seed.
            token = secrets.token_urlsafe(24)
        index = len(self.plan["invoices"])
        lines = self.invoice_lines(service_index, client, piano)
        for line in lines:
            line["_invoice"] = index
            line["created_at"] = created
            line["updated_at"] = created
        self.plan["invoice_lines"].extend(lines)
        self.plan["invoices"].append(
            {
                "_client": service["_client"],
                "_piano": service["_piano"],
                "_service": service_index,
                "_quote": None,
                "number": None,
                "issue_date": issue,
                "due_date": due,
                "status": status,
                "notes": notes,
                "client_name": client["name"],
                "client_tax_id": client["tax_id"],
                "client_email": client["email"],
                "client_address": self.client_address(client),
                "issuer_name": business["business_name"],
                "issuer_tax_id": business["tax_id"],
                "issuer_address": (
                    f"{business['address']}, {business['postal_code']} "
                    f"{business['city']} ({business['region']})"
                ),
                "issuer_email": business["email"],
                "issuer_phone": business["phone"],
                "issuer_iban": business["iban"],
                "paid_date": paid_date,
                "payment_method": method,
                "payment_reference": reference,
                "payment_token": token,
                "payment_flag": "",
                "sent_at": sent_at,
                "cancelled_at": cancelled_at,
                **self.totals(lines),
                "created_at": created,
                "updated_at": updated,
            }
        )

    @staticmethod
    def line(
        position: int,
        kind: LineKind | str,
        description: str,
        quantity: Decimal | str,
        unit_price: Decimal | str,
        discount: Decimal | str = "0",
    ) -> dict[str, Any]:
        quantity, unit_price = Decimal(quantity), Decimal(unit_price).quantize(CENT)
        discount = Decimal(discount)
        net, tax, total = line_amounts(quantity, unit_price, discount, DEFAULT_TAX_RATE)
        return {
            "position": position,
            "kind": LineKind(kind),
            "description": description,
            "quantity": quantity,
            "unit_price": unit_price,
            "discount_pct": discount,
            "tax_rate": DEFAULT_TAX_RATE,
            "net_amount": net,
            "tax_amount": tax,
            "total_amount": total,
        }

    @staticmethod
    def totals(lines: Iterable[dict[str, Any]]) -> dict[str, Decimal]:
        lines = list(lines)
        return {
            "subtotal": sum((ln["net_amount"] for ln in lines), Decimal("0.00")),
            "tax_total": sum((ln["tax_amount"] for ln in lines), Decimal("0.00")),
            "total": sum((ln["total_amount"] for ln in lines), Decimal("0.00")),
        }

    def invoice_lines(self, service_index: int, client, piano) -> list[dict[str, Any]]:
        rng = self.rng
        service = self.plan["services"][service_index]
        kind = service["service_type"]
        client_type = client["client_type"]
        discount = "0"
        if client_type in (ClientType.MUSIC_SCHOOL, ClientType.CONSERVATORY) and rng.random() < 0.7:
            discount = "10"
        elif client_type == ClientType.CONCERT_HALL and rng.random() < 0.3:
            discount = "5"
        elif rng.random() < 0.05:
            discount = rng.choice(("5", "7.5", "15"))
        label = data.SERVICE_LABELS[kind]
        description = f"{label} · {piano['brand']} {piano['model']}"
        if piano["serial_number"]:
            description += f" (n.º {piano['serial_number']})"
        lines = [self.line(1, LineKind.SERVICE, description, "1", service["cost"], discount)]
        # Parts taken from stock are billed at the price recorded on the service.
        for material in self.materials_of.get(service_index, ()):
            item = data.INVENTORY_ITEMS[material["_item"]]
            lines.append(
                self.line(
                    len(lines) + 1,
                    LineKind.PART,
                    item.name,
                    material["quantity"],
                    material["unit_price"],
                )
            )
        if kind == ServiceType.REPAIR and len(lines) == 1 and rng.random() < 0.3:
            part, quantity, price = rng.choice(
                (
                    ("Bordón entorchado a medida", "1", "28.00"),
                    ("Muelle de báscula", "3", "2.40"),
                    ("Martillo de repuesto", "1", "16.50"),
                    ("Cuerda de acero (tramo, m)", "2.5", "1.35"),
                    ("Fieltro de pedal", "2", "3.15"),
                )
            )
            lines.append(self.line(len(lines) + 1, LineKind.PART, part, quantity, price))
        if kind in (ServiceType.MAINTENANCE_COMPLETE, ServiceType.MAINTENANCE_PREMIUM) and (
            rng.random() < 0.4
        ):
            lines.append(
                self.line(
                    len(lines) + 1, LineKind.MATERIAL, "Kit de limpieza y lubricación", "1", "12.50"
                )
            )
        if client["city"] != self.main_city.name and rng.random() < 0.7:
            km = rng.randint(12, 95)
            lines.append(
                self.line(
                    len(lines) + 1, LineKind.TRAVEL, f"Desplazamiento ({km} km)", str(km), "0.38"
                )
            )
        return lines

    # -- quotes ------------------------------------------------------------------
    def quotes(self) -> None:
        rng = self.rng
        today = self.today
        invoices = self.plan["invoices"]
        big = (
            ServiceType.REGULATION,
            ServiceType.RESTORATION,
            ServiceType.REPAIR,
            ServiceType.MAINTENANCE_PREMIUM,
        )
        convertible = [
            i
            for i, inv in enumerate(invoices)
            if inv["status"] == InvoiceStatus.PAID
            and inv["issue_date"] >= today - timedelta(days=700)
            and self.plan["services"][inv["_service"]]["service_type"] in big
            and inv["subtotal"] >= 150
        ]
        converted = sorted(rng.sample(convertible, min(CONVERTED_QUOTES, len(convertible))))
        for invoice_index in converted:
            invoice = invoices[invoice_index]
            quote_date = self.working_day(
                invoice["issue_date"] - timedelta(days=rng.randint(7, 25)), self.today
            )
            client_since = self.plan["clients"][invoice["_client"]]["created_at"]
            quote_date = max(quote_date, client_since.astimezone(MADRID).date())
            service = self.plan["services"][invoice["_service"]]
            lines = [
                {
                    k: v
                    for k, v in ln.items()
                    if not k.startswith("_") and k not in ("created_at", "updated_at")
                }
                for ln in self.plan["invoice_lines"]
                if ln["_invoice"] == invoice_index
            ]
            title = data.SERVICE_LABELS[service["service_type"]]
            piano = self.plan["pianos"][invoice["_piano"]]
            self.quote(
                QuoteStatus.CONVERTED,
                invoice["_client"],
                invoice["_piano"],
                quote_date,
                f"{title} · {piano['brand']} {piano['model']}",
                lines,
                invoice_index,
            )

        statuses = [s for s, n in QUOTE_MIX.items() for _ in range(n)]
        while len(statuses) + len(converted) < QUOTES:
            statuses.append(QuoteStatus.REJECTED)
        clients = self.plan["clients"]
        weights = [
            0 if c["archived"] else (5 if c["client_type"] in INSTITUTIONS else 1) for c in clients
        ]
        pianos_of: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(self.plan["pianos"]):
            if not p["archived"] and p["category"] != PianoCategory.DIGITAL:
                pianos_of[p["_client"]].append(i)
        for status in statuses:
            ago = {
                QuoteStatus.DRAFT: (0, 4),
                QuoteStatus.SENT: (1, 20),
                QuoteStatus.ACCEPTED: (5, 25),
                QuoteStatus.REJECTED: (30, 700),
                QuoteStatus.EXPIRED: (45, 700),
            }[status]
            quote_date = self.working_day(today - timedelta(days=rng.randint(*ago)), today)
            # A client that already existed on that day.
            known = [
                w if c["created_at"].astimezone(MADRID).date() <= quote_date else 0
                for w, c in zip(weights, clients, strict=True)
            ]
            client_index = rng.choices(range(len(clients)), weights=known)[0]
            client = clients[client_index]
            own = [
                i
                for i in pianos_of.get(client_index, [])
                if self.plan["pianos"][i]["created_at"].astimezone(MADRID).date() <= quote_date
            ]
            piano_index = rng.choice(own) if own else None
            if client["client_type"] in (ClientType.MUSIC_SCHOOL, ClientType.CONSERVATORY) and (
                rng.random() < 0.6
            ):
                n = len(own) or 1
                course_year = quote_date.year if quote_date.month >= 7 else quote_date.year - 1
                title = data.INSTITUTION_QUOTE_TITLE.format(
                    n=n, course=f"{course_year}-{course_year + 1}"
                )
                lines = [
                    self.line(
                        1,
                        "service",
                        f"Afinación ({n} pianos, dos visitas al año)",
                        str(2 * n),
                        "85.00",
                        "10",
                    ),
                    self.line(
                        2, "service", "Regulación ligera del piano del auditorio", "1", "250.00"
                    ),
                ]
                piano_index = None
            else:
                template_title, template_lines = rng.choice(data.QUOTE_TEMPLATES)
                title = template_title
                if piano_index is not None:
                    piano = self.plan["pianos"][piano_index]
                    title += f" · {piano['brand']} {piano['model']}"
                lines = [self.line(pos, *spec) for pos, spec in enumerate(template_lines, start=1)]
            self.quote(status, client_index, piano_index, quote_date, title, lines, None)

        # Numbers for every quote that left the draft state, per year in date order.
        numbered = [q for q in self.plan["quotes"] if q["status"] != QuoteStatus.DRAFT]
        numbered.sort(key=lambda q: (q["quote_date"], q["created_at"]))
        per_year: Counter[int] = Counter()
        for quote in numbered:
            year = quote["quote_date"].year
            per_year[year] += 1
            quote["number"] = f"P-{year}-{per_year[year]:04d}"

    def quote(self, status, client_index, piano_index, quote_date, title, lines, invoice_index):
        rng = self.rng
        created = self.stamp("quotes", self.office_time(quote_date, 9, 20))
        index = len(self.plan["quotes"])
        for line in lines:
            line["_quote"] = index
            line["created_at"] = created
            line["updated_at"] = created
        self.plan["quote_lines"].extend(lines)
        if invoice_index is not None:
            self.plan["invoices"][invoice_index]["_quote"] = index
        self.plan["quotes"].append(
            {
                "_client": client_index,
                "_piano": piano_index,
                "_invoice": invoice_index,
                "number": None,
                "title": title[:200],
                "quote_date": quote_date,
                "valid_until": quote_date + timedelta(days=30),
                "status": status,
                "notes": rng.choice(
                    (
                        "Presupuesto válido 30 días.",
                        "Plazo de ejecución: dos semanas desde la aceptación.",
                        "Incluye garantía de seis meses sobre la mano de obra.",
                        "",
                    )
                ),
                "converted_invoice_id": None,
                **self.totals(lines),
                "created_at": created,
                "updated_at": created,
            }
        )

    def counters(self) -> None:
        """One counter per kind and year, at the last number issued."""
        for kind, documents in (
            (DocumentKind.INVOICE, self.plan["invoices"]),
            (DocumentKind.QUOTE, self.plan["quotes"]),
        ):
            last: dict[int, tuple[int, datetime]] = {}
            for document in documents:
                if document["number"] is None:
                    continue
                year, number = (int(part) for part in document["number"].split("-")[1:])
                previous = last.get(year, (0, document["created_at"]))
                last[year] = (max(previous[0], number), max(previous[1], document["created_at"]))
            for year in sorted(last):
                number, moment = last[year]
                self.plan["counters"].append(
                    {
                        "kind": kind,
                        "year": year,
                        "last_number": number,
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )

    # -- reminders ---------------------------------------------------------------
    def reminders(self) -> None:
        rng = self.rng
        today = self.today
        pianos = self.plan["pianos"]
        clients = self.plan["clients"]
        due_pianos = [
            i
            for i, p in enumerate(pianos)
            if not p["archived"]
            and p["category"] != PianoCategory.DIGITAL
            and p["service_interval_months"] != 0
        ]
        # Due-service reminders (one per piano and cycle), then manual ones.
        for n, piano_index in enumerate(rng.sample(due_pianos, DUE_SERVICE_REMINDERS)):
            piano = pianos[piano_index]
            client = clients[piano["_client"]]
            due = today + timedelta(days=rng.randint(-10, 25))
            done = n < 2 and due < today
            self.reminder(
                piano["_client"],
                piano_index,
                rng.choice((ReminderType.EMAIL, ReminderType.WHATSAPP)),
                ReminderSource.DUE_SERVICE,
                due,
                f"Aviso de afinación: {piano['brand']} {piano['model']} ({client['name']})",
                "Generado a partir del intervalo de servicio del piano.",
                done,
                cycle=due,
            )
        active_clients = [i for i, c in enumerate(clients) if not c["archived"]]
        client_pianos: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(pianos):
            client_pianos[p["_client"]].append(i)
        for state, count in MANUAL_REMINDERS:
            for _ in range(count):
                client_index = rng.choice(active_clients)
                own = client_pianos.get(client_index, [])
                piano_index = rng.choice(own) if own and rng.random() < 0.7 else None
                kind = rng.choice(list(ReminderType))
                due = {
                    "done": lambda: today - timedelta(days=rng.randint(5, 300)),
                    "overdue": lambda: today - timedelta(days=rng.randint(1, 20)),
                    "upcoming": lambda: today + timedelta(days=rng.randint(0, 30)),
                }[state]()
                self.reminder(
                    client_index,
                    piano_index,
                    kind,
                    ReminderSource.MANUAL,
                    due,
                    rng.choice(data.REMINDER_TITLES[kind.value]),
                    "",
                    state == "done",
                )

    def reminder(
        self, client_index, piano_index, kind, source, due, title, notes, done, cycle=None
    ):
        rng = self.rng
        client = self.plan["clients"][client_index]
        if due < self.today:
            created = self.office_time(due - timedelta(days=rng.randint(1, 20)))
        else:
            created = self.now - timedelta(days=rng.randint(0, 15), hours=rng.randint(1, 8))
        created = self.stamp("reminders", max(created, client["created_at"] + timedelta(hours=1)))
        done_at = (
            self.past(self.office_time(due + timedelta(days=rng.randint(0, 2)))) if done else None
        )
        if done_at is not None:
            done_at = max(done_at, created + timedelta(minutes=1))
        self.plan["reminders"].append(
            {
                "_client": client_index,
                "_piano": piano_index,
                "reminder_type": kind,
                "source": source,
                "due_cycle_date": cycle,
                "due_date": due,
                "title": title[:200],
                "notes": notes,
                "done": done,
                "done_at": done_at,
                "created_at": created,
                "updated_at": done_at or created,
            }
        )


# --- Writing -----------------------------------------------------------------------


class _Writer:
    """Inserts a plan in foreign-key order, reading parent ids back."""

    def __init__(
        self, conn: sa.Connection, technician_id: int, advance: Callable[[str, int], None]
    ):
        self.conn = conn
        self.technician_id = technician_id
        self.advance = advance

    def insert(self, model, rows: list[dict[str, Any]], label: str) -> None:
        if rows:
            table = model.__table__
            for row in rows:
                row["technician_id"] = self.technician_id
            self.conn.execute(table.insert(), rows)
        self.advance(label, len(rows))

    def insert_mapped(self, model, rows: list[dict[str, Any]], label: str) -> list[int]:
        """Insert ``rows`` and return their ids, in the same order."""
        self.insert(model, rows, label)
        table = model.__table__
        found = self.conn.execute(
            sa.select(table.c.id, table.c.created_at).where(
                table.c.technician_id == self.technician_id
            )
        )
        by_created = {created: row_id for row_id, created in found}
        return [by_created[row["created_at"]] for row in rows]

    def write(self, plan: _Plan) -> None:
        tech = self.technician_id
        self.conn.execute(
            BusinessInfo.__table__.insert(), [{**plan.business, "technician_id": tech}]
        )
        self.conn.execute(
            MaintenanceSettings.__table__.insert(), [{**plan.settings, "technician_id": tech}]
        )
        self.advance("Datos fiscales", 2)
        self.insert(ServiceRate, [_strip(r) for r in plan["rates"]], "Tarifas")
        item_ids = self.insert_mapped(
            InventoryItem, [_strip(r) for r in plan["items"]], "Inventario"
        )
        client_ids = self.insert_mapped(Client, [_strip(r) for r in plan["clients"]], "Clientes")
        piano_ids = self.insert_mapped(
            Piano,
            [{**_strip(r), "client_id": client_ids[r["_client"]]} for r in plan["pianos"]],
            "Pianos",
        )

        def piano_id(index: int | None) -> int | None:
            return None if index is None else piano_ids[index]

        appointment_ids = self.insert_mapped(
            Appointment,
            [
                {
                    **_strip(r),
                    "client_id": client_ids[r["_client"]],
                    "piano_id": piano_id(r["_piano"]),
                }
                for r in plan["appointments"]
            ],
            "Citas",
        )
        service_ids = self.insert_mapped(
            Service,
            [
                {
                    **_strip(r),
                    "client_id": client_ids[r["_client"]],
                    "piano_id": piano_ids[r["_piano"]],
                    "appointment_id": (
                        None if r["_appointment"] is None else appointment_ids[r["_appointment"]]
                    ),
                }
                for r in plan["services"]
            ],
            "Servicios",
        )
        self.insert(
            ServiceTask,
            [{**_strip(r), "service_id": service_ids[r["_service"]]} for r in plan["tasks"]],
            "Tareas",
        )
        self.insert(
            ServiceMaterial,
            [
                {
                    **_strip(r),
                    "service_id": service_ids[r["_service"]],
                    "item_id": item_ids[r["_item"]],
                }
                for r in plan["materials"]
            ],
            "Materiales",
        )
        self.insert(
            StockMovement,
            [
                {
                    **_strip(r),
                    "item_id": item_ids[r["_item"]],
                    "service_id": None if r["_service"] is None else service_ids[r["_service"]],
                }
                for r in plan["movements"]
            ],
            "Movimientos de stock",
        )
        quote_ids = self.insert_mapped(
            Quote,
            [
                {
                    **_strip(r),
                    "client_id": client_ids[r["_client"]],
                    "piano_id": piano_id(r["_piano"]),
                }
                for r in plan["quotes"]
            ],
            "Presupuestos",
        )
        self.insert(
            QuoteLine,
            [{**_strip(r), "quote_id": quote_ids[r["_quote"]]} for r in plan["quote_lines"]],
            "Líneas de presupuesto",
        )
        invoice_ids = self.insert_mapped(
            Invoice,
            [
                {
                    **_strip(r),
                    "client_id": client_ids[r["_client"]],
                    "piano_id": piano_ids[r["_piano"]],
                    "service_id": service_ids[r["_service"]],
                    "quote_id": None if r["_quote"] is None else quote_ids[r["_quote"]],
                }
                for r in plan["invoices"]
            ],
            "Facturas",
        )
        self.insert(
            InvoiceLine,
            [
                {**_strip(r), "invoice_id": invoice_ids[r["_invoice"]]}
                for r in plan["invoice_lines"]
            ],
            "Líneas de factura",
        )
        quotes = Quote.__table__
        for quote_id, row in zip(quote_ids, plan["quotes"], strict=True):
            if row["_invoice"] is not None:
                # updated_at given explicitly, or its onupdate would stamp "now".
                invoice = plan["invoices"][row["_invoice"]]
                self.conn.execute(
                    quotes.update()
                    .where(quotes.c.id == quote_id)
                    .values(
                        converted_invoice_id=invoice_ids[row["_invoice"]],
                        updated_at=invoice["created_at"],
                    )
                )
        self.insert(DocumentCounter, [_strip(r) for r in plan["counters"]], "Numeración")
        self.insert(
            Reminder,
            [
                {
                    **_strip(r),
                    "client_id": client_ids[r["_client"]],
                    "piano_id": piano_id(r["_piano"]),
                }
                for r in plan["reminders"]
            ],
            "Recordatorios",
        )


# --- Entry points ------------------------------------------------------------------


def _user_id(conn: sa.Connection, email: str) -> int | None:
    users = User.__table__
    return conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar()


def _has_data(conn: sa.Connection, technician_id: int) -> bool:
    clients = Client.__table__
    found = conn.execute(
        sa.select(clients.c.id).where(clients.c.technician_id == technician_id).limit(1)
    ).first()
    return found is not None


def _insert_user(
    conn: sa.Connection, email: str, name: str, password_hash: str, created: datetime
) -> int:
    conn.execute(
        User.__table__.insert(),
        [
            {
                "email": email,
                "name": name,
                "password_hash": password_hash,
                "is_active": True,
                "created_at": created,
                "updated_at": created,
            }
        ],
    )
    user_id = _user_id(conn, email)
    assert user_id is not None
    return user_id


class _Progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description:<42}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def task(self, label: str, total: int) -> Callable[[str, int], None]:
        if self.bar is None:
            return lambda _phase, _rows: None
        bar = self.bar
        task_id = bar.add_task(label, total=total)

        def advance(phase: str, rows: int) -> None:
            bar.update(task_id, advance=rows, description=f"{label}: {phase}")

        return advance

    def note(self, message: str) -> None:
        if self.bar is not None:
            self.bar.console.print(message)


def load_demo_data(
    engine: sa.Engine,
    *,
    technicians: int = 1,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    progress: bool = True,
    include_owner: bool = True,
    now: datetime | None = None,
) -> list[DemoAccount]:
    """Give ``technicians`` demo accounts their data; skip those that have it.

    The database must already be migrated. Each technician is written in its
    own transaction, so a failure leaves no half-loaded technician. When
    ``include_owner`` and ``OWNER_OPEN_ID`` is an email, that local account
    is created too (without business data) if it does not exist.
    """
    now = (now or utcnow()).astimezone(UTC)
    password_hash: str | None = None

    def hashed() -> str:
        nonlocal password_hash
        if password_hash is None:
            password_hash = hash_password(password)  # once: Argon2 is slow on purpose
        return password_hash

    accounts: list[DemoAccount] = []
    with _Progress(progress) as bar:
        for index in range(1, technicians + 1):
            email, name = demo_email(index), demo_name(index)
            with engine.begin() as conn:
                user_id = _user_id(conn, email)
                if user_id is not None and _has_data(conn, user_id):
                    bar.note(f"{email}: already present")
                    accounts.append(DemoAccount(email, password, name, created=False))
                    continue
                plan = _Generator(index, seed, now).build()
                advance = bar.task(f"Técnico {index}", plan.row_count())
                if user_id is None:
                    user_id = _insert_user(conn, email, name, hashed(), plan.user["created_at"])
                advance("Cuenta", 1)
                _Writer(conn, user_id, advance).write(plan)
            accounts.append(DemoAccount(email, password, name, created=True))

        if include_owner:
            owner = _owner_account(engine, hashed, password, now, {a.email for a in accounts})
            if owner is not None:
                accounts.append(owner)
    return accounts


def _owner_account(
    engine: sa.Engine,
    hashed: Callable[[], str],
    password: str,
    now: datetime,
    demo_emails: set[str],
) -> DemoAccount | None:
    from piano_emotion.settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"warning: owner account skipped: {exc}", file=sys.stderr)
        return None
    email = normalise_email(settings.owner_open_id or "")
    if "@" not in email or email in demo_emails:
        return None  # not set, a Clerk user id, or one of the demo accounts
    with engine.begin() as conn:
        if _user_id(conn, email) is not None:
            return DemoAccount(email, password, settings.owner_name, created=False)
        _insert_user(conn, email, settings.owner_name, hashed(), now)
    return DemoAccount(email, password, settings.owner_name, created=True)


def _positive_or_zero(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m piano_emotion.demo",
        description="Load realistic Spanish demo data (idempotent).",
    )
    parser.add_argument(
        "--technicians",
        type=_positive_or_zero,
        default=1,
        metavar="N",
        help="number of demo technicians (default 1)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="database (default: DATABASE_URL, or sqlite:///piano_emotion.db)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="random seed")
    parser.add_argument(
        "--password",
        default=DEFAULT_PASSWORD,
        metavar="PW",
        help=f"password of the demo accounts (default {DEFAULT_PASSWORD})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if len(args.password) < MIN_PASSWORD_LENGTH:
        parser.error(f"--password needs at least {MIN_PASSWORD_LENGTH} characters")

    from piano_emotion import migrations
    from piano_emotion.db import create_engine_for
    from piano_emotion.db_url import DatabaseUrlError, parse_database_url
    from piano_emotion.settings import SettingsError, get_settings

    try:
        url = args.database_url or get_settings().database_url
        target = parse_database_url(url)
    except (SettingsError, DatabaseUrlError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    engine = create_engine_for(url)
    try:
        if not args.quiet:
            print(f"Applying migrations to {target.redacted()}", file=sys.stderr)
        migrations.upgrade(engine)
        accounts = load_demo_data(
            engine,
            technicians=args.technicians,
            seed=args.seed,
            password=args.password,
            progress=not args.quiet,
        )
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started
    print(f"Demo data ready in {target.redacted()} ({elapsed:.1f} s). Sign in with:")
    for account in accounts:
        state = "created" if account.created else "already present, password unchanged"
        print(f"  {account.email}  password: {account.password}  ({account.name}; {state})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
