"""Constellation peaks: 2-D local maxima of the plain log spectrum, thinned to a budget."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shazam_desktop.engine.params import PeakParams
from shazam_desktop.engine.spectrogram import DB_FLOOR, Spectrogram


@dataclass(frozen=True)
class Peaks:
    """Peaks sorted by (time, frequency): frame index, bin index and level in dB."""

    t: np.ndarray  # int32 frames
    f: np.ndarray  # int32 bins
    db: np.ndarray  # float32

    def __len__(self) -> int:
        return int(self.t.shape[0])


def find_peaks(spec: Spectrogram, params: PeakParams) -> Peaks:
    """Local maxima over +-freq_radius x +-time_radius, keeping about peaks_per_second.

    The budget is a sliding one-second window centred on each peak (a peak survives when
    fewer than `peaks_per_second` stronger peaks share its window), so the result does not
    depend on where the excerpt starts.
    """
    db = spec.db
    if db.shape[1] == 0:
        return _empty()
    # A peak is the maximum of its frequency window (one whole-array running max) and then
    # of the frequency maxima over its time window, checked only at the few candidates left
    # (about 4 % of the bins): the same set as a full 2-D maximum filter, in half the time.
    fmax = _running_max(db, params.freq_radius, 0, DB_FLOOR)
    # Quiet floor: nothing within 60 dB of the loudest bin of the whole signal is a peak.
    floor = max(float(db.max()) - 60.0, DB_FLOOR + 20.0)
    cand = (db == fmax) & (db > floor)
    cand[: params.min_bin, :] = False
    cand[-1, :] = False  # the Nyquist bin does not fit the hash
    n_t = db.shape[1]
    flat = np.flatnonzero(cand)
    f, t = np.divmod(flat, n_t)
    level = db.reshape(-1)[flat]
    fmax_flat = fmax.reshape(-1)
    keep = np.ones(flat.shape[0], bool)
    for d in range(-params.time_radius, params.time_radius + 1):
        if d == 0:
            continue
        inside = (t + d >= 0) & (t + d < n_t)  # beyond the edges counts as the floor
        other = fmax_flat[np.where(inside, flat + d, flat)]
        keep &= ~inside | (other <= level)
    f, t, level = f[keep], t[keep], level[keep]
    if f.size == 0:
        return _empty()
    order = np.lexsort((f, t))
    f, t, level = f[order].astype(np.int32), t[order].astype(np.int32), level[order]
    keep = _budget(t, level, spec.params.frames_per_second, params.peaks_per_second)
    return Peaks(t[keep], f[keep], level[keep].astype(np.float32))


def _running_max(x: np.ndarray, radius: int, axis: int, cval: float) -> np.ndarray:
    """Centred running maximum of width 2*radius+1 along `axis`, `cval` beyond the edges.

    Equal to scipy.ndimage.maximum_filter1d(mode="constant") but built from a few
    whole-array np.maximum calls (windows doubling in width): 11x faster on a 10-s query.
    """
    width = 2 * radius + 1
    x = np.moveaxis(x, axis, 0)
    n = x.shape[0]
    pad = np.full((radius,) + x.shape[1:], cval, x.dtype)
    m = np.concatenate([pad, x, pad])
    span = 1
    while span * 2 <= width:
        m = np.maximum(m[:-span], m[span:])  # m[i] = max of the padded x[i : i + 2 * span]
        span *= 2
    out = np.maximum(m[:n], m[width - span : width - span + n])
    return np.moveaxis(out, 0, axis)


def _budget(t: np.ndarray, level: np.ndarray, fps: float, per_second: float) -> np.ndarray:
    half = int(round(fps / 2))
    lo = np.searchsorted(t, t - half, side="left")
    hi = np.searchsorted(t, t + half, side="right")
    width = int((hi - lo).max())
    idx = lo[:, None] + np.arange(width)[None, :]
    inside = idx < hi[:, None]
    idx = np.minimum(idx, t.shape[0] - 1)
    stronger = (level[idx] > level[:, None]) & inside
    return stronger.sum(axis=1) < per_second


def _empty() -> Peaks:
    z = np.zeros(0, np.int32)
    return Peaks(z, z.copy(), np.zeros(0, np.float32))
