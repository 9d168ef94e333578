"""Tolerant date parsing for front matter values and file names."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateutil_parser
from dateutil import tz

_US_ZONES = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "UTC": 0, "GMT": 0, "Z": 0,
    }.items()
}
_ISO_PREFIX = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)")


def aware(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (as Hugo does with no timezone set)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _from_parts(y: str, m: str, d: str) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), tzinfo=UTC)
    except ValueError:
        return None


def _dateutil(text: str, fuzzy: bool) -> tuple[datetime | None, bool]:
    """dateutil with two different defaults: parts it had to fill in differ between them.

    (Its own default is today, which would make a partial date change with the build day.)
    """
    try:
        first = dateutil_parser.parse(text, default=_DEFAULTS[0], tzinfos=_US_ZONES, fuzzy=fuzzy)
        second = dateutil_parser.parse(text, default=_DEFAULTS[1], tzinfos=_US_ZONES, fuzzy=fuzzy)
    except (ValueError, OverflowError):
        return None, False
    if first.year != second.year:
        return None, False  # no year at all: not a date we can place
    return aware(first), first.date() == second.date()


def parse_date(value: object) -> tuple[datetime | None, bool]:
    """Return ``(datetime, exact)``; exact is False when text or parts had to be guessed."""
    if isinstance(value, datetime):
        return aware(value), True
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC), True
    if not isinstance(value, str) or not value.strip():
        return None, False
    text = value.strip()
    try:
        return aware(datetime.fromisoformat(text.replace("Z", "+00:00"))), True
    except ValueError:
        pass
    found, exact = _dateutil(text, fuzzy=False)
    if found is not None:
        return found, exact
    match = _ISO_PREFIX.search(text)
    if match and (found := _from_parts(*match.groups())):
        return found, False
    if not re.search(r"\b\d{4}\b", text):  # fuzzy parsing would invent the year
        return None, False
    found, _ = _dateutil(text, fuzzy=True)
    return found, False


def date_from_filename(name: str) -> datetime | None:
    match = _FILENAME_DATE.match(name)
    return _from_parts(*match.groups()) if match else None


def date_from_path(path: str) -> datetime | None:
    match = _PATH_DATE.search(path)
    return _from_parts(*match.groups()) if match else None


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def display(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def offset_minutes(value: datetime) -> int:
    offset = value.utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)
