"""Cancellation terms read from a property's `pms_settings`, for vendors whose API exposes none
(Cloudbeds v1.3, the QloApps webservice).

`non_refundable` lists rate plan codes (comma-separated) that refund nothing; every other plan
is free to cancel until `free_days` before arrival, then costs `fee_nights` nights. The fee
itself is computed by `hotelbot.pms.policy`, as for the built-in PMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotelbot.pms.schemas import CancellationPolicy

FREE_DAYS = 2
FEE_NIGHTS = 1


@dataclass(frozen=True)
class SettingsPolicy:
    """The hotel's cancellation terms, one `CancellationPolicy` per rate plan code."""

    non_refundable: frozenset[str] = frozenset()
    free_days: int = FREE_DAYS
    fee_nights: int = FEE_NIGHTS

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SettingsPolicy:
        """Read `non_refundable`, `free_days` and `fee_nights`; a missing or empty value keeps
        the default."""
        return cls(
            non_refundable=codes(settings.get("non_refundable")),
            free_days=int(settings.get("free_days") or FREE_DAYS),
            fee_nights=int(settings.get("fee_nights") or FEE_NIGHTS),
        )

    def for_plan(self, plan_code: str) -> CancellationPolicy:
        if plan_code in self.non_refundable:
            return CancellationPolicy(refundable=False, description="Non-refundable")
        return CancellationPolicy(
            refundable=True, deadline_days_before=self.free_days, fee_nights=self.fee_nights
        )


def codes(raw: str | None) -> frozenset[str]:
    """A comma-separated settings value as a set of codes (blanks dropped)."""
    return frozenset(part.strip() for part in (raw or "").split(",") if part.strip())
