"""Landmark hashes: each anchor peak paired with the next peaks in its target zone (Wang 2003).

hash = f1 (9 bits) | df + 127 (8 bits) | dt (6 bits): 23 bits in a uint32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shazam_desktop.engine.params import LandmarkParams
from shazam_desktop.engine.peaks import Peaks

HASH_BITS = 23
# How many following peaks are examined per anchor before the zone filter.
_LOOKAHEAD = 96


@dataclass(frozen=True)
class Landmarks:
    """Hashes with the anchor's frame, sorted by nothing in particular."""

    hashes: np.ndarray  # uint32
    times: np.ndarray  # uint32 (anchor frame)

    def __len__(self) -> int:
        return int(self.hashes.shape[0])


def hash_peaks(
    t: np.ndarray, f: np.ndarray, params: LandmarkParams, fan_out: int | None = None
) -> Landmarks:
    """Pair each anchor with up to fan_out peaks 1..max_dt frames ahead within +-max_df bins.

    `t` and `f` must be sorted by (t, f); they may come from a time/frequency-scaled copy
    of the query's peaks (speed search), so duplicates are tolerated.
    """
    fan = params.fan_out if fan_out is None else fan_out
    n = t.shape[0]
    if n < 2:
        return Landmarks(np.zeros(0, np.uint32), np.zeros(0, np.uint32))
    look = min(_LOOKAHEAD, n - 1)
    j = np.arange(n)[:, None] + np.arange(1, look + 1)[None, :]
    valid = j < n
    j = np.minimum(j, n - 1)
    dt = t[j] - t[:, None]
    df = f[j] - f[:, None]
    ok = valid & (dt >= params.min_dt) & (dt <= params.max_dt) & (np.abs(df) <= params.max_df)
    ok &= np.cumsum(ok, axis=1) <= fan
    ai, ji = np.nonzero(ok)
    f1 = f[ai].astype(np.uint32)
    h = (f1 << 14) | ((df[ai, ji] + 127).astype(np.uint32) << 6) | dt[ai, ji].astype(np.uint32)
    return Landmarks(h.astype(np.uint32), t[ai].astype(np.uint32))


def landmarks(peaks: Peaks, params: LandmarkParams, fan_out: int | None = None) -> Landmarks:
    return hash_peaks(peaks.t, peaks.f, params, fan_out)
