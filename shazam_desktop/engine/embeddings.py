"""MFCC window embeddings from the shared STFT (for the "sounds like" k-NN search).

The mel filter bank is the Slaney-style bank librosa builds by default (checked against
librosa.filters.mel in the tests); it is written here so a cold `identify` need not pay
librosa's two-second import.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from shazam_desktop.engine.params import EmbeddingParams, SpectrogramParams
from shazam_desktop.engine.spectrogram import Spectrogram


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(
        f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-9) / min_log_hz) / logstep, mels
    )


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


@lru_cache(maxsize=8)
def mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """(n_mels, 1 + n_fft//2) Slaney-normalised triangular filters, like librosa's default."""
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return (weights * enorm[:, None]).astype(np.float32)


@lru_cache(maxsize=8)
def _dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Orthonormal DCT-II rows 0..n_out-1 (what scipy.fft.dct(norm='ortho') computes)."""
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    m = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    m[0] /= np.sqrt(2.0)
    return m.astype(np.float32)


def mfcc(spec: Spectrogram, params: EmbeddingParams) -> np.ndarray:
    """(n_mfcc - 1, n_frames) MFCCs with c0 dropped (loudness is not timbre)."""
    sp: SpectrogramParams = spec.params
    fb = mel_filterbank(sp.sample_rate, sp.n_fft, params.n_mels, params.fmin, params.fmax)
    mel = fb @ spec.power
    log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
    c = _dct_matrix(params.n_mels, params.n_mfcc) @ log_mel
    return c[1:]


def window_embeddings(spec: Spectrogram, params: EmbeddingParams) -> np.ndarray:
    """(n_windows, 2*(n_mfcc-1)) unit vectors: liftered MFCC mean and std per window.

    A signal shorter than one window yields a single window over all of it.
    """
    dim = 2 * (params.n_mfcc - 1)
    if spec.n_frames < 2:
        return np.zeros((0, dim), np.float32)
    c = mfcc(spec, params)
    # Liftering by k evens out the 1/k fall-off of cepstral magnitudes before cosine search.
    c *= np.arange(1, params.n_mfcc, dtype=np.float32)[:, None]
    fps = spec.params.frames_per_second
    win = max(2, int(round(params.window_s * fps)))
    hop = max(1, int(round(params.hop_s * fps)))
    n = spec.n_frames
    starts = np.arange(0, max(1, n - win + 1), hop) if n >= win else np.array([0])
    out = np.empty((starts.shape[0], dim), np.float32)
    csum = np.concatenate(
        [np.zeros((c.shape[0], 1), np.float64), np.cumsum(c, axis=1, dtype=np.float64)], axis=1
    )
    csq = np.concatenate(
        [np.zeros((c.shape[0], 1), np.float64), np.cumsum(c.astype(np.float64) ** 2, axis=1)],
        axis=1,
    )
    ends = np.minimum(starts + win, n)
    cnt = (ends - starts)[None, :]
    mean = (csum[:, ends] - csum[:, starts]) / cnt
    var = np.maximum((csq[:, ends] - csq[:, starts]) / cnt - mean**2, 0.0)
    out[:, : dim // 2] = mean.T
    out[:, dim // 2 :] = np.sqrt(var).T
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)
