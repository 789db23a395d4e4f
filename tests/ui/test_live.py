"""The live spectrogram shows what the matcher sees: the engine's own STFT and peaks."""

import numpy as np

from shazam_desktop.audio.decode import resample
from shazam_desktop.engine.params import DEFAULT_PARAMS
from shazam_desktop.engine.peaks import find_peaks
from shazam_desktop.engine.spectrogram import stft_db
from shazam_desktop.ui.live import LiveSpectrogram
from tests.helpers import tone_song


def feed(live: LiveSpectrogram, x: np.ndarray, block: int) -> None:
    for i in range(0, x.shape[0], block):
        live.push(x[i : i + block])


def test_streamed_columns_equal_one_stft_of_the_whole_signal():
    x = tone_song(1, 6.0, 11025)
    live = LiveSpectrogram(DEFAULT_PARAMS, 11025, seconds=10.0)
    feed(live, x, 367)  # odd block sizes, like a sound card's
    whole = stft_db(x, DEFAULT_PARAMS.spectrogram)
    assert live.total_frames == whole.n_frames
    np.testing.assert_allclose(live.columns[-whole.n_frames :], whole.db.T, atol=1e-3)


def test_the_window_keeps_the_newest_columns_after_scrolling_several_times():
    x = tone_song(4, 11.0, 11025)
    live = LiveSpectrogram(DEFAULT_PARAMS, 11025, seconds=3.0)  # wraps its buffer 3 times
    feed(live, x, 500)
    whole = stft_db(x, DEFAULT_PARAMS.spectrogram)
    assert live.total_frames == whole.n_frames
    np.testing.assert_allclose(live.columns, whole.db.T[-live.n_cols :], atol=1e-3)


def test_streamed_peaks_match_the_engine_peaks_away_from_the_edges():
    x = tone_song(2, 8.0, 11025)
    live = LiveSpectrogram(DEFAULT_PARAMS, 11025, seconds=10.0)
    feed(live, x, 441)
    ref = find_peaks(stft_db(x, DEFAULT_PARAMS.spectrogram), DEFAULT_PARAMS.peaks)
    fps = live.fps
    t_live, _ = live.peaks_xy()
    got = {
        (int(round((t + live.total_frames / fps) * fps)), int(f))
        for t, f in zip(t_live, live._peak_f, strict=True)
    }
    want = {
        (int(t), int(f))
        for t, f in zip(ref.t, ref.f, strict=True)
        if fps < t < live.total_frames - fps
    }
    assert len(want) > 50
    assert len(got & want) / len(want) > 0.85


def test_native_rate_input_is_resampled_and_scrolls():
    x44 = resample(tone_song(3, 12.0, 11025), 11025, 44100)
    live = LiveSpectrogram(DEFAULT_PARAMS, 44100, seconds=5.0)
    feed(live, x44, 1024)
    assert live.total_frames > live.n_cols  # it has scrolled
    assert live.columns.max() > 0  # a loud, real picture, not the floor
    x, y = live.peaks_xy()
    assert len(x) > 0 and x.min() >= -live.seconds and x.max() <= 0
    assert y.max() <= 11025 / 2


def test_sliding_resampler_is_seamless_and_steady():
    from shazam_desktop.ui.live import SlidingResampler

    for rate in (44100, 48000):
        x = np.random.default_rng(rate).standard_normal(rate * 3).astype(np.float32)
        whole = resample(x, rate, 11025)
        rs = SlidingResampler(rate, 11025)
        block = int(0.033 * rate)
        outs = [rs.push(x[i : i + block]) for i in range(0, x.shape[0], block)]
        y = np.concatenate(outs)
        n = y.shape[0]
        np.testing.assert_allclose(y[100:n], whole[100:n], atol=1e-5)
        sizes = [o.shape[0] for o in outs[2:]]
        assert min(sizes) >= 0.9 * 0.033 * 11025  # output every block, no bursts
