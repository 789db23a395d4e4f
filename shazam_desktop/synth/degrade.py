"""The benchmark's degradations: what happens to a song between a speaker and a query.

Every function takes mono float32 audio ``x`` at sample rate ``sr`` and returns float32
mono at the same rate, of the same length unless the transformation changes duration
(:func:`speed`, :func:`tempo`).  Randomness comes only from an explicit
``numpy.random.Generator``, so a benchmark run is reproducible.

:data:`CONDITIONS` names each benchmark condition; :func:`degraded_excerpt` cuts a clip
from a track and applies one, consuming a slightly longer excerpt for conditions that
shorten the audio so the clip keeps the asked length.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "rms",
    "snr_db",
    "white_noise",
    "mix",
    "babble",
    "phone_band",
    "gsm",
    "mp3",
    "reverb",
    "room_impulse_response",
    "laptop_speaker",
    "gain",
    "speed",
    "tempo",
    "pitch",
    "excerpt",
    "Condition",
    "CONDITIONS",
    "degraded_excerpt",
]

_EPS = 1e-12


def _f32(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float32)


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    """Crop or zero-pad ``y`` to ``n`` samples."""
    if len(y) >= n:
        return y[:n]
    return np.concatenate([y, np.zeros(n - len(y), y.dtype)])


def rms(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def snr_db(signal: np.ndarray, noise: np.ndarray) -> float:
    """10 log10 of the signal's power over the noise's power."""
    return 20.0 * math.log10(max(rms(signal), _EPS) / max(rms(noise), _EPS))


def _scaled_to_snr(x: np.ndarray, noise: np.ndarray, snr: float) -> np.ndarray:
    """``noise`` rescaled so that rms(x) / rms(noise) is ``snr`` dB."""
    target = rms(x) / 10.0 ** (snr / 20.0)
    return noise * (target / max(rms(noise), _EPS))


# --------------------------------------------------------------------------- additive


def white_noise(x: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Add white Gaussian noise at ``snr_db`` below the signal's RMS (exact SNR)."""
    x = _f32(x)
    noise = rng.standard_normal(len(x))
    return _f32(x + _scaled_to_snr(x, noise, snr_db))


def mix(x: np.ndarray, other: np.ndarray, snr_db: float) -> np.ndarray:
    """Mix ``other`` (tiled or cropped to the length of ``x``) in at ``snr_db``."""
    x = _f32(x)
    other = np.asarray(other, dtype=np.float64)
    if other.ndim > 1:
        other = other.mean(axis=1)
    if other.size == 0:
        raise ValueError("the other track is empty")
    reps = int(math.ceil(len(x) / len(other)))
    other = np.tile(other, reps)[: len(x)]
    return _f32(x + _scaled_to_snr(x, other, snr_db))


def _talker(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """One synthetic talker: a glottal pulse train through moving vowel formants,
    syllables at 3-6 Hz with pauses, and a little unvoiced noise for consonants."""
    from scipy.signal import lfilter

    t = np.arange(n) / sr
    f0 = rng.uniform(90.0, 250.0)
    # intonation: slow random drift of +-20 %, and a falling tendency per phrase
    knots = max(2, int(n / sr * 2) + 2)
    drift = np.interp(
        t, np.linspace(0, t[-1] if n > 1 else 1.0, knots), rng.uniform(-0.2, 0.2, knots)
    )
    f = f0 * (1.0 + drift)
    phase = np.cumsum(f / sr)
    # glottal source: a skewed pulse per period (Rosenberg-like), then derivative
    frac = phase - np.floor(phase)
    open_q = 0.6
    pulse = np.where(frac < open_q, np.sin(np.pi * frac / open_q) ** 2, 0.0)
    src = np.diff(pulse, prepend=0.0)

    # syllables: amplitude modulation at 3-6 Hz, random strengths, pauses between phrases
    rate = rng.uniform(3.0, 6.0)
    syl_phase = rate * t + rng.uniform()
    k = np.floor(syl_phase).astype(int)
    strengths = rng.uniform(0.3, 1.0, k.max() + 2) * (rng.random(k.max() + 2) > 0.15)
    env = strengths[k] * np.sin(np.pi * (syl_phase - k)) ** 1.5

    # vowels: formant pairs (F1, F2, F3) crossfaded per syllable
    vowels = np.array(
        [
            [730, 1090, 2440],
            [270, 2290, 3010],
            [300, 870, 2240],
            [530, 1840, 2480],
            [570, 840, 2410],
            [440, 1020, 2240],
            [660, 1720, 2410],
        ],
        float,
    )
    scale = 1.0 + (f0 - 120.0) / 600.0  # higher voices, slightly higher formants
    choice = rng.integers(0, len(vowels), k.max() + 2)
    nyq = sr / 2
    voiced = np.zeros(n)
    for v in range(len(vowels)):
        w = (choice[k] == v).astype(float)
        if not w.any():
            continue
        y = np.zeros(n)
        for fi, bw in zip(vowels[v] * scale, (80.0, 100.0, 140.0), strict=True):
            if fi >= 0.95 * nyq:
                continue
            r = math.exp(-math.pi * bw / sr)
            a = [1.0, -2 * r * math.cos(2 * math.pi * fi / sr), r * r]
            y += lfilter([1.0 - r], a, src)
        voiced += w * y
    voiced /= max(rms(voiced), _EPS)

    # consonants: short noise bursts at syllable onsets
    cons_env = np.exp(-((syl_phase - k) / 0.08)) * (rng.random(k.max() + 2) > 0.4)[k]
    noise = rng.standard_normal(n)
    hp = min(2500.0, 0.6 * nyq)
    b = [1.0, -1.0]
    noise = lfilter(b, [1.0, -math.exp(-2 * math.pi * hp / sr)], noise)
    noise /= max(rms(noise), _EPS)
    return env * voiced + 0.3 * cons_env * noise


def babble(x: np.ndarray, snr_db: float, rng: np.random.Generator, sr: int) -> np.ndarray:
    """Add speech-like babble (six synthetic talkers) at ``snr_db``."""
    x = _f32(x)
    n = len(x)
    talkers = sum(_talker(n, sr, rng) * rng.uniform(0.6, 1.0) for _ in range(6))
    return _f32(x + _scaled_to_snr(x, talkers, snr_db))


# --------------------------------------------------------------------------- channels


def _sos_band(sr: int, lo: float, hi: float, order: int = 6):
    from scipy.signal import butter

    nyq = sr / 2.0
    hi = min(hi, 0.98 * nyq)
    return butter(order, [lo / nyq, hi / nyq], btype="bandpass", output="sos")


def _resample(x: np.ndarray, sr_in: float, sr_out: float) -> np.ndarray:
    import soxr

    if sr_in == sr_out:
        return np.asarray(x, dtype=np.float32)
    return soxr.resample(np.asarray(x, dtype=np.float32), sr_in, sr_out, quality="HQ")


def _mulaw_roundtrip(x: np.ndarray, mu: int = 255) -> np.ndarray:
    """G.711-style mu-law: compress, quantise to 8 bits, expand."""
    x = np.clip(x, -1.0, 1.0)
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / math.log1p(mu)
    q = np.round((y + 1.0) * 127.5) / 127.5 - 1.0  # 256 levels
    return np.sign(q) * ((1.0 + mu) ** np.abs(q) - 1.0) / mu


def phone_band(x: np.ndarray, sr: int) -> np.ndarray:
    """A telephone line: 300-3400 Hz band-pass, 8 kHz, 8-bit mu-law, back to ``sr``."""
    from scipy.signal import sosfilt, sosfiltfilt

    x = _f32(x)
    n = len(x)
    peak = float(np.max(np.abs(x))) if n else 0.0
    if peak == 0.0:
        return x.copy()
    y = sosfilt(_sos_band(sr, 300.0, 3400.0), x / peak)
    y = _resample(y, sr, 8000)
    y = _mulaw_roundtrip(y)
    # the receiving side band-limits again (and removes the quantisation hiss outside)
    y = sosfiltfilt(_sos_band(8000, 300.0, 3400.0, order=4), y)
    y = _resample(y, 8000, sr)
    return _f32(_fit(y, n) * peak)


def gsm(x: np.ndarray, sr: int) -> np.ndarray:
    """A real GSM 06.10 (full-rate) encode/decode through libsndfile, at 8 kHz."""
    import soundfile as sf

    x = _f32(x)
    n = len(x)
    peak = float(np.max(np.abs(x))) if n else 0.0
    if peak == 0.0:
        return x.copy()
    y = _resample(x / peak * 0.9, sr, 8000)
    buf = io.BytesIO()
    sf.write(buf, np.clip(y, -1.0, 1.0), 8000, subtype="GSM610", format="WAV")
    buf.seek(0)
    dec, _ = sf.read(buf, dtype="float32")
    dec = _fit(dec, len(y))
    out = _resample(dec, 8000, sr)
    return _f32(_fit(out, n) * (peak / 0.9))


_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def _ffmpeg() -> str:
    exe = os.environ.get("SHAZAM_DESKTOP_FFMPEG") or shutil.which("ffmpeg")
    if not exe:
        raise RuntimeError(
            "mp3 degradation needs the ffmpeg binary on PATH (e.g. `apt-get install ffmpeg`); "
            "or call mp3(..., backend='soundfile') to use libsndfile's MP3 encoder"
        )
    return exe


def mp3(x: np.ndarray, sr: int, kbps: int = 64, backend: str = "ffmpeg") -> np.ndarray:
    """A real MP3 encode/decode round trip at ``kbps`` (CBR).

    ``backend="ffmpeg"`` (default) runs the ffmpeg binary with libmp3lame through
    temporary files (so the encoder delay is recorded in the LAME header and removed
    on decoding) and raises RuntimeError when ffmpeg is missing.  ``backend="soundfile"``
    uses libsndfile's own MP3 support (lame/mpg123) instead.
    """
    x = _f32(x)
    n = len(x)
    if n == 0:
        return x.copy()
    enc_sr = sr if sr in _MP3_RATES else 22050
    if backend == "soundfile":
        return _mp3_soundfile(x, sr, enc_sr, kbps)
    if backend != "ffmpeg":
        raise ValueError("backend must be 'ffmpeg' or 'soundfile'")
    exe = _ffmpeg()
    with tempfile.TemporaryDirectory(prefix="shazam-mp3-") as tmp:
        raw_in = os.path.join(tmp, "in.f32")
        enc = os.path.join(tmp, "enc.mp3")
        np.clip(x, -1.0, 1.0).astype("<f4").tofile(raw_in)
        common = [exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
        _run(
            common
            + [
                "-f",
                "f32le",
                "-ar",
                str(sr),
                "-ac",
                "1",
                "-i",
                raw_in,
                "-ar",
                str(enc_sr),
                "-c:a",
                "libmp3lame",
                "-b:a",
                f"{int(kbps)}k",
                enc,
            ]
        )
        out = _run(common + ["-i", enc, "-f", "f32le", "-ac", "1", "-ar", str(sr), "-"])
    y = np.frombuffer(out, dtype="<f4")
    return _f32(_fit(y.copy(), n))


def _run(cmd: list[str]) -> bytes:
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"ffmpeg failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout


def _mp3_soundfile(x: np.ndarray, sr: int, enc_sr: int, kbps: int) -> np.ndarray:
    import soundfile as sf

    if "MP3" not in sf.available_formats():
        raise RuntimeError("this libsndfile has no MP3 support (needs libsndfile >= 1.1)")
    y = _resample(x, sr, enc_sr)
    buf = io.BytesIO()
    # libsndfile maps compression_level 0..1 onto lame's bitrates (CBR 320..8 kbps, roughly)
    level = float(np.clip(1.0 - (kbps - 8) / (320 - 8), 0.0, 1.0))
    sf.write(
        buf,
        np.clip(y, -1, 1),
        enc_sr,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=level,
        bitrate_mode="CONSTANT",
    )
    buf.seek(0)
    dec, _ = sf.read(buf, dtype="float32")
    if dec.ndim > 1:
        dec = dec.mean(axis=1)
    # libsndfile may leave the codec's delay in: find it by cross-correlation and cut it
    lag = _delay(y, dec, max_lag=4096)
    dec = dec[lag:] if lag > 0 else np.concatenate([np.zeros(-lag, dec.dtype), dec])
    return _f32(_fit(_resample(dec, enc_sr, sr), len(x)))


def _delay(ref: np.ndarray, y: np.ndarray, max_lag: int) -> int:
    """The lag (samples, -max_lag..max_lag) by which ``y`` trails ``ref``."""
    from scipy.signal import fftconvolve

    n = min(len(ref), len(y))
    if n < 16:
        return 0
    a = np.asarray(ref[:n], dtype=np.float64)
    b = np.asarray(y[:n], dtype=np.float64)
    cc = fftconvolve(b, a[::-1])  # cc[k + n - 1] = sum_t b[t + k] a[t]
    mid = n - 1
    lo, hi = max(0, mid - max_lag), min(len(cc), mid + max_lag + 1)
    return int(np.argmax(cc[lo:hi]) + lo - mid)


# --------------------------------------------------------------------------- rooms


def room_impulse_response(
    sr: int, rng: np.random.Generator, rt60: float = 0.6, drr_db: float = 0.0
) -> np.ndarray:
    """A synthetic room: direct path, early reflections, and an exponentially decaying
    noise tail (darker as it decays) scaled to a direct-to-reverberant ratio of
    ``drr_db``."""
    from scipy.signal import lfilter

    n = max(int(rt60 * sr * 1.2), 8)
    h_rev = np.zeros(n)
    # early reflections within 5-50 ms, random signs, decaying with distance
    n_early = int(rng.integers(6, 12))
    delays = np.sort(rng.uniform(0.005, 0.05, n_early))
    for d in delays:
        i = int(d * sr)
        if i < n:
            h_rev[i] += rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 0.8) * (0.005 / d) ** 0.5
    # late diffuse tail: -60 dB after rt60; low-passed so highs die sooner
    t = np.arange(n) / sr
    onset = int(0.012 * sr)
    tail = rng.standard_normal(n) * np.exp(-6.91 * t / rt60)
    tail[:onset] *= np.linspace(0.0, 1.0, onset)
    a = math.exp(-2 * math.pi * min(5000.0, 0.4 * sr) / sr)
    tail = lfilter([1 - a], [1, -a], tail)
    tail *= 0.5 * math.sqrt(np.sum(h_rev**2) + 1e-3) / max(np.sqrt(np.sum(tail**2)), _EPS)
    h_rev += tail
    # direct-to-reverberant ratio
    h_rev *= 10 ** (-drr_db / 20.0) / max(np.sqrt(np.sum(h_rev**2)), _EPS)
    h_rev[0] += 1.0
    return h_rev


def reverb(x: np.ndarray, sr: int, rng: np.random.Generator, rt60: float = 0.6) -> np.ndarray:
    """Convolve with a synthetic room (direct-to-reverberant ratio drawn in -2..+4 dB,
    a listener a few metres from the source); the output keeps the input's RMS."""
    from scipy.signal import fftconvolve

    x = _f32(x)
    if not len(x):
        return x.copy()
    h = room_impulse_response(sr, rng, rt60, drr_db=float(rng.uniform(-2.0, 4.0)))
    y = fftconvolve(x.astype(np.float64), h)[: len(x)]
    return _f32(y * (rms(x) / max(rms(y), _EPS)))


def _peaking(sr: int, f0: float, gain_db: float, q: float):
    """RBJ peaking-EQ biquad (b, a)."""
    a_ = 10 ** (gain_db / 40)
    w = 2 * math.pi * f0 / sr
    alpha = math.sin(w) / (2 * q)
    b = np.array([1 + alpha * a_, -2 * math.cos(w), 1 - alpha * a_])
    a = np.array([1 + alpha / a_, -2 * math.cos(w), 1 - alpha / a_])
    return b / a[0], a / a[0]


def laptop_speaker(x: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A phone held near a laptop speaker: a tiny speaker's band (high-pass ~300 Hz,
    low-pass ~6 kHz) with a resonance, soft clipping from an overdriven amplifier, the
    room's reverb and the phone microphone's noise at ~15 dB SNR."""
    from scipy.signal import butter, lfilter, sosfilt

    x = _f32(x)
    if not len(x):
        return x.copy()
    nyq = sr / 2
    hp = rng.uniform(250.0, 380.0)
    lp = min(rng.uniform(5000.0, 7000.0), 0.9 * nyq)
    y = sosfilt(butter(4, hp / nyq, "highpass", output="sos"), x.astype(np.float64))
    y = sosfilt(butter(4, lp / nyq, "lowpass", output="sos"), y)
    f_res = min(rng.uniform(800.0, 2500.0), 0.8 * nyq)
    b, a = _peaking(sr, f_res, rng.uniform(5.0, 9.0), rng.uniform(1.5, 3.0))
    y = lfilter(b, a, y)
    peak = float(np.max(np.abs(y))) or 1.0
    drive = rng.uniform(1.5, 3.0)
    y = np.tanh(drive * y / peak) / math.tanh(drive) * peak
    y = reverb(y, sr, rng, rt60=float(rng.uniform(0.3, 0.6)))
    y = white_noise(y, float(rng.uniform(13.0, 17.0)), rng)
    return _f32(y * (rms(x) / max(rms(y), _EPS)))


# --------------------------------------------------------------------------- level, time, pitch


def gain(x: np.ndarray, db: float) -> np.ndarray:
    """Scale by ``db`` decibels (no clipping: float audio)."""
    return _f32(np.asarray(x, dtype=np.float32) * np.float32(10.0 ** (db / 20.0)))


def speed(x: np.ndarray, sr: int, factor: float) -> np.ndarray:
    """Play ``factor`` times faster, pitch and tempo together (a turntable's pitch
    fader): 1.02 is 2 % faster, a semitone-third higher, and 1/1.02 as long."""
    if factor <= 0:
        raise ValueError("factor must be > 0")
    x = _f32(x)
    if factor == 1.0:
        return x.copy()
    # read the samples as if recorded at sr*factor, then resample to sr
    return _f32(_resample(x, sr * factor, sr))


def tempo(x: np.ndarray, sr: int, factor: float) -> np.ndarray:
    """Change tempo only (phase vocoder): ``factor`` 1.05 is 5 % faster, same pitch."""
    import librosa  # costs ~2 s to import: only when asked

    x = _f32(x)
    if factor == 1.0:
        return x.copy()
    return _f32(librosa.effects.time_stretch(x, rate=float(factor)))


def pitch(x: np.ndarray, sr: int, semitones: float) -> np.ndarray:
    """Shift pitch by ``semitones`` keeping the tempo (and the length)."""
    import librosa

    x = _f32(x)
    if semitones == 0:
        return x.copy()
    y = librosa.effects.pitch_shift(x, sr=sr, n_steps=float(semitones))
    return _f32(_fit(y, len(x)))


# --------------------------------------------------------------------------- benchmark


def excerpt(
    x: np.ndarray, sr: int, seconds: float, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """A random ``seconds``-long clip of ``x`` and its start in seconds (all of ``x``,
    from 0, when it is shorter)."""
    n = int(round(seconds * sr))
    if n >= len(x):
        return _f32(x).copy(), 0.0
    start = int(rng.integers(0, len(x) - n + 1))
    return _f32(x[start : start + n]).copy(), start / sr


Apply = Callable[[np.ndarray, int, np.random.Generator, "np.ndarray | None"], np.ndarray]


@dataclass(frozen=True)
class Condition:
    """One benchmark condition.

    ``apply(x, sr, rng, other)`` degrades a clip.  ``source_factor`` is how many
    seconds of the original a second of output consumes (speed/tempo changes):
    :func:`degraded_excerpt` cuts that much more before applying the condition.
    ``needs_other`` says that ``other`` (another track, mono at ``sr``) is required.
    """

    name: str
    apply: Apply
    source_factor: float = 1.0
    needs_other: bool = False
    description: str = ""

    def __call__(
        self,
        x: np.ndarray,
        sr: int,
        rng: np.random.Generator,
        other: np.ndarray | None = None,
    ) -> np.ndarray:
        if self.needs_other and other is None:
            raise ValueError(f"condition {self.name!r} needs another track (other=...)")
        return self.apply(x, sr, rng, other)


def _mix_cond(snr: float) -> Apply:
    def apply(x, sr, rng, other):
        other = np.asarray(other, dtype=np.float32)
        if other.ndim > 1:
            other = other.mean(axis=1)
        if len(other) > len(x):  # a random part of the other song
            start = int(rng.integers(0, len(other) - len(x) + 1))
            other = other[start : start + len(x)]
        return mix(x, other, snr)

    return apply


def _conditions() -> dict[str, Condition]:
    c: list[Condition] = [
        Condition("clean", lambda x, sr, rng, o: _f32(x).copy(), description="unchanged"),
        Condition(
            "white_10dB",
            lambda x, sr, rng, o: white_noise(x, 10.0, rng),
            description="white noise at 10 dB SNR",
        ),
        Condition(
            "white_0dB",
            lambda x, sr, rng, o: white_noise(x, 0.0, rng),
            description="white noise at 0 dB SNR",
        ),
        Condition(
            "white_-5dB",
            lambda x, sr, rng, o: white_noise(x, -5.0, rng),
            description="white noise at -5 dB SNR",
        ),
        Condition(
            "mix_0dB", _mix_cond(0.0), needs_other=True, description="another song mixed in at 0 dB"
        ),
        Condition(
            "mix_-5dB",
            _mix_cond(-5.0),
            needs_other=True,
            description="another song mixed in at -5 dB",
        ),
        Condition(
            "babble_0dB",
            lambda x, sr, rng, o: babble(x, 0.0, rng, sr),
            description="six synthetic talkers at 0 dB",
        ),
        Condition(
            "phone",
            lambda x, sr, rng, o: phone_band(x, sr),
            description="300-3400 Hz, 8 kHz, 8-bit mu-law",
        ),
        Condition("gsm", lambda x, sr, rng, o: gsm(x, sr), description="GSM 06.10 codec"),
        Condition("mp3_64k", lambda x, sr, rng, o: mp3(x, sr, 64), description="MP3 64 kbps"),
        Condition(
            "reverb",
            lambda x, sr, rng, o: reverb(x, sr, rng, 0.6),
            description="room reverb, RT60 0.6 s",
        ),
        Condition(
            "laptop",
            lambda x, sr, rng, o: laptop_speaker(x, sr, rng),
            description="laptop speaker to phone mic in a room",
        ),
        Condition("gain_-20dB", lambda x, sr, rng, o: gain(x, -20.0), description="-20 dB"),
    ]
    for pct in (2, -2, 5, -5):
        f = 1.0 + pct / 100.0
        c.append(
            Condition(
                f"speed_{pct:+d}%",
                lambda x, sr, rng, o, f=f: speed(x, sr, f),
                source_factor=f,
                description=f"playback {pct:+d} % (pitch too)",
            )
        )
    for pct in (5, -5):
        f = 1.0 + pct / 100.0
        c.append(
            Condition(
                f"tempo_{pct:+d}%",
                lambda x, sr, rng, o, f=f: tempo(x, sr, f),
                source_factor=f,
                description=f"tempo {pct:+d} %, same pitch",
            )
        )
    for st in (1, -1):
        c.append(
            Condition(
                f"pitch_{st:+d}st",
                lambda x, sr, rng, o, st=st: pitch(x, sr, st),
                description=f"pitch {st:+d} semitone, same tempo",
            )
        )
    return {cond.name: cond for cond in c}


CONDITIONS: dict[str, Condition] = _conditions()


def degraded_excerpt(
    track: np.ndarray,
    sr: int,
    seconds: float,
    condition: Condition | str,
    rng: np.random.Generator,
    other: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """A ``seconds``-long query clip of ``track`` under ``condition`` and the start (in
    seconds, in the original track) of the audio it was made from.

    For conditions that change duration, a ``source_factor`` times longer excerpt is
    transformed and the result cut to ``seconds`` (zero-padded only if the track itself
    is too short).
    """
    cond = CONDITIONS[condition] if isinstance(condition, str) else condition
    n = int(round(seconds * sr))
    src_s = seconds * max(cond.source_factor, 1.0) + (0.05 if cond.source_factor != 1 else 0)
    clip, start = excerpt(track, sr, src_s, rng)
    y = cond(clip, sr, rng, other)
    return _f32(_fit(y, n)), start
