"""Test audio made by the project's own code: no downloads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SR = 11025


def tone_song(seed: int, seconds: float = 30.0, sr: int = SR) -> np.ndarray:
    """A quick, distinct 'song' of random harmonic notes with envelopes and a noise floor."""
    r = np.random.default_rng(seed)
    n = int(seconds * sr)
    x = np.zeros(n, np.float32)
    pos = 0
    while pos < n:
        dur = int(r.choice([0.125, 0.25, 0.375, 0.5]) * sr)
        t = np.arange(dur) / sr
        f = 110 * 2 ** (r.integers(0, 40) / 12)
        env = np.exp(-t * r.uniform(3, 9)).astype(np.float32)
        note = sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3, 4)).astype(np.float32) * env
        end = min(n, pos + dur)
        x[pos:end] += note[: end - pos]
        if r.random() < 0.5:  # a second voice
            f2 = f * 2 ** (r.choice([3, 4, 7]) / 12)
            x[pos:end] += (0.5 * np.sin(2 * np.pi * f2 * t) * env)[: end - pos].astype(np.float32)
        pos = end
    x += 0.003 * r.standard_normal(n).astype(np.float32)
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


def music(seed: int, seconds: float = 30.0, sr: int = SR) -> np.ndarray:
    """Generated music from the project's synthesiser (falls back to tone_song)."""
    try:
        from shazam_desktop.synth.music import make_spec, render_mono
    except ImportError:
        return tone_song(seed, seconds, sr)
    return render_mono(make_spec(seed, seconds), sr=sr)


def write_song(
    path: Path, seed: int, seconds: float = 30.0, sr: int = 22050, fmt: str | None = None
) -> Path:
    x = tone_song(seed, seconds, sr)
    sf.write(str(path), np.stack([x, x], axis=1), sr, format=fmt)
    return path


def add_noise(x: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    r = np.random.default_rng(seed)
    p = float(np.mean(x**2))
    noise = r.standard_normal(x.shape[0]).astype(np.float32) * np.sqrt(p / 10 ** (snr_db / 10))
    return (x + noise).astype(np.float32)
