import time

import numpy as np
import pytest

from shazam_desktop.audio.decode import Audio
from shazam_desktop.audio.filesource import FileSource

SR = 8000


def test_realtime_playback_is_never_faster_than_real_time():
    src = FileSource(np.ones(SR, np.float32), sample_rate=SR)  # 1 s
    t0 = time.monotonic()
    src.start()
    time.sleep(0.3)
    early = src.elapsed_s
    wall_early = time.monotonic() - t0
    assert src.wait(5.0)
    wall = time.monotonic() - t0
    src.stop()
    assert early <= wall_early + 0.05  # at most one block ahead of the clock
    assert wall >= 0.8 * 1.0
    assert src.elapsed_s == pytest.approx(1.0)
    assert src.finished and not src.running and src.error is None


def test_fast_playback_writes_everything_at_once():
    src = FileSource(np.ones(10 * SR, np.float32), sample_rate=SR, realtime=False, ring_seconds=20)
    src.start()
    assert src.wait(5.0)
    assert src.elapsed_s == pytest.approx(10.0)
    assert src.ring.snapshot(20).size == 10 * SR


def test_start_gain_and_loop():
    x = np.arange(SR, dtype=np.float32) / SR  # 1 s ramp
    src = FileSource(x, sample_rate=SR, realtime=False, start_at_s=0.5, gain=2.0)
    src.start()
    src.wait(5.0)
    got = src.ring.snapshot(10)
    np.testing.assert_allclose(got, 2.0 * x[SR // 2 :])

    looped = FileSource(x, sample_rate=SR, realtime=False, loop=True, ring_seconds=1.0)
    looped.start()
    deadline = time.monotonic() + 5
    while looped.elapsed_s < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    looped.stop()
    assert looped.elapsed_s >= 3 and not looped.finished and not looped.running


def test_noise_at_the_requested_snr():
    x = np.sin(np.arange(4 * SR) * 0.05).astype(np.float32)
    src = FileSource(x, sample_rate=SR, realtime=False, noise_snr_db=10.0, ring_seconds=5)
    noise = src.samples - x
    snr = 10 * np.log10(np.mean(x**2) / np.mean(noise**2))
    assert snr == pytest.approx(10.0, abs=0.3)


def test_decodes_files_and_takes_audio_objects(small_library):
    src = FileSource(small_library.songs[0])
    assert src.sample_rate == 11025 and src.samples.size == pytest.approx(30 * 11025, abs=2)
    a = Audio(np.zeros(100, np.float32), 16000, "x.wav")
    assert FileSource(a).sample_rate == 16000


def test_stop_is_prompt_while_pacing():
    src = FileSource(np.ones(60 * SR, np.float32), sample_rate=SR)
    src.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    src.stop()
    assert time.monotonic() - t0 < 1.0 and not src.running and not src.finished
