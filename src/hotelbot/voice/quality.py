"""Word error rate: how far a transcript is from what was said (for tests and `eval voice`)."""

from __future__ import annotations

from collections.abc import Sequence


def word_error_rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """(substitutions + deletions + insertions) / words said, by word-level edit distance."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    previous = list(range(len(hypothesis) + 1))
    for i, said in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, heard in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (said != heard))
        previous = current
    return previous[-1] / len(reference)
