"""Softmax and logistic heads over sentence vectors, trained with numpy, deterministic.

Full-batch gradient descent (Adam) from zero weights with L2 and class-balanced losses: no
random initialisation or shuffling, so the same data always gives the same weights (up to
floating-point summation order). Calibration is one temperature fitted on a dev split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hotelbot.engine.understand.intent_model import Head, Matrix


def softmax(z: Matrix) -> Matrix:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def _adam(
    grad_fn: object, shape_w: tuple[int, int], steps: int, lr: float
) -> tuple[Matrix, Matrix]:
    w, b = np.zeros(shape_w), np.zeros(shape_w[1])
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        gw, gb = grad_fn(w, b)  # type: ignore[operator]
        mw, mb = beta1 * mw + (1 - beta1) * gw, beta1 * mb + (1 - beta1) * gb
        vw, vb = beta2 * vw + (1 - beta2) * gw**2, beta2 * vb + (1 - beta2) * gb**2
        corr1, corr2 = 1 - beta1**t, 1 - beta2**t
        w -= lr * (mw / corr1) / (np.sqrt(vw / corr2) + eps)
        b -= lr * (mb / corr1) / (np.sqrt(vb / corr2) + eps)
    return w, b


def fit_softmax(
    x: Matrix,
    y: Sequence[str],
    *,
    labels: Sequence[str] | None = None,
    l2: float = 1e-6,
    steps: int = 1500,
    lr: float = 0.05,
) -> Head:
    """Multinomial logistic regression; each class weighs the same in the loss."""
    names = tuple(labels or sorted(set(y)))
    index = {name: i for i, name in enumerate(names)}
    target = np.zeros((len(y), len(names)))
    target[np.arange(len(y)), [index[v] for v in y]] = 1.0
    counts = target.sum(axis=0)
    row_weight = (target / np.maximum(counts, 1.0)).sum(axis=1) / np.count_nonzero(counts)

    def grad(w: Matrix, b: Matrix) -> tuple[Matrix, Matrix]:
        delta = (softmax(x @ w + b) - target) * row_weight[:, None]
        return x.T @ delta + l2 * w, delta.sum(axis=0)

    w, b = _adam(grad, (x.shape[1], len(names)), steps, lr)
    return Head(names, w, b)


def fit_sigmoid(
    x: Matrix,
    y: Sequence[frozenset[str]],
    labels: Sequence[str],
    *,
    l2: float = 1e-4,
    steps: int = 400,
    lr: float = 0.05,
) -> Head:
    """One-vs-rest logistic regressions (a message can carry several acts), balanced per act."""
    names = tuple(labels)
    target = np.array([[name in acts for name in names] for acts in y], dtype=np.float64)
    positives = target.sum(axis=0)
    pos_w = 0.5 / np.maximum(positives, 1.0)
    neg_w = 0.5 / np.maximum(len(y) - positives, 1.0)
    weight = target * pos_w + (1 - target) * neg_w

    def grad(w: Matrix, b: Matrix) -> tuple[Matrix, Matrix]:
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        delta = (p - target) * weight
        return x.T @ delta + l2 * w, delta.sum(axis=0)

    w, b = _adam(grad, (x.shape[1], len(names)), steps, lr)
    return Head(names, w, b)


def fit_temperature(logits: Matrix, gold: Sequence[int]) -> float:
    """The temperature that minimises the dev split's negative log-likelihood (grid search)."""
    best, best_nll = 1.0, float("inf")
    rows = np.arange(len(gold))
    for t in np.round(np.arange(0.25, 5.01, 0.05), 2):
        nll = -float(np.log(softmax(logits / t)[rows, list(gold)] + 1e-12).mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best
