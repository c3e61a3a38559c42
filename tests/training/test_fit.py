"""The numpy heads learn, are deterministic, and the temperature calibrates them."""

from __future__ import annotations

import io

import numpy as np

from hotelbot.engine.understand.intent_model import Head, IntentModel
from hotelbot.training.fit import fit_sigmoid, fit_softmax, fit_temperature, softmax


def _blobs(seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = {"a": [3.0, 0.0, 0.0], "b": [0.0, 3.0, 0.0], "c": [0.0, 0.0, 3.0]}
    x = np.vstack([rng.normal(c, 0.7, size=(40, 3)) for c in centres.values()])
    return x, [label for label in centres for _ in range(40)]


def test_softmax_head_separates_classes_and_is_deterministic() -> None:
    x, y = _blobs()
    head = fit_softmax(x, y)
    assert head.labels == ("a", "b", "c")
    predicted = [head.labels[i] for i in head.logits(x).argmax(axis=1)]
    assert np.mean([p == g for p, g in zip(predicted, y, strict=True)]) > 0.95
    again = fit_softmax(x, y)
    assert np.array_equal(head.weights, again.weights) and np.array_equal(head.bias, again.bias)


def test_rare_classes_weigh_as_much_as_common_ones() -> None:
    x, y = _blobs()
    keep = [i for i, label in enumerate(y) if label != "c" or i % 10 == 0]  # 4 rows of "c"
    head = fit_softmax(x[keep], [y[i] for i in keep])
    probe = np.array([[0.0, 0.0, 3.0]])
    assert head.labels[int(head.logits(probe).argmax())] == "c"


def test_sigmoid_heads_find_several_labels_at_once() -> None:
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]] * 10)
    y = [frozenset({"p"}), frozenset({"q"}), frozenset({"p", "q"}), frozenset()] * 10
    head = fit_sigmoid(x, y, ("p", "q"), steps=600)
    found = 1 / (1 + np.exp(-head.logits(np.array([[1.0, 1.0], [0.0, 0.0]])))) > 0.5
    assert found.tolist() == [[True, True], [False, False]]


def test_temperature_softens_an_overconfident_head() -> None:
    logits = np.array([[8.0, 0.0], [8.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    gold = [0, 0, 1, 1]  # one confident mistake in four
    t = fit_temperature(logits, gold)
    assert t > 1.0
    assert softmax(logits / t).max() < softmax(logits).max()


def test_a_saved_model_loads_back_the_same() -> None:
    head = Head(("a", "b"), np.array([[1.0, -1.0], [0.5, 0.25]]), np.array([0.1, -0.1]))
    model = IntentModel(head, head, head, head, temperature=1.5, floor=0.3, data_digest="x")
    buffer = io.BytesIO()
    model.save_to(buffer)
    buffer.seek(0)
    assert IntentModel.load(buffer).same_as(model)
