"""The landmark index's segment files: what is written, and what is read back."""

import numpy as np
import pytest

from shazam_desktop.engine.index import BUCKETS, build_segment, lookup
from shazam_desktop.engine.landmarks import HASH_BITS
from shazam_desktop.engine.matcher import TrackTable
from shazam_desktop.errors import LibraryError
from shazam_desktop.store.fpindex import FingerprintIndex


def _landmarks(n, seed=0, common=None):
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 1 << HASH_BITS, n, dtype=np.uint32)
    if common is not None:  # one hash that many anchors share
        hashes[:common] = 12345
    return hashes, rng.integers(0, 1 << 30, n, dtype=np.uint32)


@pytest.mark.parametrize(("common", "dtype"), [(None, np.uint8), (300, np.uint16)])
def test_a_segment_keeps_its_bucket_sizes_in_the_narrowest_type(tmp_path, common, dtype):
    """The table on disk holds each bucket's size, as uint8 while every bucket holds under
    256 postings (a quarter of the 256 KiB of offsets), wider when one holds more; reopened,
    every hash finds the same postings as in the segment built in memory."""
    hashes, posts = _landmarks(50_000, common=common)
    idx = FingerprintIndex(tmp_path)
    idx.add(hashes, posts, committed_base=1)
    name = idx.manifest["segments"][0]["name"]
    table = np.load(tmp_path / f"{name}.counts.npy")
    assert table.dtype == dtype and table.shape == (BUCKETS,)
    assert not (tmp_path / f"{name}.offsets.npy").exists()

    again = FingerprintIndex(tmp_path)
    built = build_segment(hashes, posts)
    np.testing.assert_array_equal(again.segments[0].offsets, built.offsets)
    probe = np.concatenate([hashes[:500], hashes[:3] ^ 1])
    got, want = lookup(again.segments[0], probe), lookup(built, probe)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_segment_written_with_its_offsets_is_still_read(tmp_path):
    """Libraries indexed before the table shrank keep `offsets` (uint32, one more than the
    buckets): they open and answer as before, and a merge rewrites them in the new form."""
    hashes, posts = _landmarks(20_000, seed=1)
    idx = FingerprintIndex(tmp_path)
    idx.add(hashes, posts, committed_base=1)
    name = idx.manifest["segments"][0]["name"]
    (tmp_path / f"{name}.counts.npy").unlink()
    np.save(tmp_path / f"{name}.offsets.npy", build_segment(hashes, posts).offsets)

    old = FingerprintIndex(tmp_path)
    assert len(old) == 20_000
    hits = lookup(old.segments[0], hashes[:10])
    assert all(posts[i] in hits[0][hits[1] == i] for i in range(10))

    more_h, more_p = _landmarks(10_000, seed=2)
    old.add(more_h, more_p, committed_base=2)
    old.merge(TrackTable.build([1], [0], [1 << 31]))
    merged = old.manifest["segments"][0]["name"]
    assert (tmp_path / f"{merged}.counts.npy").exists()
    assert sorted(p.name.split(".")[1] for p in tmp_path.glob("seg-*")) == [
        "counts",
        "low",
        "post",
    ]
    assert len(FingerprintIndex(tmp_path)) == 30_000


def test_a_table_that_does_not_add_up_asks_for_a_reindex(tmp_path):
    hashes, posts = _landmarks(5_000, seed=3)
    FingerprintIndex(tmp_path).add(hashes, posts, committed_base=1)
    (table,) = tmp_path.glob("seg-*.counts.npy")
    counts = np.load(table)
    counts[7] += 1
    np.save(table, counts)
    with pytest.raises(LibraryError, match="inconsistent.*re-index"):
        FingerprintIndex(tmp_path)
