"""QloApps answers → our contract: the pure mapping functions, on shapes written by us."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hotelbot.pms.adapters import qloapps_mapping as mapping


def test_a_room_type_is_bookable_only_in_a_room_free_every_night() -> None:
    """A guest keeps one room all stay: one free room per night is not enough if it changes."""
    days = [
        {
            "date_from": night,
            "room_types": [
                {
                    "id_room_type": "11",
                    "total_price": 90,
                    "total_price_with_tax": 99,
                    "rooms": {"available": [{"id_room": r, "room_number": f"G-{r}"} for r in free]},
                }
            ],
        }
        for night, free in (("2026-07-09", ["101", "102"]), ("2026-07-10", ["102", "103"]))
    ]
    assert mapping.ari_stay(days, "11") is not None
    assert mapping.ari_stay(days, "11")[1] == 1  # type: ignore[index]
    days[1]["room_types"][0]["rooms"]["available"] = [{"id_room": "103", "room_number": "G-3"}]
    assert mapping.ari_stay(days, "11")[1] == 0  # type: ignore[index]
    assert mapping.ari_stay(days, "12") is None


def test_booked_amount_is_spread_over_the_nights_to_the_cent() -> None:
    days = [dt.date(2026, 7, 9) + dt.timedelta(days=i) for i in range(3)]
    nights = mapping.spread(Decimal("100.00"), days)
    assert [n.amount for n in nights] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_an_empty_listing_comes_as_a_bare_list() -> None:
    assert mapping.listing([], "orders") == []
    assert mapping.listing({"orders": [{"id": 7}]}, "orders") == [{"id": 7}]


def test_multi_language_text_takes_the_first_language_without_html() -> None:
    assert mapping.text([{"id": "1", "value": "<p>Sea view</p>"}, {"id": "2", "value": "Mer"}]) == (
        "Sea view"
    )
    assert mapping.text("Single-language shop") == "Single-language shop"


def test_shop_local_times_become_utc() -> None:
    when = mapping.local_time("2026-07-09 15:30:00", "Europe/Lisbon")
    assert when == dt.datetime(2026, 7, 9, 14, 30, tzinfo=dt.UTC)
