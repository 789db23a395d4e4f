"""Decode any audio file to mono float32 at the engine rate.

soundfile (libsndfile) reads WAV, FLAC, OGG/Vorbis/Opus and MP3; anything else (M4A/AAC,
WMA, video containers, ...) goes through the ffmpeg binary when it is installed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from shazam_desktop.errors import (
    CorruptAudioError,
    DecodeError,
    EmptyAudioError,
    SilentAudioError,
    TooShortError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)

ENGINE_RATE = 11025
AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .m4a .mp4 .aac .wma .aif .aiff .aifc .au .snd .caf .w64 .mka .webm .ape .wv".split()
)
# Below this peak level (about -90 dBFS) a signal counts as digital silence.
_SILENCE_PEAK = 3e-5
# soxr's quality: MQ and LQ measured no faster for 44.1 -> 11.025 kHz (resampling is about
# 4 % of indexing time), so the high one stays.
_QUALITY = "HQ"


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples at `sample_rate`, and where they came from."""

    samples: np.ndarray
    sample_rate: int
    source: str = ""

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate


def is_audio_path(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS


def to_mono(data: np.ndarray) -> np.ndarray:
    """(frames,) or (frames, channels) -> (frames,) float32, the channels' mean."""
    if data.ndim == 1:
        return data.astype(np.float32, copy=False)
    out = np.empty(data.shape[0], np.float32)
    _downmix(np.asarray(data, np.float32), out)
    return out


def _downmix(block: np.ndarray, out: np.ndarray) -> None:
    """Channel mean of `block` (frames x channels) into `out` (frames,).

    Column by column: numpy's mean(axis=1) over two interleaved channels runs a slow
    reduction path (it cost more than resampling and the STFT together).
    """
    ch = block.shape[1]
    if ch == 1:
        out[:] = block[:, 0]
        return
    np.add(block[:, 0], block[:, 1], out=out)
    for c in range(2, ch):
        out += block[:, c]
    out *= np.float32(1.0 / ch)


def resample(x: np.ndarray, sr_in: float, sr_out: float) -> np.ndarray:
    if sr_in == sr_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    return soxr.resample(
        np.ascontiguousarray(x, dtype=np.float32), sr_in, sr_out, quality=_QUALITY
    ).astype(np.float32, copy=False)


def from_array(
    data: np.ndarray, sample_rate: int, sr: int = ENGINE_RATE, source: str = ""
) -> Audio:
    """Any channel layout (frames x channels) at any rate -> mono float32 at `sr`."""
    return Audio(resample(to_mono(np.asarray(data, np.float32)), sample_rate, sr), sr, source)


def load(
    path: str | os.PathLike,
    sr: int = ENGINE_RATE,
    min_seconds: float = 0.0,
    allow_silent: bool = False,
    max_seconds: float | None = None,
) -> Audio:
    """Decode `path` to mono float32 at `sr`.

    Raises a specific DecodeError subclass: EmptyAudioError, UnsupportedFormatError,
    CorruptAudioError, SilentAudioError or TooShortError.
    """
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise DecodeError(f"{p}: no such file") from None
    except OSError as e:
        raise DecodeError(f"{p}: cannot read ({e.strerror or e})") from None
    if p.is_dir():
        raise DecodeError(f"{p}: is a folder, not an audio file")
    if size == 0:
        raise EmptyAudioError(f"{name}: the file is empty")
    dec = _decode(p, max_seconds, sr)
    if dec.frames == 0:
        raise EmptyAudioError(f"{name}: the file holds no audio samples")
    # A NaN or inf in any channel survives the downmix, and max/min propagate NaN.
    if not math.isfinite(dec.peak):
        raise CorruptAudioError(f"{name}: the audio data is damaged (non-finite samples)")
    if not allow_silent and dec.peak < _SILENCE_PEAK:
        raise SilentAudioError(f"{name}: the audio is silent")
    audio = Audio(dec.samples, sr, str(p))
    if audio.duration_s < min_seconds:
        raise TooShortError(
            f"{name}: {audio.duration_s:.1f} s of audio is too short (at least {min_seconds:g} s needed)"
        )
    return audio


_MAGIC = (
    b"RIFF",
    b"RIFX",
    b"RF64",
    b"fLaC",
    b"OggS",
    b"ID3",
    b"FORM",
    b".snd",
    b"caff",
    b"wvpk",
    b"MAC ",
)


def load_excerpt(
    path: str | os.PathLike, start_s: float, seconds: float, sr: int = ENGINE_RATE
) -> np.ndarray:
    """`seconds` of `path` from `start_s`, mono float32 at `sr`, read by seeking where
    libsndfile can (no whole-file decode) and cut from a whole decode elsewhere (ffmpeg).
    Raises DecodeError when the file cannot be read."""
    p = Path(path)
    try:
        with (
            _quiet_stderr(p.suffix.lower() == ".mp3"),
            sf.SoundFile(str(p)) as f,
        ):
            rate = f.samplerate
            f.seek(min(int(start_s * rate), max(0, f.frames - 1)))
            data = f.read(int(seconds * rate), dtype="float32", always_2d=True)
        return resample(to_mono(data), rate, sr)
    except (sf.LibsndfileError, sf.SoundFileError, RuntimeError, ValueError, OSError):
        a = load(p, sr=sr, allow_silent=True)
        s0 = max(0, int(start_s * sr))
        return a.samples[s0 : s0 + int(seconds * sr)]


def looks_like_audio(head: bytes) -> bool:
    """Does the file start like a container or stream we know (so failure means damage)?"""
    if head.startswith(_MAGIC):
        return True
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:  # MPEG / ADTS frame sync
        return True
    return (
        len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat") or head[:4] == b"\x1aE\xdf\xa3"
    )


@contextlib.contextmanager
def _quiet_stderr(enabled: bool):
    """libmpg123 prints resync notes on damaged MP3s straight to fd 2: keep them off the terminal."""
    if not enabled:
        yield
        return
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _header_overstates(info: str) -> bool:
    """libsndfile's log line `data : 264600 (should be 88170)` marks a cut file.

    Streamed WAVs declare a size of 0 or 0xFFFFFFFF on purpose: those are not cut.
    """
    if "data :" not in info:
        return False
    line = info.split("data :", 1)[1].split("\n", 1)[0]
    if "should be" not in line:
        return False
    try:
        declared = int(line.split("(", 1)[0].strip())
    except ValueError:
        return False
    return 0 < declared < 0xFFFFFF00


@dataclass(frozen=True)
class _Decoded:
    samples: np.ndarray  # mono float32 at the rate asked for
    frames: int  # frames read, at the file's own rate
    peak: float  # largest |sample| of the mono signal before resampling; NaN/inf: damaged


def _peak(x: np.ndarray) -> float:
    return max(float(x.max()), -float(x.min())) if x.size else 0.0


def _finish(mono: np.ndarray, rate: int, sr: int) -> _Decoded:
    """A whole mono signal (ffmpeg's) -> _Decoded."""
    return _Decoded(resample(mono, rate, sr), mono.shape[0], _peak(mono))


# Frames per read: a stereo float32 block of 512 KB stays in cache while it is downmixed
# and resampled.
_BLOCK_FRAMES = 1 << 16


def _read_resampled(f: sf.SoundFile, limit: int | None, sr: int) -> _Decoded:
    """Read `f` to its end (or `limit` frames) block by block: downmix, resample, go on.

    Neither the interleaved file nor its mono at the file's rate is ever whole in memory (a
    4-minute 44.1 kHz stereo track is 85 MB as float32), and each block is still in cache
    when it is downmixed and resampled.  The output is the same, bit for bit, as
    resampling the whole mono signal at once.
    """
    rate = f.samplerate
    stream = (
        None if rate == sr else soxr.ResampleStream(rate, sr, 1, dtype="float32", quality=_QUALITY)
    )
    buf = np.empty((_BLOCK_FRAMES, f.channels), np.float32)
    mono = np.empty(_BLOCK_FRAMES, np.float32)
    parts: list[np.ndarray] = []
    n = 0
    peak = 0.0
    while limit is None or n < limit:
        want = _BLOCK_FRAMES if limit is None else min(_BLOCK_FRAMES, limit - n)
        k = f.read(want, dtype="float32", always_2d=True, out=buf[:want]).shape[0]
        if k == 0:
            break
        m = mono[:k]
        _downmix(buf[:k], m)
        block_peak = _peak(m)
        if block_peak > peak or block_peak != block_peak:  # a NaN, once seen, stays
            peak = block_peak
        parts.append(m.copy() if stream is None else stream.resample_chunk(m))
        n += k
        if k < want:
            break
    if stream is not None:
        parts.append(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return _Decoded(samples, n, peak)


def _decode(p: Path, max_seconds: float | None, sr: int) -> _Decoded:
    """Mono float32 samples at `sr`, from libsndfile or else ffmpeg."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        raise DecodeError(f"{p.name}: cannot read ({e.strerror or e})") from None
    audio_like = looks_like_audio(head)
    damaged = CorruptAudioError(f"{p.name}: the audio data is damaged or truncated")
    not_audio = UnsupportedFormatError(f"{p.name}: not an audio file this app can read")
    try:
        with (
            _quiet_stderr(p.suffix.lower() == ".mp3" or head[:3] == b"ID3"),
            sf.SoundFile(str(p)) as f,
        ):
            limit = None if max_seconds is None else int(max_seconds * f.samplerate)
            dec = _read_resampled(f, limit, sr)
            rate = f.samplerate
            expected = f.frames
            # libsndfile reads what is there of a cut WAV/AIFF and notes the shortfall.
            cut = _header_overstates(f.extra_info)
    except sf.LibsndfileError:
        return _ffmpeg_or_raise(p, damaged if audio_like else not_audio, sr)
    except (RuntimeError, ValueError, TypeError, OverflowError, MemoryError, sf.SoundFileError):
        return _ffmpeg_or_raise(p, damaged if audio_like else not_audio, sr)
    if cut and max_seconds is None:
        raise CorruptAudioError(
            f"{p.name}: the file is truncated (its header promises more audio than it holds)"
        )
    if max_seconds is None and expected > 0 and dec.frames < 0.9 * expected:
        raise CorruptAudioError(
            f"{p.name}: the file is truncated ({dec.frames / max(rate, 1):.1f} of {expected / max(rate, 1):.1f} s readable)"
        )
    return dec


def _short(e: Exception) -> str:
    s = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return s[:120]


def _ffmpeg_or_raise(p: Path, err: DecodeError, sr: int) -> _Decoded:
    exe = shutil.which("ffmpeg")
    if exe is None:
        if p.suffix.lower() in AUDIO_EXTENSIONS and p.suffix.lower() not in (
            ".wav",
            ".flac",
            ".ogg",
            ".mp3",
        ):
            raise UnsupportedFormatError(
                f"{p.name}: {p.suffix} files need ffmpeg, which is not installed (apt install ffmpeg)"
            )
        raise err
    rate = 44100
    try:
        proc = subprocess.run(
            [
                exe,
                "-nostdin",
                "-v",
                "error",
                "-i",
                str(p),
                "-vn",
                "-ac",
                "2",
                "-ar",
                str(rate),
                "-f",
                "f32le",
                "-",
            ],
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DecodeError(f"{p.name}: ffmpeg failed ({_short(e)})") from None
    if proc.returncode != 0 or len(proc.stdout) < 8:
        stderr = proc.stderr.decode(errors="replace").lower()
        if (
            "invalid data" in stderr
            or "could not find codec" in stderr
            or "does not contain any stream" in stderr
            or "output file #0 does not contain" in stderr
            or len(proc.stdout) == 0
        ):
            # ffmpeg could not make sense of it either: keep soundfile's verdict.
            raise err
        raise CorruptAudioError(
            f"{p.name}: the audio data is damaged (ffmpeg: {stderr.strip()[:100]})"
        )
    n = len(proc.stdout) // 8 * 8
    data = np.frombuffer(proc.stdout[:n], dtype=np.float32).reshape(-1, 2)
    log.debug("decoded %s through ffmpeg", p)
    return _finish(to_mono(data), rate, sr)
