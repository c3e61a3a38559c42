"""The learned intent classifier: linear heads over a message's multilingual-e5 vector.

Trained by `hotelbot train` (`hotelbot.training`) and shipped in `data/intent_model.npz`
(~70 KB): an intent head (our 16 intents, calibrated by one temperature, with a confidence
floor below which a message is out of scope), an FAQ-topic head, a service head and one
logistic detector per dialogue act. Tuned on the dev split only (see docs/quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

INTENTS = (
    "book", "modify_booking", "cancel_booking", "booking_status", "faq", "service_request",
    "handoff", "complaint", "greeting", "thanks", "goodbye", "affirm", "negate", "bot_question",
    "opt_out", "out_of_scope",
)  # fmt: skip
TOPICS = (
    "checkin_time", "checkout_time", "breakfast", "parking", "pets", "wifi", "pool", "gym",
    "location", "cancellation_policy", "payment", "accessibility", "airport",
)  # fmt: skip
SERVICES = (
    "housekeeping", "towels", "maintenance", "late_checkout", "taxi", "airport_transfer",
    "room_service", "extra_bed",
)  # fmt: skip
#: Acts a message can carry alongside its intent ("no thanks, bye" is three).
ACTS = ("affirm", "negate", "thanks", "goodbye", "greeting")
MODEL_FILE = "intent_model.npz"

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Head:
    """A linear layer: softmax over `labels`, or one sigmoid per label for the acts."""

    labels: tuple[str, ...]
    weights: Matrix  # (dim, len(labels))
    bias: Matrix  # (len(labels),)

    def logits(self, x: Matrix) -> Matrix:
        return np.asarray(x @ self.weights + self.bias)


def _softmax(z: Matrix) -> Matrix:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class Prediction:
    intent: str
    #: Calibrated probability of `intent` (before the out-of-scope floor replaced it).
    confidence: float
    topic: str
    topic_confidence: float
    service: str
    service_confidence: float
    acts: frozenset[str]
    #: The head's own best guess, kept when the floor made it out of scope.
    guess: str


@dataclass(frozen=True)
class IntentModel:
    intent: Head
    topic: Head
    service: Head
    acts: Head
    temperature: float = 1.0
    #: Below this calibrated confidence the intent is out of scope (tuned on dev).
    floor: float = 0.0
    act_thresholds: tuple[float, ...] = (0.5, 0.5, 0.5, 0.5, 0.5)
    #: Hash of the training examples (`training.build.data_digest`): which data made it.
    data_digest: str = ""

    def predict(self, vector: npt.NDArray[np.float32]) -> Prediction:
        x = np.asarray(vector, dtype=np.float64).reshape(1, -1)
        probs = _softmax(self.intent.logits(x)[0] / self.temperature)
        best = int(probs.argmax())
        guess = self.intent.labels[best]
        intent = guess if probs[best] >= self.floor else "out_of_scope"
        topic = _softmax(self.topic.logits(x)[0])
        service = _softmax(self.service.logits(x)[0])
        act_p = 1.0 / (1.0 + np.exp(-self.acts.logits(x)[0]))
        acts = frozenset(
            a for a, p, t in zip(self.acts.labels, act_p, self.act_thresholds, strict=True)
            if p >= t
        )  # fmt: skip
        return Prediction(
            intent=intent,
            confidence=round(float(probs[best]), 4),
            topic=self.topic.labels[int(topic.argmax())],
            topic_confidence=round(float(topic.max()), 4),
            service=self.service.labels[int(service.argmax())],
            service_confidence=round(float(service.max()), 4),
            acts=acts,
            guess=guess,
        )

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            self.save_to(handle)

    def save_to(self, handle: IO[bytes]) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "temperature": np.array(self.temperature),
            "floor": np.array(self.floor),
            "act_thresholds": np.array(self.act_thresholds),
            "data_digest": np.array(self.data_digest),
        }
        for name in ("intent", "topic", "service", "acts"):
            head: Head = getattr(self, name)
            arrays[f"{name}_labels"] = np.array(head.labels)
            arrays[f"{name}_weights"] = head.weights.astype(np.float32)
            arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, source: IO[bytes]) -> IntentModel:
        stored = np.load(source)

        def head(name: str) -> Head:
            return Head(
                tuple(str(s) for s in stored[f"{name}_labels"]),
                np.asarray(stored[f"{name}_weights"], dtype=np.float64),
                np.asarray(stored[f"{name}_bias"], dtype=np.float64),
            )

        return cls(
            intent=head("intent"),
            topic=head("topic"),
            service=head("service"),
            acts=head("acts"),
            temperature=float(stored["temperature"]),
            floor=float(stored["floor"]),
            act_thresholds=tuple(float(t) for t in stored["act_thresholds"]),
            data_digest=str(stored["data_digest"]),
        )

    def same_as(self, other: IntentModel, *, tolerance: float = 1e-3) -> bool:
        """Equal up to float noise: what a retrain on the same data must give."""
        scalars = (self.temperature, self.floor, *self.act_thresholds)
        theirs = (other.temperature, other.floor, *other.act_thresholds)
        if self.data_digest != other.data_digest or not np.allclose(scalars, theirs):
            return False
        return all(
            getattr(self, n).labels == getattr(other, n).labels
            and np.allclose(getattr(self, n).weights, getattr(other, n).weights, atol=tolerance)
            and np.allclose(getattr(self, n).bias, getattr(other, n).bias, atol=tolerance)
            for n in ("intent", "topic", "service", "acts")
        )


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel:
    """The model file in the package (written by `hotelbot train`)."""
    ref = resources.files(__package__).joinpath("data", MODEL_FILE)
    with ref.open("rb") as handle:
        return IntentModel.load(handle)
