"""`shazam-desktop bench`: accuracy by degradation, false matches, shortlist recall, speed,
disk and memory, on a generated corpus (default) or a folder of the user's own music.

Everything measured here is measured on this machine by this run; nothing is hard-coded.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from shazam_desktop.audio.decode import ENGINE_RATE, is_audio_path, load_excerpt
from shazam_desktop.errors import ShazamError

# Conditions at 5-s clips (the targets' clip length); a few more at 3 and 10 s.
DEFAULT_CONDITIONS = [
    "clean",
    "white_10dB",
    "white_0dB",
    "white_-5dB",
    "mix_0dB",
    "mix_-5dB",
    "babble_0dB",
    "phone",
    "gsm",
    "mp3_64k",
    "reverb",
    "laptop",
    "gain_-20dB",
    "speed_+2%",
    "speed_-2%",
    "speed_+5%",
    "speed_-5%",
    "tempo_+5%",
    "tempo_-5%",
    "pitch_+1st",
    "pitch_-1st",
]
EXTRA_CELLS = [("clean", 3.0), ("white_0dB", 3.0), ("clean", 10.0), ("white_0dB", 10.0)]
OOL_CONDITIONS = ["clean", "white_0dB", "mp3_64k", "speed_+2%", "pitch_+1st"]


@dataclass
class Query:
    qid: int
    path: str
    track_id: int | None  # None: not in the library
    start_s: float
    seconds: float
    condition: str
    seed: int
    other_path: str | None
    # The exhaustive search (for the recall columns) is skipped where only the answer counts.
    exhaustive: bool = True


@dataclass
class Outcome:
    qid: int
    condition: str
    seconds: float
    in_library: bool
    truth: int | None
    answer: int | None = None
    score: int = 0
    runner_up: int = 0
    best_other: int = 0  # best score of a wrong track in the exhaustive ranking
    exhaustive_answer: int | None = None
    in_mfcc: bool = False
    in_hash: bool = False
    elapsed_ms: float = 0.0
    error: str | None = None


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class _Bar:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.t0 = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            frac = self.done / max(1, self.total)
            sys.stderr.write(
                f"\r\x1b[K{self.label} [{'#' * int(frac * 30):<30}] {self.done}/{self.total}"
            )
            sys.stderr.flush()
        elif now - self.last > 10 or self.done == self.total:
            _log(f"{self.label}: {self.done}/{self.total} ({now - self.t0:.0f} s)")
            self.last = now

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


# --------------------------------------------------------------------------- audio helpers


def read_excerpt(path: str, start_s: float, seconds: float) -> np.ndarray:
    """Mono float32 at the engine rate, read by seeking (no whole-file decode)."""
    return load_excerpt(path, start_s, seconds, ENGINE_RATE)


def track_duration(path: str) -> float:
    import soundfile as sf

    try:
        return float(sf.info(path).duration)
    except (sf.LibsndfileError, RuntimeError):
        from shazam_desktop.audio.decode import load

        return load(path, allow_silent=True).duration_s


def apply_condition(
    name: str, x: np.ndarray, sr: int, rng: np.random.Generator, other
) -> np.ndarray:
    from shazam_desktop.synth import degrade

    c = degrade.CONDITIONS[name]
    fn = getattr(c, "apply", c)
    return np.asarray(fn(x, sr, rng, other), dtype=np.float32)


def make_query_audio(q: Query) -> np.ndarray:
    rng = np.random.default_rng(q.seed)
    # Speed/tempo changes need a longer source excerpt to fill the clip.
    pad = 1.12 if q.condition.startswith(("speed", "tempo")) else 1.0
    x = read_excerpt(q.path, q.start_s, q.seconds * pad + 0.05)
    other = read_excerpt(q.other_path, 20.0, q.seconds * 1.2) if q.other_path else None
    y = apply_condition(q.condition, x, ENGINE_RATE, rng, other)
    n = int(q.seconds * ENGINE_RATE)
    return np.ascontiguousarray(y[:n], dtype=np.float32)


# --------------------------------------------------------------------------- query workers

_LIB = None


def _worker_init(lib_dir: str) -> None:
    global _LIB
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from shazam_desktop.store.library import Library

    _LIB = Library.open(lib_dir)


def _run_query(q: Query) -> Outcome:
    assert _LIB is not None
    try:
        y = make_query_audio(q)
        t0 = time.perf_counter()
        res = _LIB.identify(y)
        ms = (time.perf_counter() - t0) * 1000
        ex = _LIB.identify(y, exhaustive=True) if q.exhaustive else res
    except (ShazamError, RuntimeError, ValueError) as e:
        return Outcome(
            q.qid,
            q.condition,
            q.seconds,
            q.track_id is not None,
            q.track_id,
            error=f"{type(e).__name__}: {e}",
        )
    answer = res.match.track_id if res.match else None
    others = [c.score for c in ex.search.ranked if c.track_id != q.track_id]
    return Outcome(
        q.qid,
        q.condition,
        q.seconds,
        q.track_id is not None,
        q.track_id,
        answer,
        res.match.score if res.match else (res.search.ranked[0].score if res.search.ranked else 0),
        res.match.runner_up
        if res.match
        else (res.search.ranked[1].score if len(res.search.ranked) > 1 else 0),
        max(others) if others else 0,
        ex.match.track_id if ex.match else None,
        q.track_id in res.search.mfcc_shortlist,
        q.track_id in res.search.hash_shortlist,
        ms,
    )


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="shazam-desktop bench", description=__doc__)
    p.add_argument("--library", help=argparse.SUPPRESS)
    p.add_argument("--corpus", help="folder of your own music (default: generated music)")
    p.add_argument("--tracks", type=int, default=200, help="generated library tracks (200)")
    p.add_argument(
        "--unknown", type=int, default=40, help="generated tracks kept out of the library (40)"
    )
    p.add_argument("--queries", type=int, default=100, help="queries per condition (100)")
    p.add_argument(
        "--conditions",
        default="all",
        help="comma-separated subset of: " + ",".join(DEFAULT_CONDITIONS).replace("%", "%%"),
    )
    p.add_argument(
        "--scale", default="", help="library sizes for the scaling test, e.g. 100,1000,10000"
    )
    p.add_argument(
        "--scale-track-s", type=float, default=20.0, help="length of the filler tracks (20 s)"
    )
    p.add_argument(
        "--ool-reps",
        type=int,
        default=3,
        help="offsets per unknown track and condition in the scaling test (3)",
    )
    p.add_argument("--skip-accuracy", action="store_true", help="only the scaling test")
    p.add_argument(
        "--work", default="bench-out", help="work folder (corpus cache, libraries, results)"
    )
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", dest="json_out", help="write all figures as JSON here")
    p.add_argument("--markdown", help="write the report as Markdown here")
    p.add_argument("--quick", action="store_true", help="small run for a smoke test")
    return p.parse_args(argv)


def corpus_files(args: argparse.Namespace, work: Path) -> tuple[list[str], list[str], str]:
    if args.corpus:
        files = sorted(
            str(f)
            for f in Path(args.corpus).expanduser().rglob("*")
            if f.is_file() and is_audio_path(f)
        )
        if len(files) < 4:
            raise SystemExit(
                f"bench: {args.corpus} holds {len(files)} audio files; at least 4 are needed"
            )
        rnd = random.Random(args.seed)
        rnd.shuffle(files)
        n_unknown = max(2, len(files) // 4)
        return sorted(files[n_unknown:]), sorted(files[:n_unknown]), f"folder {args.corpus}"
    from shazam_desktop.synth.music import generate_corpus

    n = args.tracks + args.unknown
    folder = work / "corpus-generated"
    bar = _Bar("generating corpus", n)
    last = [0]

    def prog(done: int, total: int) -> None:
        bar.step(done - last[0])
        last[0] = done

    paths = generate_corpus(
        folder, n, seed=0, min_s=30, max_s=240, progress=prog, processes=args.workers
    )
    bar.close()
    files = [str(p) for p in paths]
    return (
        files[: args.tracks],
        files[args.tracks :],
        f"generated ({n} seeded tracks, 30 s to 4 min)",
    )


def dir_bytes(d: Path) -> int:
    return sum(f.stat().st_size for f in d.rglob("*") if f.is_file())


def build_library(lib_dir: Path, files: list[str], workers: int | None) -> dict:
    from shazam_desktop.store.library import Library

    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    lib = Library.open(lib_dir)
    bar = _Bar("indexing", len(files))
    t0 = time.perf_counter()
    rep = lib.add_paths(files, progress=lambda p: bar.step(), workers=workers)
    wall = time.perf_counter() - t0
    bar.close()
    stats = lib.stats()
    ids = {t.path: t.id for t in lib.tracks()}
    lib.close()
    cores = workers or os.cpu_count() or 1
    return {
        "tracks": len(rep.added),
        "errors": rep.errors,
        "audio_s": rep.audio_s,
        "wall_s": wall,
        "x_realtime": rep.audio_s / wall if wall else 0.0,
        "cores": cores,
        "x_realtime_per_core": rep.audio_s / wall / cores if wall else 0.0,
        "disk_bytes": dir_bytes(lib_dir),
        "hours": stats.audio_hours,
        "hashes": stats.hashes,
        "mb_per_hour": dir_bytes(lib_dir) / 1e6 / max(stats.audio_hours, 1e-9),
        "fingerprint_mb_per_hour": dir_bytes(lib_dir / "fingerprints")
        / 1e6
        / max(stats.audio_hours, 1e-9),
        "vectors_mb_per_hour": (lib_dir / "vectors.hnsw").stat().st_size
        / 1e6
        / max(stats.audio_hours, 1e-9)
        if (lib_dir / "vectors.hnsw").exists()
        else 0.0,
        "hashes_per_second": stats.hashes / max(rep.audio_s, 1e-9),
        "ids": ids,
    }


def plan_queries(
    lib_files: list[str],
    ids: dict[str, int],
    unknown: list[str],
    conditions: list[str],
    per_cond: int,
    seed: int,
    ool_reps: int = 1,
) -> list[Query]:
    rnd = random.Random(seed)
    durs = {f: track_duration(f) for f in set(lib_files) | set(unknown)}
    queries: list[Query] = []
    cells = [(c, 5.0) for c in conditions] + [c for c in EXTRA_CELLS if c[0] in conditions]
    resolved = {str(Path(f).resolve()): f for f in lib_files}
    id_of = {resolved.get(p, p): i for p, i in ids.items()}
    in_lib = [f for f in lib_files if f in id_of]

    def add(path: str, tid: int | None, cond: str, secs: float) -> None:
        dur = durs[path]
        start = rnd.uniform(0, max(0.0, dur - secs * 1.15 - 0.1))
        other = None
        if cond.startswith("mix"):
            # The interfering song is one the library does not hold (else it is a right answer).
            other = (
                rnd.choice(unknown)
                if unknown
                else rnd.choice([f for f in in_lib if f != path] or in_lib)
            )
        queries.append(
            Query(len(queries), path, tid, start, secs, cond, rnd.randrange(1 << 30), other)
        )

    for cond, secs in cells:
        for _ in range(per_cond):
            f = rnd.choice(in_lib)
            add(f, id_of[f], cond, secs)
    for cond in OOL_CONDITIONS:
        if cond not in conditions:
            continue
        for f in unknown:
            for secs in (5.0, 10.0):
                for _ in range(ool_reps):
                    add(f, None, cond, secs)
    return queries


def run_queries(lib_dir: Path, queries: list[Query], workers: int | None) -> list[Outcome]:
    n = workers or os.cpu_count() or 1
    bar = _Bar("querying", len(queries))
    out: list[Outcome] = []
    ctx = mp.get_context("forkserver")
    with ctx.Pool(n, initializer=_worker_init, initargs=(str(lib_dir),)) as pool:
        for o in pool.imap_unordered(_run_query, queries, chunksize=4):
            out.append(o)
            bar.step()
    bar.close()
    return sorted(out, key=lambda o: o.qid)


def summarize(outcomes: list[Outcome]) -> dict:
    cells: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.in_library:
            cells[f"{o.condition}@{o.seconds:g}s"].append(o)
    table = {}
    for key, os_ in cells.items():
        n = len(os_)
        right = sum(o.answer == o.truth for o in os_)
        wrong = sum(o.answer is not None and o.answer != o.truth for o in os_)
        ex_right = sum(o.exhaustive_answer == o.truth for o in os_)
        table[key] = {
            "n": n,
            "top1": right / n,
            "wrong": wrong,
            "no_match": n - right - wrong,
            "mfcc_recall": sum(o.in_mfcc for o in os_) / n,
            "hash_recall": sum(o.in_hash for o in os_) / n,
            "union_recall": sum(o.in_mfcc or o.in_hash for o in os_) / n,
            "exhaustive_top1": ex_right / n,
            "union_vs_exhaustive": right / ex_right if ex_right else 1.0,
            "errors": sum(o.error is not None for o in os_),
        }
    ool = [o for o in outcomes if not o.in_library]
    inlib = [o for o in outcomes if o.in_library and o.error is None]
    chance = sorted(o.best_other for o in inlib)
    ool_scores = sorted(o.score for o in ool)
    return {
        "cells": table,
        "ool": {
            "n": len(ool),
            "false_matches": sum(o.answer is not None for o in ool),
            "by_condition": {
                c: sum(o.answer is not None for o in ool if o.condition == c)
                for c in OOL_CONDITIONS
            },
            "max_score": max(ool_scores) if ool_scores else 0,
            "p99_score": float(np.percentile(ool_scores, 99)) if ool_scores else 0.0,
        },
        "chance_p995": float(np.percentile(chance, 99.5)) if chance else 0.0,
        "chance_max": max(chance) if chance else 0,
        "suggested_threshold": (float(np.percentile(chance, 99.5)) + 2) if chance else None,
    }


def latency(lib_dir: Path, files: list[str], n: int, seed: int, work: Path) -> dict:
    """Warm in-process latency of 10-s clips, decode (WAV) included, speed search on."""
    import soundfile as sf

    from shazam_desktop.audio.decode import load
    from shazam_desktop.store.library import Library

    rnd = random.Random(seed)
    clips = work / "latency-clips"
    clips.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        f = rnd.choice(files)
        d = track_duration(f)
        x = read_excerpt(f, rnd.uniform(0, max(0, d - 10.5)), 10.0)
        p = clips / f"clip{i:03d}.wav"
        sf.write(p, x, ENGINE_RATE, subtype="PCM_16")
        paths.append(p)
    lib = Library.open(lib_dir)
    lib.identify(load(paths[0]))  # warm caches
    times = []
    for p in paths:
        t0 = time.perf_counter()
        lib.identify(load(p))
        times.append((time.perf_counter() - t0) * 1000)
    lib.close()
    # Cold start: a fresh process running the real command line on one file.
    cold = []
    exe = [
        sys.executable,
        "-m",
        "shazam_desktop",
        "--library",
        str(lib_dir),
        "identify",
        "--json",
        str(paths[0]),
    ]
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(exe, capture_output=True, check=False)
        cold.append(time.perf_counter() - t0)
    return {
        "median_ms": statistics.median(times),
        "p95_ms": float(np.percentile(times, 95)),
        "n": len(times),
        "cold_identify_s": statistics.median(cold),
        "identify_process_peak_mb": identify_peak_mb(lib_dir, paths[:20]),
    }


def identify_peak_mb(lib_dir: Path, clips: list[Path]) -> float:
    """Peak resident memory of one `identify` process answering these clips.

    Measured inside that process from its own memory map's high-water mark (VmHWM).  Not
    ru_maxrss: Linux carries a parent's peak into a child started by fork/vfork + exec, so
    after building 10,000 tracks it reported the benchmark's own 2 GB.  RUSAGE_CHILDREN
    would also count the benchmark's worker processes.
    """
    code = (
        "import resource, sys\n"
        "from shazam_desktop.cli import main\n"
        "main(sys.argv[1:])\n"
        "kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            kb = int(line.split()[1])\n"
        "except OSError:\n"
        "    pass\n"
        "print('PEAK_KB', kb, file=sys.stderr)\n"
    )
    args = ["--library", str(lib_dir), "identify", "--json", *[str(c) for c in clips]]
    p = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    for line in p.stderr.splitlines():
        if line.startswith("PEAK_KB"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scale_test(
    sizes: list[int], lib_files: list[str], unknown: list[str], args, work: Path
) -> list[dict]:
    """Latency, memory and false matches as the library grows, filled with short generated tracks."""
    from shazam_desktop.synth.music import generate_corpus

    out = []
    biggest = max(sizes)
    n_fill = max(0, biggest - len(lib_files))
    fill_dir = work / f"filler-{int(args.scale_track_s)}s"
    bar = _Bar("generating filler tracks", n_fill)
    last = [0]

    def prog(done: int, total: int) -> None:
        bar.step(done - last[0])
        last[0] = done

    # FLAC: these only fill the index, and FLAC writes four times faster than Vorbis.
    fill = (
        [
            str(p)
            for p in generate_corpus(
                fill_dir,
                n_fill,
                seed=1_000_000,
                min_s=args.scale_track_s,
                max_s=args.scale_track_s,
                progress=prog,
                cover=False,
                fmt="flac",
                processes=args.workers,
            )
        ]
        if n_fill
        else []
    )
    bar.close()
    for size in sorted(sizes):
        real = lib_files[: min(size, len(lib_files))]
        files = real + fill[: size - len(real)]
        lib_dir = work / f"lib-scale-{size}"
        b = build_library(lib_dir, files, args.workers)
        lat = latency(lib_dir, real, 30, args.seed + size, work / f"scale-{size}")
        queries = plan_queries(
            real, b["ids"], unknown, OOL_CONDITIONS, 0, args.seed, ool_reps=args.ool_reps
        )
        # Only the answers count here: no exhaustive search (it verifies every hit of
        # every transform, minutes a query at 10,000 tracks).
        queries = [replace(q, exhaustive=False) for q in queries]
        oo = run_queries(lib_dir, queries, args.workers)
        fm = sum(o.answer is not None for o in oo)
        out.append(
            {
                "tracks": b["tracks"],
                "hours": b["hours"],
                "median_ms": lat["median_ms"],
                "p95_ms": lat["p95_ms"],
                "peak_mb": lat["identify_process_peak_mb"],
                "cold_identify_s": lat["cold_identify_s"],
                "ool_queries": len(oo),
                "false_matches": fm,
                "disk_mb": b["disk_bytes"] / 1e6,
                "x_realtime": b["x_realtime"],
            }
        )
        _log(f"scale {size}: {out[-1]}")
    return out


def render_markdown(r: dict) -> str:
    L: list[str] = []
    if "build" in r:
        _render_accuracy(r, L)
    if r.get("scale"):
        _render_scale(r, L)
    return "\n".join(L) + "\n"


def _render_accuracy(r: dict, L: list[str]) -> None:
    b = r["build"]
    L.append(
        f"Corpus: {r['corpus']}; library of {b['tracks']} tracks ({b['hours']:.2f} h); "
        f"{r['summary']['ool']['n']} out-of-library queries from {r['unknown_tracks']} tracks; "
        f"{r['machine']}; {r['date']}; threshold {r['threshold']}.\n"
    )
    L.append(
        "| condition | clip | n | top-1 | wrong | no match | MFCC recall | hash recall | union recall | exhaustive top-1 | union/exhaustive |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    cells = r["summary"]["cells"]
    order = [f"{c}@5s" for c in DEFAULT_CONDITIONS] + [f"{c}@{s:g}s" for c, s in EXTRA_CELLS]
    for key in order:
        if key not in cells:
            continue
        c = cells[key]
        cond, secs = key.split("@")
        L.append(
            f"| {cond} | {secs} | {c['n']} | {c['top1']:.1%} | {c['wrong']} | {c['no_match']} | "
            f"{c['mfcc_recall']:.1%} | {c['hash_recall']:.1%} | {c['union_recall']:.1%} | "
            f"{c['exhaustive_top1']:.1%} | {c['union_vs_exhaustive']:.1%} |"
        )
    o = r["summary"]["ool"]
    L.append("")
    L.append(
        f"- Out-of-library queries: {o['n']}, false matches: {o['false_matches']} "
        f"({o['false_matches'] / max(1, o['n']):.2%}); by condition {o['by_condition']}; "
        f"highest score of an unknown clip {o['max_score']}."
    )
    L.append(
        f"- Chance scores (best wrong track, in-library queries): 99.5th percentile "
        f"{r['summary']['chance_p995']:.1f}, max {r['summary']['chance_max']}."
    )
    L.append(
        f"- Indexing: {b['audio_s'] / 3600:.2f} h of audio in {b['wall_s']:.1f} s = "
        f"{b['x_realtime']:.0f}x real time on {b['cores']} cores ({b['x_realtime_per_core']:.0f}x per core), decode included."
    )
    L.append(
        f"- Disk: {b['mb_per_hour']:.2f} MB per hour of audio (landmarks {b['fingerprint_mb_per_hour']:.2f}, "
        f"vectors {b['vectors_mb_per_hour']:.2f}); {b['hashes_per_second']:.0f} landmarks per second of audio."
    )
    lat = r["latency"]
    L.append(
        f"- Query latency (10-s clip, warm, WAV decode and speed-robust search included): median "
        f"{lat['median_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms over {lat['n']} clips; one-file `identify` "
        f"from a cold start {lat['cold_identify_s']:.2f} s; identify process peak memory {lat['identify_process_peak_mb']:.0f} MB."
    )


def _render_scale(r: dict, L: list[str]) -> None:
    if True:
        L.append("")
        L.append(
            f"Scaling ({r['corpus']} tracks first, then generated {r.get('scale_track_s', 20):.0f}-s filler tracks):"
        )
        L.append("")
        L.append(
            "| tracks | hours | median ms | p95 ms | peak MB | cold identify s | unknown queries | false matches | disk MB |"
        )
        L.append("|---|---|---|---|---|---|---|---|---|")
        for s in r["scale"]:
            L.append(
                f"| {s['tracks']} | {s['hours']:.1f} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | {s['peak_mb']:.0f} | "
                f"{s['cold_identify_s']:.2f} | {s['ool_queries']} | {s['false_matches']} | {s['disk_mb']:.0f} |"
            )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(argv or []))
    if args.quick:
        args.tracks, args.unknown, args.queries = (
            min(args.tracks, 20),
            min(args.unknown, 6),
            min(args.queries, 10),
        )
    work = Path(args.work).expanduser()
    work.mkdir(parents=True, exist_ok=True)
    conditions = (
        DEFAULT_CONDITIONS
        if args.conditions == "all"
        else [c.strip() for c in args.conditions.split(",")]
    )
    t_start = time.time()
    lib_files, unknown, corpus_desc = corpus_files(args, work)
    report: dict = {
        "corpus": corpus_desc,
        "unknown_tracks": len(unknown),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "elapsed_s": None,
    }
    outcomes: list[Outcome] = []
    if not args.skip_accuracy:
        lib_dir = work / "lib-bench"
        b = build_library(lib_dir, lib_files, args.workers)
        _log(
            f"indexed {b['tracks']} tracks: {b['x_realtime']:.0f}x real time, {b['mb_per_hour']:.2f} MB/h"
        )
        for _path, msg in b["errors"]:
            _log(f"skipped: {msg}")
        queries = plan_queries(lib_files, b["ids"], unknown, conditions, args.queries, args.seed)
        outcomes = run_queries(lib_dir, queries, args.workers)
        from shazam_desktop.store.library import Library

        with Library.open(lib_dir) as lib:
            report["threshold"] = lib.threshold
        report["build"] = {k: v for k, v in b.items() if k != "ids"}
        report["summary"] = summarize(outcomes)
        report["latency"] = latency(lib_dir, lib_files, 30 if args.quick else 100, args.seed, work)
        report["bench_process_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.scale:
        sizes = [int(s) for s in args.scale.split(",") if s.strip()]
        report["scale"] = scale_test(sizes, lib_files, unknown, args, work)
        report["scale_track_s"] = args.scale_track_s
    report["elapsed_s"] = time.time() - t_start
    md = render_markdown(report)
    print(md)
    out_json = Path(args.json_out) if args.json_out else work / "bench.json"
    out_json.write_text(
        json.dumps({**report, "outcomes": [asdict(o) for o in outcomes]}, indent=1, default=str)
    )
    if args.markdown:
        Path(args.markdown).write_text(md)
    _log(f"bench finished in {report['elapsed_s']:.0f} s; figures in {out_json}")
    return 0
