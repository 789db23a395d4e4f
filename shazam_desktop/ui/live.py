"""The live picture: a stream of samples becomes STFT columns and constellation peaks.

No Qt here: the listen controller feeds it from the ring buffer on the GUI timer and the
spectrogram view draws what it holds.  It uses the engine's own STFT and peak picker, so
what the screen shows is what the matcher sees.
"""

from __future__ import annotations

import math

import numpy as np

from shazam_desktop.audio.decode import resample
from shazam_desktop.engine.params import EngineParams
from shazam_desktop.engine.peaks import find_peaks
from shazam_desktop.engine.spectrogram import DB_FLOOR, Spectrogram, stft_db


class SlidingResampler:
    """Resample a stream block by block, seamlessly and without bursts.

    soxr's streaming resampler hands its output back in bursts of ~800 samples (a frame
    of the picture every ~90 ms: a jerky scroll); one-shot resampling per block leaves a
    seam at every block edge.  So each block is resampled one-shot together with a short
    window of the samples before it, keeping only output whose filter saw enough input on
    both sides.  The window starts on the rates' common grid, so outputs line up exactly
    (the result equals resampling the whole stream at once, to float precision), for
    `margin_s` of latency and about 0.1-0.4 ms per block.
    """

    def __init__(self, rate_in: int, rate_out: int, margin_s: float = 0.03) -> None:
        g = math.gcd(rate_in, rate_out)
        self.rate_in, self.rate_out = rate_in, rate_out
        self._p_in, self._p_out = rate_in // g, rate_out // g
        self._margin = int(margin_s * rate_in)
        self._buf = np.zeros(0, np.float32)
        self._start = 0  # absolute input index of _buf[0], a multiple of _p_in
        self._done = 0  # absolute output samples handed out so far

    def push(self, x: np.ndarray) -> np.ndarray:
        self._buf = np.concatenate([self._buf, x]) if self._buf.size else np.asarray(x, np.float32)
        end_in = self._start + self._buf.shape[0]
        valid = (end_in - self._margin) * self.rate_out // self.rate_in
        if valid <= self._done:
            return np.zeros(0, np.float32)
        y = resample(self._buf, self.rate_in, self.rate_out)
        first = self._start // self._p_in * self._p_out
        out = y[self._done - first : valid - first]
        self._done = valid
        keep = (valid * self.rate_in // self.rate_out - self._margin) // self._p_in * self._p_in
        if keep > self._start:
            self._buf = self._buf[keep - self._start :]
            self._start = keep
        return out


class LiveSpectrogram:
    """The last `seconds` of a stream as dB columns (oldest first) plus the peaks found in it."""

    def __init__(self, params: EngineParams, in_rate: int, seconds: float = 10.0) -> None:
        self.params = params
        sp = params.spectrogram
        self.rate = sp.sample_rate
        self.fps = sp.frames_per_second
        self.n_cols = int(round(seconds * self.fps))
        self.seconds = self.n_cols / self.fps
        # The window lives in a buffer twice its size: new columns are written after the
        # last ones and the window is copied back to the start once per window length,
        # instead of shifting 1.7 MB on every frame.
        self._buf = np.full((2 * self.n_cols, sp.n_bins), DB_FLOOR, np.float32)
        self._w = self.n_cols  # one past the newest column in _buf
        self.total_frames = 0  # columns ever produced
        self._in_rate = int(in_rate)
        self._rs = (
            None if self._in_rate == self.rate else SlidingResampler(self._in_rate, self.rate)
        )
        self._pending = np.zeros(0, np.float32)
        # Peaks are final once their whole neighbourhood (the +-0.5 s budget window and the
        # +-time_radius local-maximum box) has been seen.
        self._settle = max(int(round(self.fps / 2)), params.peaks.time_radius) + 1
        self._ctx = int(round(self.fps)) + 2 * self._settle
        self._peaks_done_to = 0  # absolute frame: peaks below it are final
        self._peak_t = np.zeros(0, np.int64)
        self._peak_f = np.zeros(0, np.int32)
        self._since_peaks = 0
        self.peaks_version = 0  # changes whenever the set of peaks does

    @property
    def columns(self) -> np.ndarray:
        """The last `seconds` as dB columns (n_cols x bins), oldest first: a view."""
        return self._buf[self._w - self.n_cols : self._w]

    def reset(self) -> None:
        self._buf.fill(DB_FLOOR)
        self._w = self.n_cols
        self.total_frames = 0
        self._pending = np.zeros(0, np.float32)
        self._peaks_done_to = 0
        self._peak_t = np.zeros(0, np.int64)
        self._peak_f = np.zeros(0, np.int32)
        if self._rs is not None:
            self._rs = SlidingResampler(self._in_rate, self.rate)

    def push(self, samples: np.ndarray) -> int:
        """Feed samples at the input rate (mono or frames x channels); returns new columns."""
        x = np.asarray(samples, np.float32)
        if x.ndim == 2:
            x = x.mean(axis=1, dtype=np.float32)
        if x.size == 0:
            return 0
        if self._rs is not None:
            x = self._rs.push(x)
        self._pending = np.concatenate([self._pending, x]) if self._pending.size else x
        sp = self.params.spectrogram
        if self._pending.shape[0] < sp.n_fft:
            return 0
        spec = stft_db(self._pending, sp)
        k = spec.n_frames
        self._pending = self._pending[k * sp.hop :].copy()
        new = spec.db.T
        n = self.n_cols
        if k >= n:
            self._buf[:n] = new[-n:]
            self._w = n
        else:
            if self._w + k > 2 * n:
                self._buf[:n] = self._buf[self._w - n : self._w]
                self._w = n
            self._buf[self._w : self._w + k] = new
            self._w += k
        self.total_frames += k
        self._since_peaks += k
        # Peak picking about ten times a second is plenty for the eye and cheap.
        if self._since_peaks >= 4:
            self._since_peaks = 0
            self._update_peaks()
        return k

    def _update_peaks(self) -> None:
        end = self.total_frames - self._settle  # peaks before this frame are final
        if end <= self._peaks_done_to:
            return
        n = min(self.n_cols, self.total_frames, self._ctx + (end - self._peaks_done_to))
        start = self.total_frames - n  # absolute frame of the window's first column
        window = np.ascontiguousarray(self.columns[-n:].T)
        pk = find_peaks(Spectrogram(window, self.params.spectrogram), self.params.peaks)
        t_abs = pk.t.astype(np.int64) + start
        # Inside the window, a peak near its old edge lacks context unless the edge is the
        # start of the stream.
        lo = max(self._peaks_done_to, start + self._settle if start > 0 else 0)
        keep = (t_abs >= lo) & (t_abs < end)
        self._peak_t = np.concatenate([self._peak_t, t_abs[keep]])
        self._peak_f = np.concatenate([self._peak_f, pk.f[keep]])
        self._peaks_done_to = end
        old = self._peak_t < self.total_frames - self.n_cols
        if old.any():
            self._peak_t, self._peak_f = self._peak_t[~old], self._peak_f[~old]
        if keep.any() or old.any():
            self.peaks_version += 1

    def peaks_xy(self, absolute: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Peaks in the window as (seconds; relative to now, <= 0, unless `absolute`) and (Hz)."""
        origin = 0 if absolute else self.total_frames
        x = (self._peak_t - origin).astype(np.float32) / self.fps
        y = self._peak_f.astype(np.float32) * (self.rate / self.params.spectrogram.n_fft)
        return x, y

    @property
    def now_s(self) -> float:
        """Seconds of audio seen (the right edge of the picture)."""
        return self.total_frames / self.fps

    @property
    def n_peaks(self) -> int:
        return int(self._peak_t.shape[0])
