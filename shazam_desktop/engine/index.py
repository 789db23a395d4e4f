"""The landmark inverted index as sorted arrays (pure numpy; the store maps them from disk).

Layout of one segment, 5 bytes per landmark plus a table of the buckets:
  offsets  uint32[2**16 + 1]  start of each bucket (the hash's top 16 bits); on disk the
                              store keeps each bucket's size in the narrowest unsigned
                              type instead (64 KiB while no bucket holds 256 postings)
  low      uint8[n]           the hash's low 7 bits, sorted within each bucket
  post     uint32[n]          posting: the track's base frame + the anchor's frame

Tracks live on one global frame axis (each gets a base), so a posting is 4 bytes whatever
the track's length and the track is found by a binary search over the bases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shazam_desktop.engine.landmarks import HASH_BITS

LOW_BITS = 7
BUCKETS = 1 << (HASH_BITS - LOW_BITS)
_LOW_MASK = (1 << LOW_BITS) - 1


@dataclass(frozen=True)
class Segment:
    offsets: np.ndarray
    low: np.ndarray
    post: np.ndarray

    def __len__(self) -> int:
        return int(self.post.shape[0])

    def bucket_sizes(self) -> np.ndarray:
        """How many postings each bucket holds (int64[BUCKETS])."""
        return np.diff(self.offsets.astype(np.int64))

    def hashes(self) -> np.ndarray:
        """The full sorted hash array (for merging and checks, not for lookups)."""
        bucket = np.repeat(np.arange(BUCKETS, dtype=np.uint32), self.bucket_sizes())
        return (bucket << LOW_BITS) | self.low.astype(np.uint32)


def bucket_offsets(sizes: np.ndarray) -> np.ndarray:
    """The offsets table (uint32[BUCKETS + 1]) of buckets holding `sizes` postings each."""
    offsets = np.zeros(BUCKETS + 1, np.uint32)
    np.cumsum(sizes, out=offsets[1:], dtype=np.uint32)
    return offsets


def build_segment(hashes: np.ndarray, postings: np.ndarray) -> Segment:
    """Sort (hash, posting) pairs into the bucket layout."""
    h = np.asarray(hashes, dtype=np.uint32)
    p = np.asarray(postings, dtype=np.uint32)
    order = np.lexsort((p, h))
    h, p = h[order], p[order]
    offsets = bucket_offsets(np.bincount(h >> LOW_BITS, minlength=BUCKETS))
    return Segment(offsets, (h & _LOW_MASK).astype(np.uint8), p)


def merge_segments(
    segments: list[Segment], drop: Callable[[np.ndarray], np.ndarray] | None = None
) -> Segment:
    """One segment holding every posting of `segments`, minus postings for which `drop` is true.

    `drop`, when given, is a function of the postings array returning a boolean mask.
    """
    hs = [s.hashes() for s in segments if len(s)]
    ps = [np.asarray(s.post) for s in segments if len(s)]
    h = np.concatenate(hs) if hs else np.zeros(0, np.uint32)
    p = np.concatenate(ps) if ps else np.zeros(0, np.uint32)
    if drop is not None and p.size:
        keep = ~drop(p)
        h, p = h[keep], p[keep]
    return build_segment(h, p)


def lookup(
    segment: Segment, query: np.ndarray, max_postings: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All postings whose hash equals a query hash: (postings uint32, index into query).

    A hash with more than `max_postings` postings is skipped: it occurs all over the
    library, says little about which track is playing, and would dominate the work.
    """
    if len(segment) == 0 or query.size == 0:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    q = np.asarray(query, dtype=np.uint32)
    bucket = (q >> LOW_BITS).astype(np.int64)
    want = (q & _LOW_MASK).astype(np.uint8)
    start = segment.offsets[bucket].astype(np.int64)
    end = segment.offsets[bucket + 1].astype(np.int64)
    nonempty = end > start
    if not nonempty.any():
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    qi = np.nonzero(nonempty)[0]
    start, end, want = start[qi], end[qi], want[qi]
    first = _bisect(segment.low, start, end, want, right=False)
    last = _bisect(segment.low, first, end, want, right=True)
    n = last - first
    has = n > 0
    if max_postings is not None:
        has &= n <= max_postings
    if not has.any():
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    first, n, qi = first[has], n[has], qi[has]
    total = int(n.sum())
    # Expand the ranges [first, first+n) into one index array without a Python loop.
    rep = np.repeat(np.arange(n.shape[0]), n)
    within = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
    idx = first[rep] + within
    return np.asarray(segment.post[idx]), qi[rep]


def _bisect(
    arr: np.ndarray, lo: np.ndarray, hi: np.ndarray, x: np.ndarray, right: bool
) -> np.ndarray:
    """Vectorised bisect_left / bisect_right of x in arr[lo:hi] (each row its own range)."""
    lo = lo.copy()
    hi = hi.copy()
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        v = arr[np.minimum(mid, arr.shape[0] - 1)]
        go_right = (v <= x) if right else (v < x)
        go_right &= active
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(active & ~go_right, mid, hi)
