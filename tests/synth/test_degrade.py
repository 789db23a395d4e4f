"""The benchmark's degradations: lengths, levels, bands, codecs, determinism."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import welch

from shazam_desktop.synth import degrade as dg
from shazam_desktop.synth.music import make_spec, render_mono

SR = 11025
HAVE_FFMPEG = shutil.which("ffmpeg") is not None
NEEDS_FFMPEG = pytest.mark.skipif(not HAVE_FFMPEG, reason="ffmpeg binary not on PATH")

EXPECTED = [
    "clean", "white_10dB", "white_0dB", "white_-5dB", "mix_0dB", "mix_-5dB", "babble_0dB",
    "phone", "gsm", "mp3_64k", "reverb", "laptop", "gain_-20dB", "speed_+2%", "speed_-2%",
    "speed_+5%", "speed_-5%", "tempo_+5%", "tempo_-5%", "pitch_+1st", "pitch_-1st",
]  # fmt: skip


@pytest.fixture(scope="module")
def track() -> np.ndarray:
    return render_mono(make_spec(11, 20.0), SR)


@pytest.fixture(scope="module")
def other() -> np.ndarray:
    return render_mono(make_spec(12, 15.0), SR)


@pytest.fixture(scope="module")
def clip(track: np.ndarray) -> np.ndarray:
    return track[3 * SR : 8 * SR].copy()


def test_condition_names():
    assert list(dg.CONDITIONS) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_each_condition_gives_a_clip_of_the_asked_length(name, track, other):
    if name == "mp3_64k" and not HAVE_FFMPEG:
        pytest.skip("ffmpeg binary not on PATH (mp3 condition)")
    cond = dg.CONDITIONS[name]
    y, start = dg.degraded_excerpt(track, SR, 4.0, cond, np.random.default_rng(5), other)
    assert y.dtype == np.float32 and y.ndim == 1
    assert len(y) == 4 * SR
    assert np.isfinite(y).all()
    assert dg.rms(y) > 1e-3
    assert 0.0 <= start <= len(track) / SR - 4.0
    # the source audio the clip came from lies inside the track
    assert start + 4.0 * max(cond.source_factor, 1.0) <= len(track) / SR + 1e-6


@pytest.mark.parametrize(
    "name", [n for n in EXPECTED if not n.startswith(("speed", "tempo", "mp3"))]
)
def test_length_preserving_conditions(name, clip, other):
    y = dg.CONDITIONS[name](clip, SR, np.random.default_rng(1), other)
    assert y.dtype == np.float32 and len(y) == len(clip) and np.isfinite(y).all()


@pytest.mark.parametrize("name", ["white_0dB", "babble_0dB", "reverb", "laptop", "mix_0dB"])
def test_random_conditions_are_seeded(name, clip, other):
    c = dg.CONDITIONS[name]
    a = c(clip, SR, np.random.default_rng(3), other)
    b = c(clip, SR, np.random.default_rng(3), other)
    assert np.array_equal(a, b)
    if name != "mix_0dB":  # mixing a same-length other track has no random part
        d = c(clip, SR, np.random.default_rng(4), other)
        assert not np.array_equal(a, d)


def test_mix_needs_the_other_track(clip):
    with pytest.raises(ValueError):
        dg.CONDITIONS["mix_0dB"](clip, SR, np.random.default_rng(0))


@pytest.mark.parametrize("snr", [10.0, 0.0, -5.0])
def test_white_noise_snr(clip, snr):
    y = dg.white_noise(clip, snr, np.random.default_rng(0))
    assert dg.snr_db(clip, y - clip) == pytest.approx(snr, abs=0.5)


@pytest.mark.parametrize("snr", [0.0, -5.0])
def test_mix_and_babble_snr(clip, other, snr):
    y = dg.mix(clip, other[:SR], snr)  # a short other track is tiled
    assert dg.snr_db(clip, y - clip) == pytest.approx(snr, abs=0.5)
    y = dg.babble(clip, snr, np.random.default_rng(0), SR)
    assert dg.snr_db(clip, y - clip) == pytest.approx(snr, abs=0.5)


def test_babble_is_speech_like(clip):
    noise = dg.babble(np.zeros_like(clip) + 1e-3, 0.0, np.random.default_rng(2), SR)
    f, p = welch(noise, SR, nperseg=1024)
    # most energy in the voice band
    assert p[(f > 100) & (f < 4000)].sum() / p.sum() > 0.8
    # syllabic modulation: the envelope fluctuates strongly (unlike steady noise)
    frame = SR // 50
    env = np.abs(noise[: len(noise) // frame * frame]).reshape(-1, frame).mean(axis=1)
    assert env.std() / env.mean() > 0.12  # steady white noise: ~0.05
    single = dg._talker(len(clip), SR, np.random.default_rng(3))
    env1 = np.abs(single[: len(single) // frame * frame]).reshape(-1, frame).mean(axis=1)
    assert env1.std() / env1.mean() > 0.5


def _band_db(y: np.ndarray, sr: int) -> tuple[float, float]:
    f, p = welch(y, sr, nperseg=2048)
    inband = p[(f > 400) & (f < 3200)].mean()
    low = p[f < 200].mean()
    high = p[f > 3600].mean()
    return 10 * np.log10(low / inband), 10 * np.log10(high / inband)


@pytest.mark.parametrize("sr", [11025, 22050])
def test_phone_band(sr):
    x = (np.random.default_rng(0).standard_normal(sr * 3) * 0.1).astype(np.float32)
    y = dg.phone_band(x, sr)
    assert y.dtype == np.float32 and len(y) == len(x)
    low, high = _band_db(y, sr)
    assert low < -25.0
    assert high < -25.0


def test_gain(clip):
    y = dg.gain(clip, -20.0)
    assert np.allclose(y, clip * 0.1, atol=1e-7)


@pytest.mark.parametrize("factor", [1.05, 0.95, 1.02])
def test_speed_changes_length_and_pitch(factor):
    t = np.arange(2 * SR) / SR
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = dg.speed(x, SR, factor)
    assert y.dtype == np.float32
    assert len(y) == pytest.approx(len(x) / factor, rel=0.002)
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    assert np.argmax(spec) * SR / len(y) == pytest.approx(440 * factor, rel=0.003)


def test_tempo_and_pitch(clip):
    y = dg.tempo(clip, SR, 1.05)
    assert len(y) == pytest.approx(len(clip) / 1.05, rel=0.01)
    y = dg.pitch(clip, SR, 1.0)
    assert len(y) == len(clip) and y.dtype == np.float32


def test_reverb_keeps_level_and_smears(clip):
    y = dg.reverb(clip, SR, np.random.default_rng(0), rt60=0.6)
    assert dg.rms(y) == pytest.approx(dg.rms(clip), rel=1e-3)
    assert not np.allclose(y, clip, atol=1e-3)
    assert np.corrcoef(y, clip)[0, 1] > 0.5
    h = dg.room_impulse_response(SR, np.random.default_rng(0), rt60=0.6)
    energy = np.cumsum(h[::-1] ** 2)[::-1]  # Schroeder decay
    edc = 10 * np.log10(energy / energy[0] + 1e-30)
    t20 = np.argmax(edc < -25) / SR  # -5 .. -25 dB slope extrapolated
    t5 = np.argmax(edc < -5) / SR
    assert 0.3 < 3 * (t20 - t5) < 1.0


def test_gsm_round_trip(clip):
    y = dg.gsm(clip, SR)
    assert y.dtype == np.float32 and len(y) == len(clip)
    assert not np.allclose(y, clip, atol=1e-3)
    assert np.corrcoef(y, clip)[0, 1] > 0.8


@NEEDS_FFMPEG
def test_mp3_round_trip_ffmpeg(clip):
    y = dg.mp3(clip, SR, 64)
    assert y.dtype == np.float32 and len(y) == len(clip)
    assert not np.array_equal(y, clip)
    assert np.max(np.abs(y - clip)) > 1e-3
    assert np.corrcoef(y, clip)[0, 1] > 0.9  # aligned: the encoder delay is removed


def test_mp3_without_ffmpeg_is_a_clear_error(clip, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("SHAZAM_DESKTOP_FFMPEG", raising=False)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        dg.mp3(clip, SR, 64)


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile without MP3")
def test_mp3_round_trip_soundfile(clip):
    y = dg.mp3(clip, SR, 64, backend="soundfile")
    assert len(y) == len(clip) and not np.array_equal(y, clip)
    assert np.corrcoef(y, clip)[0, 1] > 0.9


def test_laptop_speaker_band_and_noise(clip):
    y = dg.laptop_speaker(clip, SR, np.random.default_rng(0))
    assert len(y) == len(clip) and dg.rms(y) == pytest.approx(dg.rms(clip), rel=0.01)
    f, px = welch(clip, SR, nperseg=2048)
    _, py = welch(y, SR, nperseg=2048)
    # the tiny speaker loses the bass
    bass = (f > 40) & (f < 120)
    mids = (f > 800) & (f < 2500)
    assert (py[bass].sum() / py[mids].sum()) < 0.1 * (px[bass].sum() / px[mids].sum())


def test_excerpt(track):
    rng = np.random.default_rng(0)
    c, start = dg.excerpt(track, SR, 5.0, rng)
    i = round(start * SR)
    assert len(c) == 5 * SR and np.array_equal(c, track[i : i + 5 * SR])
    whole, s0 = dg.excerpt(track[:SR], SR, 5.0, rng)
    assert s0 == 0.0 and len(whole) == SR


def test_speed_excerpt_is_aligned_with_the_track(track):
    """A +5 % clip starting at `start` holds the track's audio from `start` onwards."""
    y, start = dg.degraded_excerpt(track, SR, 4.0, "speed_+5%", np.random.default_rng(9))
    i = round(start * SR)
    ref = dg.speed(track[i : i + int(4.3 * SR)], SR, 1.05)[: len(y)]
    assert np.corrcoef(ref, y)[0, 1] > 0.99
