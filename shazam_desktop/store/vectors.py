"""The hnswlib index of MFCC window embeddings; label = track id << 16 | window."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import hnswlib
import numpy as np

from shazam_desktop.engine.params import EmbeddingParams
from shazam_desktop.errors import LibraryError
from shazam_desktop.store.atomic import write_atomic

log = logging.getLogger(__name__)

WINDOW_BITS = 16
FILE = "vectors.hnsw"


def labels_for(track_id: int, n: int) -> np.ndarray:
    return (np.uint64(track_id) << np.uint64(WINDOW_BITS)) + np.arange(n, dtype=np.uint64)


class VectorIndex:
    def __init__(self, folder: Path, dim: int, params: EmbeddingParams) -> None:
        self.path = folder / FILE
        self.dim = dim
        self.params = params
        self._lock = threading.Lock()
        self.index = hnswlib.Index(space="cosine", dim=dim)
        if self.path.exists():
            try:
                self.index.load_index(str(self.path), allow_replace_deleted=False)
            except (RuntimeError, ValueError) as e:
                raise LibraryError(
                    f"{self.path}: the vector index is damaged ({e}); re-index the library"
                ) from None
        else:
            self.index.init_index(
                max_elements=1024, ef_construction=params.hnsw_ef_construction, M=params.hnsw_m
            )
        self.index.set_ef(params.hnsw_ef)
        self.dirty = False

    def __len__(self) -> int:
        """Stored windows, including ones marked deleted."""
        return int(self.index.get_current_count())

    def add(self, track_id: int, emb: np.ndarray) -> None:
        if emb.shape[0] == 0:
            return
        with self._lock:
            need = self.index.get_current_count() + emb.shape[0]
            if need > self.index.get_max_elements():
                self.index.resize_index(max(need, 2 * self.index.get_max_elements()))
            self.index.add_items(
                emb.astype(np.float32), labels_for(track_id, emb.shape[0]), num_threads=1
            )
            self.dirty = True

    def remove_tracks(self, track_ids: set[int]) -> int:
        """mark_deleted every window of these tracks; returns how many windows went."""
        if not track_ids:
            return 0
        with self._lock:
            ids = np.asarray(self.index.get_ids_list(), dtype=np.uint64)
            if ids.size == 0:
                return 0
            owners = (ids >> np.uint64(WINDOW_BITS)).astype(np.int64)
            gone = ids[np.isin(owners, np.fromiter(track_ids, np.int64))]
            n = 0
            for label in gone.tolist():
                try:
                    self.index.mark_deleted(int(label))
                    n += 1
                except RuntimeError:
                    pass  # already deleted
            self.dirty = self.dirty or n > 0
            return n

    def track_ids(self) -> set[int]:
        with self._lock:
            ids = np.asarray(self.index.get_ids_list(), dtype=np.uint64)
        return set(((ids >> np.uint64(WINDOW_BITS)).astype(np.int64)).tolist())

    def save(self) -> None:
        with self._lock:
            if not self.dirty and self.path.exists():
                return
            write_atomic(self.path, lambda p: self.index.save_index(str(p)))
            self.dirty = False

    def nearest_tracks(
        self, emb: np.ndarray, k_tracks: int, live: set[int]
    ) -> list[tuple[int, float]]:
        """Tracks ranked by summed similarity of each query window's nearest stored windows."""
        if emb.shape[0] == 0 or self.index.get_current_count() == 0:
            return []
        with self._lock:
            k = min(max(10, 3 * k_tracks), self.index.get_current_count())
            try:
                labels, dist = self.index.knn_query(emb.astype(np.float32), k=k, num_threads=1)
            except RuntimeError:
                # Fewer live elements than k (after deletions): ask for fewer.
                k = max(1, min(k, 10))
                try:
                    labels, dist = self.index.knn_query(emb.astype(np.float32), k=k, num_threads=1)
                except RuntimeError:
                    return []
        owners = (labels.astype(np.uint64) >> np.uint64(WINDOW_BITS)).astype(np.int64).ravel()
        sims = (1.0 - dist).ravel()
        score: dict[int, float] = {}
        best: dict[int, float] = {}
        for o, s in zip(owners.tolist(), sims.tolist(), strict=True):
            if o not in live:
                continue
            score[o] = score.get(o, 0.0) + s
            best[o] = max(best.get(o, -1.0), s)
        ranked = sorted(score, key=lambda o: -score[o])[:k_tracks]
        return [(o, float(best[o])) for o in ranked]

    def disk_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0
