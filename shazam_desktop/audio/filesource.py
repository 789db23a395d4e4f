"""A source that plays decoded audio into a ring buffer, as a microphone would.

Tests, benchmarks and the app's "listen to a file" use it to drive exactly the code path
of live listening without a sound card.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from shazam_desktop.audio.capture import AudioSource, RingBuffer
from shazam_desktop.audio.decode import ENGINE_RATE, Audio, load

# One block per ~20 ms, like a sound card's callback.
BLOCK_S = 0.02


class FileSource(AudioSource):
    """Feed `path_or_samples` into :attr:`ring` from a background thread.

    `path_or_samples`: a file path (decoded at `sample_rate`, default the engine rate), an
    :class:`Audio`, or a mono/multichannel array at `sample_rate` (default the engine rate).
    `realtime=False` writes as fast as possible; `loop` starts again at the end;
    `start_at_s` skips into the audio; `gain` scales it; `noise_snr_db` adds white noise
    at that signal-to-noise ratio (seeded by `seed`, so runs repeat).
    """

    def __init__(
        self,
        path_or_samples: str | os.PathLike | np.ndarray | Audio,
        sample_rate: int | None = None,
        realtime: bool = True,
        loop: bool = False,
        start_at_s: float = 0.0,
        gain: float = 1.0,
        noise_snr_db: float | None = None,
        ring_seconds: float = 20.0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        src = path_or_samples
        if isinstance(src, Audio):
            samples, rate, name = src.samples, src.sample_rate, src.source or "audio"
        elif isinstance(src, np.ndarray):
            samples, rate, name = src, sample_rate or ENGINE_RATE, "audio samples"
        else:
            rate = sample_rate or ENGINE_RATE
            samples, name = load(src, sr=rate, allow_silent=True).samples, os.fspath(src)
        x = np.asarray(samples, np.float32)
        if x.ndim == 2:
            x = x.mean(axis=1, dtype=np.float32)
        x = x[int(max(0.0, start_at_s) * rate) :] * np.float32(gain)
        if noise_snr_db is not None and x.size:
            x = _add_noise(x, noise_snr_db, seed)
        self.samples = np.ascontiguousarray(x, np.float32)
        self.name = name
        self.label = os.path.basename(name)
        self.sample_rate = int(rate)
        self.realtime = realtime
        self.loop = loop
        self.ring = RingBuffer(ring_seconds, self.sample_rate)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    @property
    def finished(self) -> bool:
        """True once every sample has been written (never, when looping)."""
        return self._done.is_set()

    @property
    def running(self) -> bool:
        t = self._thread
        return (
            t is not None and t.is_alive() and not self._stop.is_set() and not self._done.is_set()
        )

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._done.clear()
        self._thread = threading.Thread(target=self._play, name=f"play {self.label}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        t, self._thread = self._thread, None
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until all audio has been written; True when it has."""
        return self._done.wait(timeout)

    def _play(self) -> None:
        x, n = self.samples, self.samples.shape[0]
        block = max(1, int(BLOCK_S * self.sample_rate))
        pos = 0
        written = 0
        t0 = time.monotonic()
        while not self._stop.is_set() and n:
            if pos >= n:
                if not self.loop:
                    break
                pos = 0
            chunk = x[pos : pos + block]
            pos += chunk.shape[0]
            if self.realtime:
                # Pace on the clock, not on sleep lengths: the stream never drifts.
                due = t0 + (written + chunk.shape[0]) / self.sample_rate
                delay = due - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    break
            self.ring.write(chunk)
            written += chunk.shape[0]
        if pos >= n and not self._stop.is_set():
            self._done.set()


def _add_noise(x: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    """White Gaussian noise at `snr_db` below the signal's RMS."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    if rms == 0:
        return x
    sigma = rms / (10.0 ** (snr_db / 20.0))
    noise = np.random.default_rng(seed).standard_normal(x.shape[0]).astype(np.float32)
    return x + np.float32(sigma) * noise
