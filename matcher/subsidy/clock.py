"""The bureau's calendar: dates are local (China Standard Time, UTC+8, no DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BUREAU_TZ = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The bureau's calendar day of ``moment`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BUREAU_TZ).date()


def today() -> date:
    """Today in the bureau's time zone."""
    return datetime.now(BUREAU_TZ).date()
