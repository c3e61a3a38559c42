"""Render prompt templates in Jinja2's `SandboxedEnvironment`: a template reaches only the
plain values it declares (strings, numbers, lists and dicts of them), never a Python object,
attribute or callable. `check()` refuses a template with a syntax error or a variable it does
not declare, with a message an editor can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from hotelbot.errors import InvalidInput
from hotelbot.kit.redact import redact

_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)
MAX_TEMPLATE_CHARS = 20_000


class TemplateError(InvalidInput):
    code = "invalid_template"


def check(body: str, declared: Iterable[str]) -> None:
    """Raise `TemplateError` (422) unless `body` parses and uses only `declared` variables."""
    if len(body) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"template longer than {MAX_TEMPLATE_CHARS} characters")
    try:
        parsed = _ENV.parse(body)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"syntax error on line {exc.lineno}: {exc.message}") from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(declared))
    if unknown:
        raise TemplateError(f"unknown variable(s): {', '.join(unknown)}")


def render(body: str, context: Mapping[str, Any]) -> str:
    """The template filled in; every string in `context` is redacted first (no secret a guest
    typed can reach a prompt through a variable)."""
    try:
        return _ENV.from_string(body).render(**_plain(context))
    except (UndefinedError, SecurityError, TemplateSyntaxError, TypeError, ValueError) as exc:
        raise TemplateError(f"template could not be rendered: {type(exc).__name__}") from exc


def _plain(value: Any) -> Any:
    """Only JSON-like values cross into a template."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return redact(str(value))
