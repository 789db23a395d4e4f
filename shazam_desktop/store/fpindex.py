"""The landmark index on disk: segment files named by a manifest that is replaced atomically.

New tracks go to a small delta segment; when deltas pile up they are merged (dropping the
postings of removed tracks) into one segment.  The manifest is the commit point: a segment
not named in it does not exist, and is swept away on the next open.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from shazam_desktop.engine.index import (
    BUCKETS,
    Segment,
    bucket_offsets,
    build_segment,
    lookup,
    merge_segments,
)
from shazam_desktop.engine.matcher import TrackTable
from shazam_desktop.errors import LibraryError
from shazam_desktop.store.atomic import fsync_dir, write_atomic, write_bytes_atomic

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
# A segment's files: its bucket sizes ("counts", in the narrowest unsigned type that holds
# the largest: 64 KiB for most libraries instead of the 256 KiB of the offsets they sum
# to), its low hash bits and its postings.  Segments written before round 16 keep their
# offsets themselves ("offsets", uint32), and are read as they are.
_PARTS = ("counts", "low", "post")
_OLD_TABLE = "offsets"


class FingerprintIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.manifest = self._read_manifest()
        self.segments: list[Segment] = [self._load(s["name"]) for s in self.manifest["segments"]]
        self._sweep()

    # --- manifest ---
    def _read_manifest(self) -> dict:
        path = self.folder / MANIFEST
        if not path.exists():
            return {"version": 1, "next_segment": 1, "committed_base": 0, "segments": []}
        try:
            m = json.loads(path.read_text())
            assert isinstance(m.get("segments"), list)
            return m
        except (ValueError, AssertionError, OSError) as e:
            raise LibraryError(
                f"{path}: the fingerprint manifest is damaged ({e}); re-index the library"
            ) from None

    def _write_manifest(self, m: dict) -> None:
        write_bytes_atomic(self.folder / MANIFEST, json.dumps(m, indent=1).encode())
        self.manifest = m

    @property
    def committed_base(self) -> int:
        """Every track whose base is below this has its postings in a listed segment."""
        return int(self.manifest.get("committed_base", 0))

    def _load(self, name: str) -> Segment:
        def part(p: str) -> np.ndarray:
            # Plain ndarray views of the maps: the same pages, without np.memmap's
            # per-indexing wrapper (a third of the lookup time at 1,000 tracks).
            return np.asarray(np.load(self.folder / f"{name}.{p}.npy", mmap_mode="r"))

        try:
            if (self.folder / f"{name}.{_OLD_TABLE}.npy").exists():
                offsets = part(_OLD_TABLE)
            else:
                counts = part("counts")
                if counts.shape != (BUCKETS,) or counts.dtype.kind != "u":
                    raise ValueError(f"a table of {counts.shape} {counts.dtype}")
                offsets = bucket_offsets(counts)
            low, post = part("low"), part("post")
        except (OSError, ValueError) as e:
            raise LibraryError(
                f"fingerprint segment {name} is unreadable ({e}); re-index the library"
            ) from None
        if int(offsets[-1]) != low.shape[0] or low.shape != post.shape:
            raise LibraryError(
                f"fingerprint segment {name} is inconsistent (its table counts "
                f"{int(offsets[-1])} postings, it holds {post.shape[0]}); re-index the library"
            )
        return Segment(offsets, low, post)

    def _sweep(self) -> None:
        live = {s["name"] for s in self.manifest["segments"]}
        for f in self.folder.iterdir():
            if f.name == MANIFEST:
                continue
            seg = f.name.split(".")[0]
            if f.name.startswith(".") or seg not in live:
                try:
                    f.unlink()
                except OSError:
                    pass

    def _write_segment(self, seg: Segment) -> str:
        n = int(self.manifest["next_segment"])
        name = f"seg-{n:06d}"
        sizes = seg.bucket_sizes()
        counts = sizes.astype(np.min_scalar_type(int(sizes.max(initial=0))))
        for part, arr in zip(_PARTS, (counts, seg.low, seg.post), strict=True):
            write_atomic(self.folder / f"{name}.{part}.npy", lambda p, a=arr: _save(p, a))
        return name

    # --- operations ---
    def __len__(self) -> int:
        return sum(len(s) for s in self.segments)

    def add(self, hashes: np.ndarray, postings: np.ndarray, committed_base: int) -> None:
        """Add one delta segment and commit it (with the new committed base) atomically."""
        m = dict(self.manifest)
        segs = list(m["segments"])
        if len(hashes):
            seg = build_segment(hashes, postings)
            name = self._write_segment(seg)
            m["next_segment"] = int(m["next_segment"]) + 1
            segs.append({"name": name, "n": len(seg)})
            self.segments = self.segments + [self._load(name)]
        m["segments"] = segs
        m["committed_base"] = max(int(committed_base), self.committed_base)
        self._write_manifest(m)

    def needs_merge(self) -> bool:
        segs = self.manifest["segments"]
        if len(segs) <= 1:
            return False
        sizes = sorted((s["n"] for s in segs), reverse=True)
        return len(segs) > 8 or sum(sizes[1:]) > 0.25 * sizes[0]

    def merge(self, live: TrackTable) -> None:
        """Merge every segment into one, keeping only postings that fall inside a live track."""
        merged = merge_segments(self.segments, drop=lambda post: live.locate(post)[0] < 0)
        old = [s["name"] for s in self.manifest["segments"]]
        m = dict(self.manifest)
        if len(merged):
            name = self._write_segment(merged)
            m["next_segment"] = int(m["next_segment"]) + 1
            m["segments"] = [{"name": name, "n": len(merged)}]
            self._write_manifest(m)
            self.segments = [self._load(name)]
        else:
            m["segments"] = []
            self._write_manifest(m)
            self.segments = []
        for name in old:
            for part in (*_PARTS, _OLD_TABLE):
                try:
                    (self.folder / f"{name}.{part}.npy").unlink()
                except OSError:
                    pass
        fsync_dir(self.folder)

    def lookup(
        self, hashes: np.ndarray, max_postings: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return lookup_all(self.segments, hashes, max_postings)

    def disk_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.iterdir() if f.is_file())


def lookup_all(
    segments: list[Segment], hashes: np.ndarray, max_postings: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if len(segments) == 1:
        return lookup(segments[0], hashes, max_postings)
    posts, qis = [], []
    for s in segments:
        p, q = lookup(s, hashes, max_postings)
        posts.append(p)
        qis.append(q)
    if not posts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    return np.concatenate(posts), np.concatenate(qis)


def _save(path: Path, arr: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, np.ascontiguousarray(arr))
