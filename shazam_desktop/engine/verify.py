"""A second opinion on an uncertain match: the query's spectrogram against the track's own.

Landmarks keep a few peaks of each second; when noise or another song hides most of them,
a true match and a coincidence can score alike.  The whole spectrogram still tells them
apart: at the true alignment the query's log spectrum follows the track's, bin by bin,
far better than a frame or more to either side, while a coincidence (a shared drum sound
or chord) is no better aligned there than a few frames off.

Another song mixed in louder hides the query's broad spectral shape, but not the fine
one: the same measures on local contrast (each bin's level above its neighbourhood's)
keep the song's own partials and onsets where the other song only raises the floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.fft
from scipy.ndimage import uniform_filter, uniform_filter1d

from shazam_desktop.engine.params import EngineParams, SpectrogramParams
from shazam_desktop.engine.peaks import _running_max
from shazam_desktop.engine.spectrogram import Spectrogram, stft_db


@dataclass(frozen=True)
class Alignment:
    """The query against one candidate track's own spectrogram around the match's offset."""

    # How far the match's alignment stands out from the others (see `alignment`), and the
    # correlation of the time-centred log spectra there (1.0 for the same audio); None when
    # only local contrast was measured.
    z: float | None
    corr: float | None
    z_local: float = 0.0  # the same z on local contrast (see `alignment`)
    # The smaller z_local of the query's two halves, each against the track on its own;
    # measured when z_local reaches `alignment`'s halves_from.
    z_local_halves: float | None = None
    # `z` with only the track's strongest peaks (see `alignment`'s strong_db); None when
    # only local contrast was measured or strong_db was not given.
    z_strong: float | None = None
    # How far the query's waveform follows the track's own at the match's offset (see
    # `waveform_z`), and the smaller of its two halves' (measured when z_wave reaches
    # verify_wave_z or verify_joint_wave_from); None when not measured (see
    # `track_alignment`).
    z_wave: float | None = None
    z_wave_halves: float | None = None
    # The share of the query's segments whose waveform correlates with the track's at the
    # lag the waveform check found (see `waveform_follow`); None when not measured.
    wave_follow: float | None = None


def alignment(
    query_db: np.ndarray,
    ref_db: np.ndarray,
    lags: int,
    max_bin: int,
    contrast: tuple[int, int],
    plain: bool = True,
    halves_from: float = np.inf,
    fine: tuple[np.ndarray, np.ndarray, int] | None = None,
    strong_db: float | None = None,
) -> Alignment | None:
    """How far the query's similarity to the track at the match's alignment stands out.

    `ref_db` is the track's log spectrogram from `lags` frames before the match's offset to
    `lags` frames after the query's end.  Two similarities are measured at every lag: the
    correlation of the time-centred log spectra, and the query's level (standardised per
    bin) at the track's local maxima.  Each gives a z-score of the best of the three lags
    around the match's own against the lags more than 3 frames away; their sum is the
    alignment's z.  `z_local` is the same sum for the local contrast of both spectrograms:
    each bin's level minus the mean over `contrast` (bins, frames) around it; when it
    reaches `halves_from`, the two halves of the query are measured too (a true match
    follows the track all along, a coincidence in part).  Without `plain`, only the local
    contrast is measured (in half the time).  `fine`, when given, is (query_db, ref_db,
    max_bin) of a longer STFT window with the same hop, the track's `lags` frames before
    the offset as above: local contrast is measured on those instead (finer bins keep two
    songs' partials apart).  With `strong_db`, `z_strong` is `z` with only the track's
    peaks within strong_db of its loudest bin: those that noise over the whole band
    hides last.  None when the track is too short around the offset to compare.
    """
    q = np.asarray(query_db[2:max_bin], np.float64)
    r = np.asarray(ref_db[2:max_bin], np.float64)
    n = q.shape[1]
    m = r.shape[1] - n + 1
    if n < 8 or m < 2 * lags - 1:
        return None
    # Local contrast: the correlation of the time-centred spectra, and the query's level
    # at the track's peaks.
    if fine is None:
        fq, fr = q, r
    else:
        fq = np.asarray(fine[0][2 : fine[2]], np.float64)
        fr = np.asarray(fine[1][2 : fine[2]], np.float64)[:, : fq.shape[1] + m - 1]
    fm = fr.shape[1] - fq.shape[1] + 1
    if fq.shape[1] < 8 or fm < 2 * lags - 1:
        return None
    fpk = _peak_map(fr)
    f_fpk = _spectrum(fpk)  # shared by both at-peaks measures of the same spectrogram
    ql = fq - uniform_filter(fq, contrast, mode="nearest")
    rl = fr - uniform_filter(fr, contrast, mode="nearest")
    z_local = _local_z(ql, rl, fpk, fm, lags, f_fpk)
    halves = None
    if z_local >= halves_from:
        h = fq.shape[1] // 2
        halves = min(
            _local_z(ql[:, :h], rl, fpk, fm, lags),
            _local_z(ql[:, h:], rl[:, h:], fpk[:, h:], fm, lags),
        )
    if not plain:
        return Alignment(None, None, z_local, halves)
    # The same on the plain log spectra, the query's level standardised per bin; the
    # track's peaks are those of this spectrogram (found only now when `fine` was given:
    # a check on local contrast alone does not need them).
    if fine is None:
        pk, f_pk = fpk, f_fpk
    else:
        pk = _peak_map(r)
        f_pk = _spectrum(pk)
    corr = _centred_corr(q, r, m)
    qz = (q - np.median(q, axis=1, keepdims=True)) / (q.std(axis=1, keepdims=True) + 1e-3)
    at_peaks = _xcorr(qz, pk, m, f_pk) / _peak_counts(pk, n, m)
    near = corr[max(0, lags - 1) : lags + 2]
    z_corr = _z(corr, lags)
    z_strong = None
    if strong_db is not None:
        strong = pk * (r > r.max() - strong_db)
        z_strong = z_corr + _z(_xcorr(qz, strong, m) / _peak_counts(strong, n, m), lags)
    return Alignment(z_corr + _z(at_peaks, lags), float(near.max()), z_local, halves, z_strong)


def _local_z(
    ql: np.ndarray,
    rl: np.ndarray,
    pk: np.ndarray,
    m: int,
    lags: int,
    f_pk: np.ndarray | None = None,
) -> float:
    """`alignment`'s z_local of the query's local contrast `ql` (its frames 0..n-1 against
    the track's from each lag on; the whole query or a part of it).  `f_pk`: the peak
    map's `_spectrum`, when pk is already n + m - 1 frames long."""
    n = ql.shape[1]
    rl, pk = rl[:, : n + m - 1], pk[:, : n + m - 1]
    corr = _centred_corr(ql, rl, m)
    at_peaks = _xcorr(ql / (ql.std() + 1e-3), pk, m, f_pk) / _peak_counts(pk, n, m)
    return _z(corr, lags) + _z(at_peaks, lags)


def _peak_map(r: np.ndarray) -> np.ndarray:
    """The track's local maxima (+-3 bins, +-2 frames, within 50 dB of its loudest), as 0/1."""
    peaks = r == _running_max(_running_max(r, 3, 0, -np.inf), 2, 1, -np.inf)
    peaks &= r > r.max() - 50.0
    return peaks.astype(np.float64)


def _peak_counts(pk: np.ndarray, n: int, m: int) -> np.ndarray:
    """How many of the track's peaks fall in the n-frame window of each lag (at least 1)."""
    per_frame = np.concatenate([[0.0], np.cumsum(pk.sum(axis=0))])
    return np.maximum(per_frame[n : n + m] - per_frame[:m], 1.0)


def _centred_corr(q: np.ndarray, r: np.ndarray, m: int) -> np.ndarray:
    """Correlation of q and each window r[:, s : s + n] (s = 0..m-1), both centred in time
    per bin.  Centring q is enough for the numerator; the window's centred energy is its
    energy minus each bin's squared sum / n, from sums slid one frame at a time."""
    n = q.shape[1]
    qc = q - q.mean(axis=1, keepdims=True)
    num = _xcorr(qc, r, m)
    r = r - r.mean(axis=1, keepdims=True)  # the same centred energies, better conditioned
    col2 = np.concatenate([[0.0], np.cumsum((r * r).sum(axis=0))])
    s1 = np.empty((r.shape[0], m))
    s1[:, 0] = r[:, :n].sum(axis=1)
    np.cumsum(r[:, n : n + m - 1] - r[:, : m - 1], axis=1, out=s1[:, 1:])
    s1[:, 1:] += s1[:, :1]
    energy = np.maximum(col2[n : n + m] - col2[:m] - (s1 * s1).sum(axis=0) / n, 1e-9)
    return num / np.sqrt(float((qc * qc).sum()) * energy + 1e-12)


def _xcorr(a: np.ndarray, b: np.ndarray, m: int, fb: np.ndarray | None = None) -> np.ndarray:
    """sum over bins and t of a[bin, t] * b[bin, s + t], for s = 0..m-1, with b no shorter
    than a's length + m - 1.  One FFT per array (`fb`: b's `_spectrum`, when at hand), in
    single precision (4e-7 of the result off), as long as b: the circular wrap reaches no
    lag below m."""
    assert b.shape[1] >= a.shape[1] + m - 1
    if fb is None:
        fb = _spectrum(b)
    size = 2 * (fb.shape[1] - 1)
    fa = scipy.fft.rfft(a.astype(np.float32), size, axis=1)
    return scipy.fft.irfft((np.conj(fa) * fb).sum(axis=0), size)[:m].astype(np.float64)


def _spectrum(b: np.ndarray) -> np.ndarray:
    """b's rows' FFTs as `_xcorr` takes them: single precision, zero-padded to a power of 2."""
    size = 1 << int(np.ceil(np.log2(b.shape[1])))
    return scipy.fft.rfft(b.astype(np.float32), size, axis=1)


def _z(sim: np.ndarray, mid: int, near: int = 1, short: float | None = 0.0) -> float | None:
    """How far the best of sim[mid - near .. mid + near] stands above the values more than
    3 x near from mid, in their standard deviations; `short` when fewer than 8 x near of
    those are left."""
    lo, hi = max(0, mid - near), min(sim.shape[0], mid + near + 1)
    far = np.concatenate([sim[: max(0, mid - 3 * near)], sim[mid + 3 * near + 1 :]])
    if far.shape[0] < 8 * near:
        return short
    return float((sim[lo:hi].max() - far.mean()) / (far.std() + 1e-9))


def waveform_z(
    query: np.ndarray,
    excerpt: np.ndarray,
    at: int,
    near: int,
    band_hz: tuple[float, float],
    sample_rate: int,
    beta: float = 1.0,
    share: tuple[float, float, float] | None = None,
) -> float | None:
    """How far the query's waveform follows the excerpt's `at` samples in, against every
    other shift: the generalised cross-correlation with phase transform (GCC-PHAT, Knapp
    and Carter 1976) over the frequencies band_hz, its highest value within +-near
    samples of `at`, as a z-score against the shifts more than 3 x near away (`_z`).
    With `beta` under 1, the cross-spectrum is divided by its magnitude to that power
    only (PHAT-beta, Donohue, Hannemann and Dietz 2007): the bins where both signals are
    strong keep more weight than those that noise fills.  With `share` (smooth_hz,
    percentile, floor), each whitened bin is weighted by `track_share`'s estimate c of the
    excerpt's share of the query's power there, as c / (1 - c + floor): the maximum-
    likelihood weighting (Hannan and Thomson 1973, coherence in place of c), which keeps
    the bins where the recording stands over the noise and drops those noise fills.

    Noise added to a recording, or another song mixed in, leaves its waveform in place: the
    whitened cross-spectrum then has one phase slope over the band, which adds up to a peak
    at the recording's shift however faint it is in each bin; unrelated audio gives random
    phases and a flat correlation.  A room's echoes or a codec smear the peak, and a change
    of speed takes it away.  None when the excerpt leaves fewer than 8 x near shifts that
    far away, or none on one side of `at`."""
    if _too_few_shifts(query, excerpt, at, near):
        return None
    return _z(_gcc(query, excerpt, band_hz, sample_rate, beta, share), at, near, short=None)


def _too_few_shifts(query: np.ndarray, excerpt: np.ndarray, at: int, near: int) -> bool:
    """Where `waveform_z` has too few shifts of the query in the excerpt to judge."""
    m = excerpt.shape[0] - query.shape[0] + 1
    return m <= at + near or at < near or m < 8 * near


def _gcc(
    query: np.ndarray,
    excerpt: np.ndarray,
    band_hz: tuple[float, float],
    sample_rate: int,
    beta: float = 1.0,
    share: tuple[float, float, float] | None = None,
) -> np.ndarray:
    """`waveform_z`'s generalised cross-correlation at every shift of the query in the
    excerpt (0 .. len(excerpt) - len(query))."""
    m = excerpt.shape[0] - query.shape[0] + 1
    # As long as the excerpt: the circular wrap reaches no shift below m (as in `_xcorr`).
    size = scipy.fft.next_fast_len(excerpt.shape[0], real=True)
    lo, hi = (int(round(f * size / sample_rate)) for f in band_hz)
    fq = scipy.fft.rfft(query, size)[lo:hi]
    fe = scipy.fft.rfft(excerpt, size)[lo:hi]
    cross = np.conj(fq) * fe
    white = np.zeros(size // 2 + 1, cross.dtype)
    white[lo:hi] = cross / (np.abs(cross) ** beta + 1e-12)
    if share is not None:
        smooth_hz, percentile, floor = share
        width = max(3, int(round(smooth_hz * size / sample_rate)))
        c = track_share(fq, fe, query.shape[0] / excerpt.shape[0], width, percentile)
        white[lo:hi] *= c / (1.0 - c + floor)
    return scipy.fft.irfft(white, size)[:m]


def track_share(
    query_spec: np.ndarray, excerpt_spec: np.ndarray, scale: float, width: int, percentile: float
) -> np.ndarray:
    """Each bin's share of the query's power that the excerpt (its recording, if it is
    one) accounts for, in [0, 1]: the power spectra smoothed over `width` bins (the
    excerpt's scaled by `scale`, the query's length over its own), and the excerpt's
    gain in the query taken as the `percentile`-th of their ratio (where the query holds
    the recording and little else).  Noise or another song added raises the query's
    power over the recording's in the bins they fill, and the share falls there."""
    pq = uniform_filter1d(np.abs(query_spec) ** 2, width) + 1e-20
    pe = uniform_filter1d(np.abs(excerpt_spec) ** 2, width) * scale + 1e-20
    ratio = pq / pe
    return np.clip(np.percentile(ratio, percentile) / ratio, 0.0, 1.0)


def waveform_follow(
    query: np.ndarray, excerpt: np.ndarray, shift: int, seg: int, min_corr: float = 0.05
) -> float | None:
    """The share of the query's `seg`-sample segments whose waveform correlates over
    `min_corr` with the excerpt's `shift` samples in (where the whitened cross-correlation
    of `waveform_z` peaks); segments where the excerpt is silent are left out.  A
    recording under noise or another song follows in nearly every segment; two songs that
    share a few notes synthesised alike follow where those notes are only.  None when no
    segment is left."""
    n = (query.shape[0] // seg) * seg
    if n == 0 or shift < 0 or shift + n > excerpt.shape[0]:
        return None
    q = np.asarray(query[:n], np.float64).reshape(-1, seg)
    r = np.asarray(excerpt[shift : shift + n], np.float64).reshape(-1, seg)
    energy_r = (r * r).sum(axis=1)
    keep = energy_r > seg * 1e-8  # the excerpt is not silent there
    if not keep.any():
        return None
    corr = (q * r).sum(axis=1)[keep] / np.sqrt((q * q).sum(axis=1)[keep] * energy_r[keep] + 1e-20)
    return float((corr > min_corr).mean())


def fine_params(params: EngineParams) -> SpectrogramParams:
    """The longer STFT window (same rate and hop) that local contrast is measured on."""
    return replace(params.spectrogram, n_fft=params.match.verify_local_n_fft)


def fine_spectrogram(samples: np.ndarray, params: EngineParams) -> Spectrogram:
    """A query's spectrogram for `track_alignment`'s local contrast (see `fine_params`)."""
    return stft_db(samples, fine_params(params))


def track_alignment(
    query: Spectrogram,
    track_excerpt: np.ndarray,
    params: EngineParams,
    plain: bool = True,
    query_fine: Spectrogram | None = None,
    query_samples: np.ndarray | None = None,
    time_scale: float = 1.0,
) -> Alignment | None:
    """`alignment` of a query against the samples of its candidate track read from
    `verify_lags` frames before the match's offset (see `excerpt_span`).  With
    `query_fine` (`fine_spectrogram` of the same samples), local contrast is measured on
    the longer window, as the tiers were set; without it, on the query's own STFT.  With
    `query_samples` (the query's audio that `query` was computed from), the waveforms are
    compared too (`waveform_z`, and both halves of the query when it reaches
    verify_wave_z or verify_joint_wave_from).  With `time_scale`, the query is taken to
    play the track that many times faster, tempo only: the track's frames are read that
    much further apart, so that they fall on the query's (and the waveforms are not
    compared)."""
    a = _spectral_alignment(query, track_excerpt, params, plain, query_fine, time_scale)
    if a is None or query_samples is None or time_scale != 1.0:
        return a
    z, halves, follow = _waveforms(query_samples, track_excerpt, params)
    return replace(a, z_wave=z, z_wave_halves=halves, wave_follow=follow)


def waveform_alignment(
    query_samples: np.ndarray, track_excerpt: np.ndarray, params: EngineParams
) -> Alignment | None:
    """The waveforms alone of `track_alignment` (no spectrogram: a fifth of the time, most
    of it the excerpt's decode): z and corr None, z_local -inf (no tier's).  None when the
    excerpt is too short around the offset to compare."""
    z, halves, follow = _waveforms(query_samples, track_excerpt, params)
    if z is None:
        return None
    return Alignment(None, None, -math.inf, z_wave=z, z_wave_halves=halves, wave_follow=follow)


def _waveforms(
    query_samples: np.ndarray, track_excerpt: np.ndarray, params: EngineParams
) -> tuple[float | None, float | None, float | None]:
    """(z_wave, z_wave_halves, wave_follow) of `track_alignment`."""
    mp, sp = params.match, params.spectrogram
    x = np.asarray(query_samples, np.float32)
    e = np.asarray(track_excerpt, np.float32)
    at, near = mp.verify_lags * sp.hop, mp.verify_wave_near
    args = (near, mp.verify_wave_band_hz, sp.sample_rate, mp.verify_wave_beta)
    # Whitened alone (PHAT), and weighted by the track's share of each bin too: the higher
    # z and the higher halves count, as the tiers' chance was measured (see
    # MatchParams.verify_wave_share).
    shares = [None] + ([mp.verify_wave_share] if mp.verify_wave_share else [])
    measure_from = min(mp.verify_wave_z, mp.verify_joint_wave_from)  # the tiers' lowest
    if _too_few_shifts(x, e, at, near):
        return None, None, None
    z = halves = shift = None
    for share in shares:
        gcc = _gcc(x, e, *args[1:], share=share)
        z_here = _z(gcc, at, near, short=None)
        if share is None:  # the whitened peak's shift, for the follow share
            shift = at - near + int(np.argmax(gcc[at - near : at + near + 1]))
        z = z_here if z is None else max(z, z_here)
        if z_here >= measure_from:
            h = x.shape[0] // 2
            first = waveform_z(x[:h], e[: e.shape[0] - (x.shape[0] - h)], at, *args, share=share)
            second = waveform_z(x[h:], e[h:], at, *args, share=share)
            if first is not None and second is not None:
                halves = min(first, second) if halves is None else max(halves, min(first, second))
    follow = None
    if mp.verify_wave_follow and z >= measure_from:
        seg = int(round(mp.verify_wave_follow_s * sp.sample_rate))
        follow = waveform_follow(x, e, shift, seg)
    return z, halves, follow


def _spectral_alignment(
    query: Spectrogram,
    track_excerpt: np.ndarray,
    params: EngineParams,
    plain: bool,
    query_fine: Spectrogram | None,
    time_scale: float = 1.0,
) -> Alignment | None:
    """`track_alignment` without the waveforms."""
    mp, sp = params.match, params.spectrogram
    ref = stft_db(track_excerpt, sp, time_scale)
    fine = None
    if query_fine is not None:
        ref_fine = stft_db(track_excerpt, fine_params(params), time_scale)
        fine = (query_fine.db, ref_fine.db, mp.verify_local_max_bin)
    a = alignment(
        query.db, ref.db, mp.verify_lags, mp.verify_max_bin, mp.verify_contrast, plain,
        halves_from=mp.verify_local_z, fine=fine, strong_db=mp.verify_strong_db,
    )  # fmt: skip
    if a is None or a.corr is None or a.corr < 0.5:
        return a
    # The query's frames may fall between the track's (by up to half a hop), which costs a
    # copy of the same audio up to 0.1 of correlation: the track's frames are shifted by
    # quarter hops to find the query's own grid.
    q = np.asarray(query.db[2 : mp.verify_max_bin], np.float64)
    q = q - q.mean(axis=1, keepdims=True)
    q /= np.sqrt((q * q).sum()) + 1e-12
    best, n = a.corr, q.shape[1]
    for k in (1, 2, 3):
        start = int(round(k * sp.hop * time_scale / 4))
        r = stft_db(track_excerpt[start:], sp, time_scale).db[2 : mp.verify_max_bin]
        for lag in (mp.verify_lags - 1, mp.verify_lags):
            w = np.asarray(r[:, lag : lag + n], np.float64)
            if w.shape[1] < n:
                continue
            w = w - w.mean(axis=1, keepdims=True)
            best = max(best, float((q * w).sum() / (np.sqrt((w * w).sum()) + 1e-12)))
    return replace(a, corr=best)


def excerpt_span(
    offset_frames: int, query_frames: int, params: EngineParams, time_scale: float = 1.0
) -> tuple[int, int]:
    """(first sample, sample count) of the track that `track_alignment` compares with a
    query of `query_frames` frames matched at `offset_frames` (of the track's frames), the
    query playing it `time_scale` times faster; the first may be negative (pad that many
    zeros before the track's start)."""
    sp, lags = params.spectrogram, params.match.verify_lags
    first = offset_frames * sp.hop - int(round(lags * sp.hop * time_scale))
    count = int(math.ceil((query_frames + 2 * lags) * sp.hop * time_scale)) + sp.n_fft
    return first, count
