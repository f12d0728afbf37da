"""A schedule's rules, without the database: slots from a pattern, public holidays, half-days.

"Every weekday from 14/09 to 25/09, 9:00–12:30 and 13:30–17:00" is a `Pattern`: `pattern_slots`
gives its slots, skipping French public holidays (the maintained `holidays` library: Easter
Monday, Ascension and Whit Monday move every year, which a hand-written list gets wrong).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import holidays

from attendance.models import minutes_between

# A slot that starts before 13:00 is (at least partly) in the morning, one that ends after 13:00
# is (at least partly) in the afternoon: a sign-in sheet has one signature per half-day.
MIDDAY = datetime.time(13, 0)
MORNING, AFTERNOON = "morning", "afternoon"
HALF_DAYS = (MORNING, AFTERNOON)


@dataclass(frozen=True)
class TimeRange:
    start: datetime.time
    end: datetime.time

    @property
    def minutes(self) -> int:
        return minutes_between(self.start, self.end)

    def overlaps(self, other: TimeRange) -> bool:
        return self.start < other.end and other.start < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class PlannedSlot:
    date: datetime.date
    time_range: TimeRange


@dataclass(frozen=True)
class Pattern:
    first: datetime.date
    last: datetime.date
    # Days of the week, Monday = 0 (datetime.date.weekday()).
    weekdays: frozenset[int]
    ranges: tuple[TimeRange, ...]
    skip_public_holidays: bool = True


def french_public_holidays(first: datetime.date, last: datetime.date) -> dict[datetime.date, str]:
    """France's public holidays (metropolitan list) between two dates, with their French names."""
    calendar = holidays.country_holidays(
        "FR", years=range(first.year, last.year + 1), language="fr"
    )
    return {day: name for day, name in calendar.items() if first <= day <= last}


def _days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def pattern_slots(pattern: Pattern) -> tuple[list[PlannedSlot], dict[datetime.date, str]]:
    """The slots of a pattern, in order, and the public holidays it skipped (date → name)."""
    public_holidays = (
        french_public_holidays(pattern.first, pattern.last) if pattern.skip_public_holidays else {}
    )
    slots: list[PlannedSlot] = []
    skipped: dict[datetime.date, str] = {}
    for day in _days(pattern.first, pattern.last):
        if day.weekday() not in pattern.weekdays:
            continue
        if day in public_holidays:
            skipped[day] = public_holidays[day]
            continue
        slots.extend(PlannedSlot(day, time_range) for time_range in pattern.ranges)
    return slots, skipped


def overlapping_ranges(ranges: Sequence[TimeRange]) -> list[tuple[TimeRange, TimeRange]]:
    """The pairs of ranges that overlap (a pattern's ranges must not)."""
    return [
        (first, second)
        for index, first in enumerate(ranges)
        for second in ranges[index + 1 :]
        if first.overlaps(second)
    ]


def half_days_of(start: datetime.time, end: datetime.time) -> tuple[str, ...]:
    """The half-days a slot touches: a morning slot, an afternoon slot, or both (a whole day)."""
    touched = []
    if start < MIDDAY:
        touched.append(MORNING)
    if end > MIDDAY:
        touched.append(AFTERNOON)
    return tuple(touched)
