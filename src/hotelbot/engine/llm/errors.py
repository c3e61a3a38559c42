"""`LlmError` and its kinds. Raised by providers and the LLM turn; `handle_turn` catches every
one of them and answers the turn from the offline engine."""

from __future__ import annotations

from hotelbot.errors import ExternalServiceError


class LlmError(ExternalServiceError):
    code = "llm_error"
    #: Metric label of the outcome (`hotelbot_llm_requests_total{outcome}`).
    outcome = "error"


class LlmTimeout(LlmError):
    code = "llm_timeout"
    outcome = "timeout"


class LlmUnavailable(LlmError):
    """The provider refused or failed (5xx, 429 after retries, connection), or the circuit is
    open."""

    code = "llm_unavailable"
    outcome = "unavailable"


class LlmBadOutput(LlmError):
    """The model answered, but not in the shape asked for (invalid JSON, unknown tool, ...)."""

    code = "llm_bad_output"
    outcome = "bad_output"


class LlmOverBudget(LlmError):
    """The property's daily budget is spent: the offline engine answers until tomorrow."""

    code = "llm_over_budget"
    outcome = "over_budget"


class LlmUngrounded(LlmError):
    """The reply stated a price, date, availability or reference no tool returned this turn."""

    code = "llm_ungrounded"
    outcome = "ungrounded"
