import threading

import numpy as np
import pytest

from shazam_desktop.audio.capture import FLOOR_DB, RingBuffer


def ramp(start: int, n: int) -> np.ndarray:
    return np.arange(start, start + n, dtype=np.float32)


def test_snapshot_returns_the_newest_samples_across_the_wrap():
    rb = RingBuffer(1.0, 10)  # 10 samples
    rb.write(ramp(0, 7))
    rb.write(ramp(7, 6))  # wraps: 13 written, 0..2 overwritten
    assert rb.total_written == 13
    np.testing.assert_array_equal(rb.snapshot(0.4), ramp(9, 4))
    np.testing.assert_array_equal(rb.snapshot(5.0), ramp(3, 10))  # bounded by capacity


def test_snapshot_before_anything_is_written_is_empty():
    rb = RingBuffer(1.0, 10)
    assert rb.snapshot(1.0).shape == (0,)
    assert rb.level_db() == FLOOR_DB


def test_a_block_longer_than_the_buffer_keeps_its_tail():
    rb = RingBuffer(1.0, 10)
    rb.write(ramp(0, 3))
    rb.write(ramp(3, 25))
    assert rb.total_written == 28
    np.testing.assert_array_equal(rb.snapshot(1.0), ramp(18, 10))


def test_read_new_returns_each_sample_once_and_at_most_a_buffer():
    rb = RingBuffer(1.0, 10)
    rb.write(ramp(0, 4))
    np.testing.assert_array_equal(rb.read_new(), ramp(0, 4))
    assert rb.read_new().size == 0
    rb.write(ramp(4, 8))
    np.testing.assert_array_equal(rb.read_new(), ramp(4, 8))
    rb.write(ramp(12, 30))  # the consumer fell behind: it gets the newest buffer's worth
    np.testing.assert_array_equal(rb.read_new(), ramp(32, 10))


def test_snapshot_does_not_disturb_read_new_and_is_a_copy():
    rb = RingBuffer(1.0, 10)
    rb.write(ramp(0, 5))
    snap = rb.snapshot(1.0)
    snap[:] = -1
    np.testing.assert_array_equal(rb.read_new(), ramp(0, 5))


def test_level_db_measures_the_last_100_ms():
    rb = RingBuffer(2.0, 1000)
    rb.write(np.full(1000, 0.5, np.float32))
    rb.write(np.zeros(100, np.float32))  # the last 100 ms are silent
    assert rb.level_db() == FLOOR_DB
    rb.write(np.full(100, 0.1, np.float32))
    assert rb.level_db() == pytest.approx(-20.0, abs=0.01)


def test_clear_forgets_everything():
    rb = RingBuffer(1.0, 10)
    rb.write(ramp(0, 15))
    rb.clear()
    assert rb.total_written == 0 and rb.snapshot(1.0).size == 0 and rb.read_new().size == 0


def test_concurrent_writer_and_readers_see_contiguous_audio():
    # Sample values count up (exact in float32 below 2**24): any torn or stale read shows.
    rb = RingBuffer(0.5, 8000)
    stop = threading.Event()
    total = 400_000

    def writer():
        rng = np.random.default_rng(0)
        pos = 0
        while pos < total:
            n = min(int(rng.integers(1, 700)), total - pos)
            rb.write(ramp(pos, n))
            pos += n
        stop.set()

    problems: list[str] = []
    got = []
    t = threading.Thread(target=writer)
    t.start()
    while True:
        done = stop.is_set()  # read once more after the writer finished
        chunk = rb.read_new()
        if chunk.size:
            if np.any(np.diff(chunk) != 1):
                problems.append("read_new chunk not contiguous")
            if got and chunk[0] <= got[-1][-1]:
                problems.append("read_new returned a sample twice")
            got.append(chunk)
        snap = rb.snapshot(0.1)
        if snap.size and np.any(np.diff(snap) != 1):
            problems.append("snapshot not contiguous")
        if done:
            break
    t.join()
    assert not problems, problems[:3]
    assert got and int(got[-1][-1]) == total - 1


def test_multichannel_blocks_are_mixed_down():
    rb = RingBuffer(1.0, 10)
    rb.write(np.array([[1.0, 0.0], [0.5, 0.5]], np.float32))
    np.testing.assert_array_equal(rb.snapshot(1.0), [0.5, 0.5])
