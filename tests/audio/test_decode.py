"""Decoding: every format in, mono float32 at the engine rate out; bad input, specific errors."""

import shutil
import subprocess
import wave

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shazam_desktop.audio.decode import ENGINE_RATE, load, load_excerpt
from shazam_desktop.errors import (
    CorruptAudioError,
    DecodeError,
    EmptyAudioError,
    SilentAudioError,
    TooShortError,
    UnsupportedFormatError,
)
from tests.helpers import tone_song


@pytest.mark.parametrize(
    ("ext", "sr", "channels"),
    [("wav", 44100, 2), ("flac", 48000, 1), ("ogg", 22050, 2), ("mp3", 44100, 2), ("wav", 8000, 6)],
)
def test_formats_rates_and_channels_become_mono_engine_rate(tmp_path, ext, sr, channels):
    x = tone_song(1, 4.0, sr)
    data = np.stack([x * (1 - 0.1 * c) for c in range(channels)], axis=1)
    path = tmp_path / f"a.{ext}"
    sf.write(str(path), data, sr)
    a = load(path)
    assert a.sample_rate == ENGINE_RATE and a.samples.dtype == np.float32 and a.samples.ndim == 1
    assert abs(a.duration_s - 4.0) < 0.1


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_m4a_goes_through_ffmpeg(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(str(wav), tone_song(2, 3.0, 44100), 44100)
    m4a = tmp_path / "a.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "aac", str(m4a)], check=True)
    a = load(m4a)
    assert abs(a.duration_s - 3.0) < 0.15


@pytest.mark.parametrize("ext", ["wav", "ogg", "flac"])
def test_an_excerpt_read_by_seeking_is_the_same_audio_as_the_whole_decode(tmp_path, ext):
    x = tone_song(5, 12.0, 44100)
    path = tmp_path / f"a.{ext}"
    sf.write(str(path), np.stack([x, x], axis=1), 44100)
    whole = load(path).samples
    part = load_excerpt(path, 7.25, 2.0)
    assert part.shape[0] == pytest.approx(2.0 * ENGINE_RATE, abs=2)
    s0 = int(7.25 * ENGINE_RATE)
    ref = whole[s0 + 200 : s0 + part.shape[0] - 200]  # away from the resampler's edges
    got = part[200:-200]
    assert np.corrcoef(ref, got)[0, 1] > 0.99


def test_an_excerpt_of_a_missing_file_is_a_decode_error(tmp_path):
    with pytest.raises(DecodeError):
        load_excerpt(tmp_path / "gone.ogg", 1.0, 2.0)


def test_specific_errors(tmp_path):
    (tmp_path / "empty.ogg").write_bytes(b"")
    with pytest.raises(EmptyAudioError):
        load(tmp_path / "empty.ogg")
    (tmp_path / "text.wav").write_text("just some words")
    with pytest.raises(UnsupportedFormatError):
        load(tmp_path / "text.wav")
    sf.write(str(tmp_path / "silent.flac"), np.zeros(44100), 44100)
    with pytest.raises(SilentAudioError):
        load(tmp_path / "silent.flac")
    sf.write(str(tmp_path / "short.wav"), tone_song(3, 0.5, 22050), 22050)
    with pytest.raises(TooShortError):
        load(tmp_path / "short.wav", min_seconds=1.0)
    good = tmp_path / "good.ogg"
    sf.write(str(good), tone_song(4, 5.0, 22050), 22050)
    (tmp_path / "cut.ogg").write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CorruptAudioError):
        load(tmp_path / "cut.ogg")


def test_truncated_wav_is_reported_as_truncated(tmp_path):
    path = tmp_path / "t.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes((tone_song(5, 6.0, 22050) * 20000).astype(np.int16).tobytes())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(CorruptAudioError, match="truncated"):
        load(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blob=st.binary(min_size=0, max_size=4096),
    ext=st.sampled_from(["wav", "mp3", "ogg", "flac", "m4a", "bin"]),
    magic=st.sampled_from([b"", b"RIFF", b"OggS", b"fLaC", b"ID3", b"\xff\xfb"]),
)
def test_garbage_bytes_raise_a_decode_error_never_anything_else(tmp_path, blob, ext, magic):
    path = tmp_path / f"garbage.{ext}"
    path.write_bytes(magic + blob)
    try:
        a = load(path)
    except DecodeError as e:
        assert str(e)  # a sentence, not an empty message
    else:  # some random bytes are valid audio (e.g. headerless MP3 frames): then it must be sane
        assert a.samples.dtype == np.float32 and np.isfinite(a.samples).all()
