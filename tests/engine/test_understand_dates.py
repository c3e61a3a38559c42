"""Stay dates in six languages resolve against the property's today (Tuesday 5 January 2027)."""

from __future__ import annotations

from datetime import date

import pytest

from hotelbot.engine.understand.dates import parse_dates

TODAY = date(2027, 1, 5)

CASES = [
    ("en", "next Friday", "2027-01-08", None, None),
    ("en", "tomorrow", "2027-01-06", None, None),
    ("en", "3-5 Dec", "2027-12-03", "2027-12-05", 2),
    ("en", "from the 14th to the 16th", "2027-01-14", "2027-01-16", 2),
    ("en", "March 3rd for 2 nights", "2027-03-03", "2027-03-05", 2),
    ("en", "this weekend", "2027-01-08", "2027-01-10", 2),
    ("en", "the 8th", "2027-01-08", None, None),
    ("en", "on the 2nd", "2027-02-02", None, None),
    ("es", "del 3 al 5 de diciembre", "2027-12-03", "2027-12-05", 2),
    ("es", "el próximo viernes, dos noches", "2027-01-08", "2027-01-10", 2),
    ("es", "pasado mañana por la mañana", "2027-01-07", None, None),
    ("de", "vom 3. bis 5. Dezember", "2027-12-03", "2027-12-05", 2),
    ("de", "nächsten Freitag für 3 Nächte", "2027-01-08", "2027-01-11", 3),
    ("fr", "du 3 au 5 décembre", "2027-12-03", "2027-12-05", 2),
    ("fr", "une semaine à partir du 3 mars", "2027-03-03", "2027-03-10", 7),
    ("it", "dal 3 al 5 dicembre", "2027-12-03", "2027-12-05", 2),
    ("it", "dal 5 all'8 marzo", "2027-03-05", "2027-03-08", 3),
    ("it", "dall\u20198 all\u201911 marzo", "2027-03-08", "2027-03-11", 3),
    ("it", "venerdì prossimo", "2027-01-08", None, None),
    ("pt", "de 3 a 5 de dezembro", "2027-12-03", "2027-12-05", 2),
    ("pt", "sexta-feira que vem", "2027-01-08", None, None),
    ("es", "25/03", "2027-03-25", None, None),
    ("en", "for 2 nights", None, None, 2),
    # Words that merely contain a departure cue ("dates" ~ "ate", "this" ~ "bis") are not one.
    ("en", "change the dates to 09/02 - 12/02", "2027-02-09", "2027-02-12", 3),
    ("en", "new dates: 14/02 - 16/02", "2027-02-14", "2027-02-16", 2),
    ("it", "cambiare le date dal 09/02 al 12/02", "2027-02-09", "2027-02-12", 3),
    ("pt", "mudar as datas de 09/02 até 12/02", "2027-02-09", "2027-02-12", 3),
    ("fr", "changer les dates du 09/02 au 12/02", "2027-02-09", "2027-02-12", 3),
    ("en", "this 14/02 please", "2027-02-14", None, None),
    ("en", "leaving on the 12th", None, "2027-01-12", None),
]


@pytest.mark.parametrize(("language", "text", "check_in", "check_out", "nights"), CASES)
def test_dates_resolve_against_the_property_today(
    language: str, text: str, check_in: str | None, check_out: str | None, nights: int | None
) -> None:
    found = parse_dates(text, language=language, today=TODAY)
    assert (found.check_in.isoformat() if found.check_in else None) == check_in
    assert (found.check_out.isoformat() if found.check_out else None) == check_out
    assert found.nights == nights


def test_a_bare_day_already_past_means_next_month() -> None:
    found = parse_dates("the 3rd", language="en", today=TODAY)
    assert found.check_in == date(2027, 2, 3)


def test_a_month_already_past_means_next_year() -> None:
    assert parse_dates("4 January", language="en", today=TODAY).check_in == date(2028, 1, 4)


def test_an_english_numeric_date_with_both_readings_is_ambiguous() -> None:
    found = parse_dates("arriving 03/04", language="en", today=TODAY)
    assert found.ambiguous
    assert not parse_dates("llego el 03/04", language="es", today=TODAY).ambiguous


def test_greetings_and_head_counts_are_not_dates() -> None:
    assert parse_dates("Guten Morgen", language="de", today=TODAY).check_in is None
    assert parse_dates("2-3 people", language="en", today=TODAY).check_in is None
