"""One STFT per signal: the log-magnitude spectrogram that peaks, MFCCs and the UI share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

from shazam_desktop.engine.params import SpectrogramParams

# Floor for the log magnitude (dB); keeps digital silence finite and peak-free.
DB_FLOOR = -100.0


@dataclass(frozen=True)
class Spectrogram:
    """Log magnitude in dB, shape (n_bins, n_frames), float32; frame t starts at t*hop."""

    db: np.ndarray
    params: SpectrogramParams
    mag: np.ndarray | None = None  # linear magnitude, same shape, when computed here

    @property
    def n_frames(self) -> int:
        return int(self.db.shape[1])

    @property
    def power(self) -> np.ndarray:
        if self.mag is not None:
            return self.mag * self.mag
        return np.power(10.0, self.db / 10.0, dtype=np.float32)

    def frame_times(self) -> np.ndarray:
        return np.arange(self.n_frames) * (self.params.hop / self.params.sample_rate)


_WINDOWS: dict[int, np.ndarray] = {}
_BLOCK = 128  # STFT frames per rfft call
_DB_PER_NEPER = np.float32(20.0 / np.log(10.0))


def _hann(n: int) -> np.ndarray:
    w = _WINDOWS.get(n)
    if w is None:
        # Periodic Hann, as scipy/librosa use for spectral analysis.
        w = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
        _WINDOWS[n] = w
    return w


def stft_db(samples: np.ndarray, params: SpectrogramParams, time_scale: float = 1.0) -> Spectrogram:
    """Log-magnitude STFT (Hann, no centring) of mono float audio at params.sample_rate.

    With `time_scale`, frame t starts at round(t * hop * time_scale) instead: the frames of
    audio played time_scale times faster than this one, tempo only (the window's length and
    so the frequency bins stay as they are)."""
    x = np.ascontiguousarray(samples, dtype=np.float32)
    n_fft, hop = params.n_fft, params.hop
    if x.shape[0] < n_fft:
        return Spectrogram(np.full((params.n_bins, 0), DB_FLOOR, np.float32), params)
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)
    if time_scale == 1.0:
        frames = frames[::hop]
    else:
        step = hop * time_scale
        frames = frames[
            np.rint(np.arange(int((frames.shape[0] - 1) / step) + 1) * step).astype(np.intp)
        ]
    window = _hann(n_fft)
    mag = np.empty((params.n_bins, frames.shape[0]), np.float32)
    # A block of frames at a time: the windowed frames, their spectra and the transposed
    # copy stay in cache.  scipy.fft keeps float32 (numpy's FFT works in float64).
    for i in range(0, frames.shape[0], _BLOCK):
        spec = scipy.fft.rfft(frames[i : i + _BLOCK] * window, axis=1, workers=1)
        mag[:, i : i + _BLOCK] = np.abs(spec).T
    db = np.maximum(mag, np.float32(1e-5))
    # 20*log10 as a natural log (numpy vectorises float32 log, not log10): the dB values
    # differ by at most 2e-5 dB and gave the same peaks and landmarks on every real track.
    np.log(db, out=db)
    db *= _DB_PER_NEPER
    np.maximum(db, DB_FLOOR, out=db)
    return Spectrogram(db, params, mag)
