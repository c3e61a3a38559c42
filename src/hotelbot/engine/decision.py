"""What a flow decided to say, before it becomes words: the contract between flows and compose.

Flows never write guest-facing text. They return `Speech` items naming text keys, menus and
profile topics; `compose()` renders them in the guest's language. That keeps every sentence
in `engine/texts/` and every fact in the property profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Say:
    """One text from `engine/texts/<lang>.json`; `{hotel}` is always available."""

    key: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Menu:
    """A text with reply buttons; each option `o` is titled by key `menu.<o>`, id `menu:<o>`."""

    key: str
    options: tuple[str, ...] = ("info", "book", "human")


@dataclass(frozen=True)
class TopicList:
    """A list message of the FAQ topics the property's profile answers."""

    key: str = "topics.body"


@dataclass(frozen=True)
class Fact:
    """The profile's answer about one topic (for `location`, also the map pin)."""

    topic: str


@dataclass(frozen=True)
class HotelPin:
    """The hotel's location as a map pin, when the profile has coordinates."""


@dataclass(frozen=True)
class Option:
    """One choice offered to the guest; `id` comes back as the choice when it is picked.

    Title and description are texts too (keys with params), so a value from a tool result
    (a reference, a menu item, a price) reaches the guest only through a template.
    """

    id: str
    title: Say
    description: Say | None = None


@dataclass(frozen=True)
class Options:
    """A text with choices: up to 3 without descriptions become reply buttons, otherwise a
    list (at most 10 rows) opened by the button titled by text key `button`."""

    body: Say
    options: tuple[Option, ...]
    button: str


Speech = Say | Menu | TopicList | Fact | HotelPin | Options


@dataclass
class Decision:
    #: Flow name, used as the turn-duration metric label.
    flow: str
    language: str
    speech: list[Speech] = field(default_factory=list)
