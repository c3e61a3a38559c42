"""Sentence vectors for training, embedded once and cached on disk by text and model.

Embedding is the slow part of training (about 20 ms a message on one core); the head itself
fits in seconds. The cache (`.cache/embeddings/<model>.npz`, not committed) maps a text's hash
to its float16 vector, so a retrain embeds only texts it has not seen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hotelbot.engine.understand.faq_embedding import Embedder, Vectors

_BATCH = 32


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class FeatureCache:
    def __init__(self, embedder: Embedder, directory: Path) -> None:
        self.embedder = embedder
        slug = re.sub(r"[^a-z0-9.-]+", "_", embedder.name.lower())
        self.path = directory / f"{slug}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            stored = np.load(self.path)
            self._vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> Vectors:
        """Vectors of `texts` (rows in order), embedding and storing only the unseen ones."""
        missing = sorted({t for t in texts if _key(t) not in self._vectors})
        for start in range(0, len(missing), _BATCH):
            batch = missing[start : start + _BATCH]
            vectors = self.embedder.embed(batch)
            for text, vector in zip(batch, vectors, strict=True):
                self._vectors[_key(text)] = vector.astype(np.float16)
            if (start // _BATCH) % 10 == 9:
                self.save()  # a long first run keeps what it did if it is stopped
            if progress:
                print(f"embedded {start + len(batch)}/{len(missing)}", flush=True)
        if missing:
            self.save()
        rows = np.stack([self._vectors[_key(t)] for t in texts]).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
