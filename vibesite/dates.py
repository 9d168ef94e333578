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
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)")


def aware(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (as Hugo does with no timezone set)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _from_parts(y: str, m: str, d: str) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), tzinfo=UTC)
    except ValueError:
        return None


def parse_date(value: object) -> tuple[datetime | None, bool]:
    """Return ``(datetime, exact)``; exact is False when extra text had to be ignored."""
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
    try:
        return aware(dateutil_parser.parse(text, tzinfos=_US_ZONES)), True
    except (ValueError, OverflowError):
        pass
    match = _ISO_PREFIX.search(text)
    if match and (found := _from_parts(*match.groups())):
        return found, False
    if not re.search(r"\b\d{4}\b", text):  # fuzzy parsing would fill in today's date
        return None, False
    try:
        return aware(dateutil_parser.parse(text, tzinfos=_US_ZONES, fuzzy=True)), False
    except (ValueError, OverflowError):
        return None, False


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
