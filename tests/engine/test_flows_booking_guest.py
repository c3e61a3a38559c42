"""Reading a guest's full name for a booking: particles stay with the surname after them."""

from __future__ import annotations

import pytest

from hotelbot.engine.flows.booking_guest import name_of
from hotelbot.engine.flows.manage_lookup import surname_in


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("Maria José da Silva", "pt", ("Maria José", "da Silva")),
        ("Karim El Amrani", "fr", ("Karim", "El Amrani")),
        ("Pieter van der Berg", "en", ("Pieter", "van der Berg")),
        ("José Ortega y Gasset", "es", ("José", "Ortega y Gasset")),
        ("Juan García López", "es", ("Juan", "García López")),
    ],
)
def test_the_surname_keeps_its_particles(
    typed: str, language: str, expected: tuple[str, str]
) -> None:
    assert name_of(typed, language) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("DEM-7K2M9Q4P El Amrani", "El Amrani"),
        ("mi reserva es DEM-7K2M9Q4P y mi apellido es de la Cruz", "de la Cruz"),
        ("DEM-7K2M9Q4P y García", "García"),
    ],
)
def test_a_surname_typed_with_a_reference_keeps_its_particles_but_not_the_sentence(
    typed: str, expected: str
) -> None:
    assert surname_in(typed, "DEM-7K2M9Q4P") == expected
