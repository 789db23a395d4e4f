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


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    return soxr.resample(
        np.ascontiguousarray(x, dtype=np.float32), sr_in, sr_out, quality="HQ"
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
    mono, rate = _decode(p, max_seconds)
    if mono.size == 0:
        raise EmptyAudioError(f"{name}: the file holds no audio samples")
    # One pass for both checks: a NaN or inf in any channel survives the downmix, and
    # max/min propagate NaN.
    peak = max(float(mono.max()), -float(mono.min()))
    if not math.isfinite(peak):
        raise CorruptAudioError(f"{name}: the audio data is damaged (non-finite samples)")
    if not allow_silent and peak < _SILENCE_PEAK:
        raise SilentAudioError(f"{name}: the audio is silent")
    audio = Audio(resample(mono, rate, sr), sr, str(p))
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


# Frames per read: a stereo float32 block of 512 KB stays in cache while it is downmixed.
_BLOCK_FRAMES = 1 << 16


def _read_mono(f: sf.SoundFile, limit: int | None) -> np.ndarray:
    """Read `f` to its end (or `limit` frames) block by block, downmixing as it goes.

    The whole interleaved file never sits in memory (a 4-minute 44.1 kHz stereo track is
    85 MB as float32); only the mono result does.
    """
    declared = f.frames if 0 < f.frames < 1 << 40 else 0
    cap = declared if limit is None else min(declared, max(limit, 0))
    out = np.empty(cap, np.float32)
    extra: list[np.ndarray] = []  # frames beyond what the header declared
    buf = np.empty((_BLOCK_FRAMES, f.channels), np.float32)
    n = 0
    while limit is None or n < limit:
        want = _BLOCK_FRAMES if limit is None else min(_BLOCK_FRAMES, limit - n)
        k = f.read(want, dtype="float32", always_2d=True, out=buf[:want]).shape[0]
        if k == 0:
            break
        if n + k <= cap:
            _downmix(buf[:k], out[n : n + k])
        else:
            m = np.empty(k, np.float32)
            _downmix(buf[:k], m)
            extra.append(m)
        n += k
        if k < want:
            break
    if extra:
        return np.concatenate([out[: n - sum(e.shape[0] for e in extra)], *extra])
    return out[:n]


def _decode(p: Path, max_seconds: float | None) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate, from libsndfile or else ffmpeg."""
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
            data = _read_mono(f, limit)
            rate = f.samplerate
            expected = f.frames
            # libsndfile reads what is there of a cut WAV/AIFF and notes the shortfall.
            cut = _header_overstates(f.extra_info)
    except sf.LibsndfileError:
        return _ffmpeg_or_raise(p, damaged if audio_like else not_audio)
    except (RuntimeError, ValueError, TypeError, OverflowError, MemoryError, sf.SoundFileError):
        return _ffmpeg_or_raise(p, damaged if audio_like else not_audio)
    if cut and max_seconds is None:
        raise CorruptAudioError(
            f"{p.name}: the file is truncated (its header promises more audio than it holds)"
        )
    if max_seconds is None and expected > 0 and data.shape[0] < 0.9 * expected:
        raise CorruptAudioError(
            f"{p.name}: the file is truncated ({data.shape[0] / max(rate, 1):.1f} of {expected / max(rate, 1):.1f} s readable)"
        )
    return data, rate


def _short(e: Exception) -> str:
    s = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return s[:120]


def _ffmpeg_or_raise(p: Path, err: DecodeError) -> tuple[np.ndarray, int]:
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
    return to_mono(data), rate
