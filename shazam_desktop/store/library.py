"""The Library facade: the one object the CLI and the UI talk to.

    lib = Library.open(folder)
    report = lib.add_paths([folder], progress=cb, cancel=event)
    result = lib.identify(audio)

Thread-safe: identify() may run on worker threads while the GUI thread lists tracks; writes
(add / remove / reindex) are serialised by one lock.
"""

from __future__ import annotations

import functools
import logging
import math
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from shazam_desktop.audio.decode import Audio, is_audio_path, load, load_excerpt, resample
from shazam_desktop.engine.embeddings import window_embeddings
from shazam_desktop.engine.fingerprint import Analysis, analyze, second_look_peaks
from shazam_desktop.engine.matcher import Match, SearchResult, TrackTable, search
from shazam_desktop.engine.params import DEFAULT_PARAMS, EngineParams
from shazam_desktop.engine.spectrogram import Spectrogram
from shazam_desktop.engine.verify import (
    Alignment,
    excerpt_span,
    fine_spectrogram,
    track_alignment,
    waveform_alignment,
)
from shazam_desktop.errors import DecodeError, LibraryError, ParamsMismatchError
from shazam_desktop.store.catalog import INDEXING, READY, Catalog, HistoryEntry, Track
from shazam_desktop.store.fpindex import FingerprintIndex, lookup_all
from shazam_desktop.store.indexer import FileJob, index_file, worker_init
from shazam_desktop.store.tags import read_tags
from shazam_desktop.store.vectors import VectorIndex

log = logging.getLogger(__name__)

CATALOG = "catalog.sqlite3"
FP_DIR = "fingerprints"
# Writes are committed in batches: fewer, larger segments and hnsw saves.
_BATCH_TRACKS = 64
_BATCH_SECONDS = 10.0


@dataclass(frozen=True)
class Progress:
    """One step of a long job: `done` of `total` files, the file just finished."""

    done: int
    total: int
    path: str
    ok: bool
    message: str = ""


ProgressFn = Callable[[Progress], None]


@dataclass
class AddReport:
    added: list[Track] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    cancelled: bool = False
    elapsed_s: float = 0.0
    audio_s: float = 0.0


@dataclass(frozen=True)
class Similar:
    track: Track
    similarity: float


@dataclass(frozen=True)
class IdentifyResult:
    match: Match | None
    track: Track | None
    similar: list[Similar]
    elapsed_ms: float
    analysis: Analysis
    search: SearchResult


@dataclass(frozen=True)
class LibraryStats:
    tracks: int
    audio_hours: float
    hashes: int
    disk_bytes: int


def default_library_dir() -> Path:
    env = os.environ.get("SHAZAM_DESKTOP_LIBRARY")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("shazam-desktop", appauthor=False)) / "library"


def expand_paths(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files as given, folders searched recursively for audio files; missing paths reported."""
    files: list[Path] = []
    errors: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and is_audio_path(f) and not f.name.startswith(".")
            )
        elif p.is_file():
            found = [p]
        else:
            errors.append((str(p), f"{p}: no such file or folder"))
            continue
        for f in found:
            r = f.resolve()
            if r not in seen:
                seen.add(r)
                files.append(f)
    return files, errors


def _single_threaded_blas() -> None:
    """numpy may have been imported before our package set OPENBLAS_NUM_THREADS: limit now."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


class Library:
    def __init__(self, folder: str | os.PathLike, params: EngineParams = DEFAULT_PARAMS) -> None:
        self.folder = Path(folder).expanduser()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LibraryError(
                f"{self.folder}: cannot create the library folder ({e.strerror or e})"
            ) from None
        if not os.access(self.folder, os.W_OK):
            raise LibraryError(f"{self.folder}: the library folder is not writable")
        self.params = params
        _single_threaded_blas()
        self._lock = threading.RLock()
        self._add_lock = threading.Lock()
        self.catalog = Catalog(self.folder / CATALOG)
        stored = self.catalog.get_meta("params")
        self.needs_reindex = False
        if stored is None:
            self.catalog.set_meta("params", params.signature_json())
        elif stored != params.signature_json():
            self.needs_reindex = bool(self.catalog.tracks(status=None))
            if not self.needs_reindex:
                self.catalog.set_meta("params", params.signature_json())
        self.fp = FingerprintIndex(self.folder / FP_DIR)
        dim = 2 * (params.embedding.n_mfcc - 1)
        self.vectors = VectorIndex(self.folder, dim, params.embedding)
        self._reconcile()
        self._refresh()

    @classmethod
    def open(
        cls, folder: str | os.PathLike | None = None, params: EngineParams = DEFAULT_PARAMS
    ) -> Library:
        return cls(folder if folder is not None else default_library_dir(), params)

    def close(self) -> None:
        with self._lock:
            self.vectors.save()
            self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- consistency ---
    def _reconcile(self) -> None:
        """Make the catalog, the fingerprint manifest and the vectors agree after any crash."""
        committed = self.fp.committed_base
        pending = self.catalog.tracks(status=INDEXING)
        done = [t.id for t in pending if t.base_frame < committed]
        lost = [t.id for t in pending if t.base_frame >= committed]
        if done:
            self.catalog.mark_ready(done)
        if lost:
            log.info("dropping %d half-added tracks after an interrupted add", len(lost))
            self.catalog.delete(lost)
        live = {t.id for t in self.catalog.tracks(status=None)}
        stray = self.vectors.track_ids() - live
        if stray and self.vectors.remove_tracks(stray):
            self.vectors.save()

    def _refresh(self) -> None:
        tracks = self.catalog.tracks(status=READY)
        self._tracks = {t.id: t for t in tracks}
        self._table = TrackTable.build(
            [t.id for t in tracks], [t.base_frame for t in tracks], [t.n_frames for t in tracks]
        )
        self._live = set(self._tracks)

    # --- reading ---
    def tracks(self) -> list[Track]:
        with self._lock:
            return list(self._tracks.values())

    def track(self, track_id: int) -> Track | None:
        with self._lock:
            return self._tracks.get(track_id)

    def __len__(self) -> int:
        return len(self._tracks)

    def cover(self, track_id: int) -> tuple[str, bytes] | None:
        """The track's cover art, read from its file's tags (None when missing or moved)."""
        stored = self.catalog.cover(track_id)
        if stored is not None:
            return stored
        track = self.track(track_id)
        if track is None or not track.has_cover:
            return None
        path = Path(track.path)
        return read_tags(path).cover if path.is_file() else None

    def stats(self) -> LibraryStats:
        with self._lock:
            hours = sum(t.duration_s for t in self._tracks.values()) / 3600
            disk = sum(f.stat().st_size for f in self.folder.rglob("*") if f.is_file())
            return LibraryStats(len(self._tracks), hours, len(self.fp), disk)

    @property
    def threshold(self) -> int:
        """Minimum aligned-landmark score for a match, rising slowly with the library's size.

        Chance scores grow with the number of tracks; the slope was set from the benchmark's
        runner-up scores (see BENCHMARKS.md).  A calibrated value in the catalog wins.
        """
        stored = self.catalog.get_meta("threshold")
        if stored:
            return int(stored)
        mp_ = self.params.match
        n = max(1, len(self._tracks))
        return int(mp_.min_score + mp_.threshold_per_decade * max(0.0, math.log10(n / 100)))

    @property
    def posting_cap(self) -> int:
        """Query hashes with more postings than this are skipped (they occur everywhere)."""
        mp_ = self.params.match
        cap = max(mp_.min_posting_cap, int(mp_.posting_cap_per_track * len(self._tracks)))
        return min(cap, mp_.max_posting_cap)

    # --- identify ---
    def identify(
        self, audio: Audio | np.ndarray, exhaustive: bool = False, speed_search: bool = True
    ) -> IdentifyResult:
        """Find the track this audio comes from, or say what it sounds like."""
        if self.needs_reindex:
            raise ParamsMismatchError(
                "this library was built with different engine settings: re-index it before identifying"
            )
        t0 = time.perf_counter()
        samples = audio.samples if isinstance(audio, Audio) else np.asarray(audio, np.float32)
        with self._lock:
            segments, table, live, tracks = (
                list(self.fp.segments),
                self._table,
                set(self._live),
                dict(self._tracks),
            )
            threshold = self.threshold
            cap = self.posting_cap
        analysis = analyze(samples, self.params, query=True)
        emb = window_embeddings(analysis.spectrogram, self.params.embedding)
        nearest = self.vectors.nearest_tracks(emb, self.params.match.mfcc_shortlist, live)
        sr = self.params.spectrogram.sample_rate

        # The query at each frequency scale the search asks for, each made once.
        @functools.cache
        def signal_at(fs: float) -> np.ndarray:
            # Rate sr -> sr / fs, played at sr: every frequency times fs (see `search`).
            return samples if fs == 1.0 else resample(samples, sr, sr / fs)

        @functools.cache
        def analysis_at(fs: float) -> Analysis:
            return analysis if fs == 1.0 else analyze(signal_at(fs), self.params, query=True)

        @functools.cache
        def fine_at(fs: float) -> Spectrogram:
            return fine_spectrogram(signal_at(fs), self.params)

        def wave_at(fs: float) -> np.ndarray | None:
            # A waveform compares only at the speed it was recorded at.
            return samples if fs == 1.0 else None

        # (track, offset, fs, ts) -> (how much was measured: 0 the waveforms alone, 1 local
        # contrast too, 2 everything; the alignment)
        checked: dict[tuple[int, int, float, float], tuple[int, Alignment | None]] = {}

        def verify(
            track_id: int,
            offset_frames: int,
            fs: float = 1.0,
            plain: bool = True,
            ts: float = 1.0,
            wave_only: bool = False,
        ) -> Alignment | None:
            # The second look often proposes a track at the offset already checked.
            key = (track_id, offset_frames, fs, ts)
            level = 0 if wave_only else 2 if plain else 1
            done, a = checked.get(key, (-1, None))
            # A spectrogram check that found the track unreadable or too short there finds
            # it so at every level; the waveforms alone may be too short where it is not.
            if done < level and not (done >= 1 and a is None):
                track = tracks.get(track_id)
                a = None
                if track is not None:
                    a = self.alignment(
                        analysis_at(fs),
                        track,
                        offset_frames,
                        plain,
                        fine_at(fs),
                        wave_at(fs),
                        time_scale=ts,
                        wave_only=wave_only,
                    )  # fmt: skip
                checked[key] = (level, a)
            return a

        res = search(
            analysis.peaks,
            lambda h, tighter=None: lookup_all(segments, h, min(cap, tighter or cap)),
            table,
            self.params,
            threshold,
            [tid for tid, _ in nearest],
            exhaustive=exhaustive,
            speed_search=speed_search,
            resampled=lambda fs: analysis_at(fs).peaks,
            verify=verify,
            second_look=(
                (lambda: second_look_peaks(analysis.spectrogram, self.params))
                if self.params.match.second_look_peaks
                else None
            ),
        )
        track = tracks.get(res.match.track_id) if res.match else None
        # "Sounds like": of the MFCC shortlist (ranked by summed similarity), the tracks
        # whose closest window is nearest, in the order of the similarity shown.
        similar = sorted(
            (Similar(tracks[tid], sim) for tid, sim in nearest if tid in tracks),
            key=lambda s: -s.similarity,
        )[:5]
        elapsed = (time.perf_counter() - t0) * 1000
        return IdentifyResult(res.match, track, similar, elapsed, analysis, res)

    def alignment(
        self,
        query: Analysis,
        track: Track,
        offset_frames: int,
        plain: bool = True,
        query_fine: Spectrogram | None = None,
        query_samples: np.ndarray | None = None,
        time_scale: float = 1.0,
        wave_only: bool = False,
    ) -> Alignment | None:
        """How well the query's spectrogram follows `track`'s own audio at `offset_frames`
        (engine.verify; without `plain`, on local contrast only; `query_fine`: the query's
        `fine_spectrogram`, for local contrast as `identify` measures it; `query_samples`:
        its audio, to compare the waveforms too, or alone with `wave_only`; `time_scale`:
        the query plays the track that many times faster, tempo only), read from its file
        by seeking; None when the file is gone or unreadable since it was indexed."""
        if wave_only and (query_samples is None or time_scale != 1.0):
            return None  # waveforms compare only at the speed they were recorded at
        sr = self.params.spectrogram.sample_rate
        n = query.spectrogram.n_frames
        first, count = excerpt_span(offset_frames, n, self.params, time_scale)
        pad = max(0, -first)
        try:
            x = load_excerpt(track.path, (first + pad) / sr, (count - pad) / sr, sr)
        except DecodeError:
            return None
        if pad:
            x = np.concatenate([np.zeros(pad, np.float32), x])
        if wave_only:
            return waveform_alignment(query_samples, x, self.params)
        return track_alignment(
            query.spectrogram, x, self.params, plain, query_fine, query_samples, time_scale
        )

    def identify_file(self, path: str | os.PathLike, **kw) -> IdentifyResult:
        audio = load(path, sr=self.params.spectrogram.sample_rate, min_seconds=1.0)
        return self.identify(audio, **kw)

    # --- history ---
    def record(self, result: IdentifyResult, source: str, query: str) -> HistoryEntry:
        m, t = result.match, result.track
        e = HistoryEntry(
            0,
            time.time(),
            source,
            query,
            t.id if t else None,
            t.title if t else "",
            t.artist if t else "",
            m.confidence if m else 0.0,
            m.score if m else 0,
            m.offset_s if m else 0.0,
        )
        hid = self.catalog.add_history(e)
        return replace(e, id=hid)

    def history(self, limit: int | None = None) -> list[HistoryEntry]:
        return self.catalog.history(limit)

    def clear_history(self) -> None:
        self.catalog.clear_history()

    # --- writing ---
    def remove(self, ids: Sequence[int]) -> list[int]:
        """Take tracks out of the catalog and both indexes; returns the ids that existed."""
        with self._lock:
            known = [i for i in ids if self.catalog.track(int(i)) is not None]
            if not known:
                return []
            self.catalog.delete(known)
            self.vectors.remove_tracks(set(known))
            self.vectors.save()
            self._refresh()
            if self.fp.needs_merge() or self._dead_fraction() > 0.25:
                self._merge()
            return known

    def _dead_fraction(self) -> float:
        total = len(self.fp)
        if not total:
            return 0.0
        live = sum(t.n_hashes for t in self._tracks.values())
        return max(0.0, 1.0 - live / total)

    def _merge(self) -> None:
        self.fp.merge(self._table)

    def add_paths(
        self,
        paths: Iterable[str | os.PathLike],
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        workers: int | None = None,
    ) -> AddReport:
        """Add files and folders (recursively).  Bad files are reported and skipped.

        Decoding and fingerprinting fan out to a process pool (all cores by default); one
        thread writes.  `cancel.set()` stops within about a second; what was committed stays.
        """
        if self.needs_reindex:
            raise ParamsMismatchError(
                "this library was built with different engine settings: re-index it first"
            )
        t0 = time.perf_counter()
        files, missing = expand_paths(paths)
        report = AddReport(errors=list(missing))
        todo: list[Path] = []
        for f in files:
            try:
                st = f.stat()
            except OSError as e:
                report.errors.append((str(f), f"{f.name}: cannot read ({e.strerror or e})"))
                continue
            if self.catalog.known_file(str(f.resolve()), st.st_size, st.st_mtime):
                report.duplicates.append((str(f), "already in the library"))
            else:
                todo.append(f)
        total = len(todo)
        done = 0
        if progress:
            for p, msg in report.errors:
                progress(Progress(0, total, p, False, msg))
        # Only one add at a time; identify() and the readers take the short lock and keep
        # working while files are decoded: the write lock is held per committed batch.
        with self._add_lock:
            writer = _BatchWriter(self, report)
            for job in self._run_jobs(todo, workers, cancel):
                done += 1
                if job.error:
                    report.errors.append((job.path, job.error))
                    if progress:
                        progress(Progress(done, total, job.path, False, job.error))
                    continue
                why = writer.offer(job)
                if progress:
                    progress(Progress(done, total, job.path, why is None, why or ""))
            writer.flush()
            report.cancelled = bool(cancel and cancel.is_set())
            with self._lock:
                if self.fp.needs_merge():
                    self._merge()
        report.elapsed_s = time.perf_counter() - t0
        return report

    def _run_jobs(self, files: list[Path], workers: int | None, cancel: threading.Event | None):
        n_workers = workers or os.cpu_count() or 1
        if n_workers <= 1 or len(files) <= 1:
            yield from self._run_inline(files, cancel)
            return
        ctx = mp.get_context("forkserver")
        queue = list(reversed(files))
        submitted: dict[Future, Path] = {}
        try:
            with ProcessPoolExecutor(
                max_workers=n_workers, mp_context=ctx, initializer=worker_init
            ) as ex:
                # Keep a few jobs queued per worker, not all of them: cancel then takes effect fast.
                while queue and len(submitted) < 2 * n_workers:
                    f = queue.pop()
                    submitted[ex.submit(index_file, str(f), self.params)] = f
                while submitted:
                    finished, _ = wait(list(submitted), timeout=0.2, return_when=FIRST_COMPLETED)
                    if cancel and cancel.is_set():
                        ex.shutdown(wait=False, cancel_futures=True)
                        return
                    for fut in finished:
                        f = submitted.pop(fut)
                        try:
                            job = fut.result()
                        except BrokenProcessPool:
                            queue.append(f)
                            raise
                        except Exception as e:  # pickling trouble etc.: report the file, go on
                            job = FileJob(
                                str(f), error=f"{f.name}: indexing failed ({type(e).__name__}: {e})"
                            )
                        yield job
                        if queue:
                            nf = queue.pop()
                            submitted[ex.submit(index_file, str(nf), self.params)] = nf
        except BrokenProcessPool:
            # A worker died (out of memory, killed, or no way to start processes): finish here.
            log.warning("the indexing process pool broke; continuing in this process")
            rest = list(submitted.values()) + list(reversed(queue))
            yield from self._run_inline(rest, cancel)

    def _run_inline(self, files: list[Path], cancel: threading.Event | None):
        for f in files:
            if cancel and cancel.is_set():
                return
            yield index_file(str(f), self.params)

    def reindex(
        self,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        workers: int | None = None,
    ) -> AddReport:
        """Fingerprint every track again from its file (after a change of engine settings)."""
        with self._lock:
            old = self.catalog.tracks(status=None)
            paths = [t.path for t in old]
            self.catalog.delete([t.id for t in old])
            self.vectors.remove_tracks({t.id for t in old})
            self.vectors.save()
            self.fp.merge(TrackTable.build([], [], []))
            self.catalog.set_meta("params", self.params.signature_json())
            self.needs_reindex = False
            self._refresh()
        return self.add_paths(paths, progress, cancel, workers)


class _BatchWriter:
    """Collects fingerprinted files and commits them in crash-safe batches."""

    def __init__(self, lib: Library, report: AddReport) -> None:
        self.lib = lib
        self.report = report
        self.jobs: list[FileJob] = []
        self.hashes_in_batch: set[str] = set()
        self.last = time.monotonic()

    def offer(self, job: FileJob) -> str | None:
        assert job.item is not None
        h = job.item["content_hash"]
        dup = self.lib.catalog.by_hash(h)
        if dup is not None or h in self.hashes_in_batch:
            why = (
                f"same audio file as “{dup.title}” already in the library"
                if dup
                else "same file twice"
            )
            self.report.duplicates.append((job.path, why))
            return why
        self.jobs.append(job)
        self.hashes_in_batch.add(h)
        if len(self.jobs) >= _BATCH_TRACKS or time.monotonic() - self.last > _BATCH_SECONDS:
            self.flush()
        return None

    def flush(self) -> None:
        if not self.jobs:
            return
        with self.lib._lock:
            self._commit()

    def _commit(self) -> None:
        lib = self.lib
        jobs, self.jobs = self.jobs, []
        self.hashes_in_batch.clear()
        self.last = time.monotonic()
        # 1. Rows appear as 'indexing' with their bases (not yet visible to identify).
        tracks = lib.catalog.insert_pending([j.item for j in jobs])
        by_hash = {t.content_hash: t for t in tracks}
        hs, ps = [], []
        for j in jobs:
            t = by_hash[j.item["content_hash"]]
            hs.append(j.hashes)
            ps.append(j.times.astype(np.int64) + t.base_frame)
            lib.vectors.add(t.id, j.embeddings)
        # 2. Vectors, then the fingerprint manifest: the manifest is the commit point.
        lib.vectors.save()
        end = max(t.base_frame + t.n_frames + 1 for t in tracks)
        lib.fp.add(np.concatenate(hs), np.concatenate(ps).astype(np.uint32), committed_base=end)
        # 3. Visible.
        lib.catalog.mark_ready([t.id for t in tracks])
        lib._refresh()
        for t in tracks:
            self.report.added.append(lib.catalog.track(t.id) or t)
            self.report.audio_s += t.duration_s
