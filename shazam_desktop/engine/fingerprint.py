"""From samples to what is stored: spectrogram -> peaks -> landmarks, plus MFCC windows."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from shazam_desktop.engine.embeddings import window_embeddings
from shazam_desktop.engine.landmarks import Landmarks, landmarks
from shazam_desktop.engine.params import EngineParams
from shazam_desktop.engine.peaks import Peaks, find_peaks
from shazam_desktop.engine.spectrogram import Spectrogram, stft_db


@dataclass(frozen=True)
class Analysis:
    """One signal seen by the engine: its STFT, peaks and duration."""

    spectrogram: Spectrogram
    peaks: Peaks
    duration_s: float


@dataclass(frozen=True)
class Fingerprint:
    """What the library stores for one track."""

    hashes: np.ndarray  # uint32
    times: np.ndarray  # uint32 anchor frames
    n_frames: int
    embeddings: np.ndarray  # (n_windows, dim) float32 unit vectors
    duration_s: float
    n_peaks: int


def analyze(samples: np.ndarray, params: EngineParams, query: bool = False) -> Analysis:
    """STFT and peaks; a query (query=True) keeps the denser query-side peak budget."""
    spec = stft_db(samples, params.spectrogram)
    pp = params.peaks
    if query:
        pp = replace(pp, peaks_per_second=params.match.query_peaks_per_second)
    peaks = find_peaks(spec, pp)
    return Analysis(spec, peaks, samples.shape[0] / params.spectrogram.sample_rate)


def second_look_peaks(spec: Spectrogram, params: EngineParams) -> Peaks:
    """The denser query peaks of `matcher.search`'s second look."""
    fr, tr, per_second = params.match.second_look_peaks
    pp = replace(params.peaks, freq_radius=fr, time_radius=tr, peaks_per_second=per_second)
    return find_peaks(spec, pp)


def fingerprint(samples: np.ndarray, params: EngineParams) -> Fingerprint:
    """The stored form of a track: landmark hashes with times and MFCC window embeddings."""
    a = analyze(samples, params)
    lm: Landmarks = landmarks(a.peaks, params.landmarks)
    emb = window_embeddings(a.spectrogram, params.embedding)
    return Fingerprint(lm.hashes, lm.times, a.spectrogram.n_frames, emb, a.duration_s, len(a.peaks))
