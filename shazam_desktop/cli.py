"""The command line: the contract outside tools drive (see DESIGN.md), and the app's launcher.

    shazam-desktop [--library DIR]                      open the app
    shazam-desktop [--library DIR] library add PATH...  files or folders, recursive
    shazam-desktop [--library DIR] library list [--json]
    shazam-desktop [--library DIR] library remove ID...
    shazam-desktop [--library DIR] identify [--json] FILE...
    shazam-desktop [--library DIR] listen [--source NAME] [--seconds N] [--json]
    shazam-desktop listen --list-sources [--json]
    shazam-desktop [--library DIR] bench [...]

Results go to stdout, problems to stderr as one line each.  Exit status: 0 when every
input was handled, 1 when some input failed, 2 for a usage or library error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from shazam_desktop import __version__
from shazam_desktop.errors import ShazamError
from shazam_desktop.memory import keep_freed_memory

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def _err(msg: str) -> None:
    print(f"shazam-desktop: {msg}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="shazam-desktop",
        description="Offline music recogniser: identify songs against your own library.",
    )
    p.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $SHAZAM_DESKTOP_LIBRARY or the user data dir)",
    )
    p.add_argument("--version", action="version", version=f"shazam-desktop {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log diagnostics to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    lib = sub.add_parser("library", help="add, list, remove tracks")
    lsub = lib.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    add = lsub.add_parser("add", help="add files or folders (recursive)")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    ls = lsub.add_parser("list", help="list the tracks")
    ls.add_argument("--json", action="store_true", help="JSON Lines, one track per line")
    rm = lsub.add_parser("remove", help="remove tracks by id")
    rm.add_argument("ids", nargs="+", metavar="ID", type=int)
    lsub.add_parser(
        "reindex", help="fingerprint every track again (after a change of engine settings)"
    )
    lsub.add_parser("import-demo", help="add the bundled demo tracks")
    lsub.add_parser("info", help="where the library is and how big it is")

    ident = sub.add_parser("identify", help="identify audio files")
    ident.add_argument("files", nargs="+", metavar="FILE")
    ident.add_argument("--json", action="store_true", help="JSON Lines, one object per query")
    ident.add_argument("--exhaustive", action="store_true", help=argparse.SUPPRESS)

    lis = sub.add_parser(
        "listen", help="record from a microphone or this computer's output and identify"
    )
    lis.add_argument(
        "--source", metavar="NAME", default=None, help="source name (see --list-sources)"
    )
    lis.add_argument(
        "--seconds", metavar="N", type=float, default=15.0, help="give up after N seconds (15)"
    )
    lis.add_argument("--json", action="store_true")
    lis.add_argument(
        "--list-sources", action="store_true", help="list microphones and output monitors"
    )

    bench = sub.add_parser(
        "bench", help="accuracy/speed report (see BENCHMARKS.md)", add_help=False
    )
    bench.add_argument(
        "bench_args", nargs=argparse.REMAINDER, help="options for the benchmark (bench --help)"
    )
    return p


def library_dir(args: argparse.Namespace) -> Path:
    from shazam_desktop.store.library import default_library_dir

    return Path(args.library).expanduser() if args.library else default_library_dir()


def open_library(args: argparse.Namespace):
    from shazam_desktop.store.library import Library

    return Library.open(library_dir(args))


def track_json(t) -> dict:
    return {
        "track_id": t.id,
        "path": t.path,
        "title": t.title,
        "artist": t.artist,
        "album": t.album,
        "duration_s": round(t.duration_s, 3),
        "format": t.format,
        "added": t.added_at,
        "status": t.status,
    }


def result_to_json(query: str, result) -> dict:
    """The `identify --json` object for one query (also used by `listen --json`)."""
    m, t = result.match, result.track
    match = None
    if m is not None and t is not None:
        match = {
            "track_id": t.id,
            "path": t.path,
            "title": t.title,
            "artist": t.artist,
            "album": t.album,
            "score": int(m.score),
            "confidence": round(float(m.confidence), 4),
            "offset_s": round(float(m.offset_s), 3),
        }
        if m.time_scale != 1.0 or m.freq_scale != 1.0:
            match["speed"] = round(1.0 / m.time_scale, 4) if m.freq_scale != 1.0 else None
    similar = [
        {
            "track_id": s.track.id,
            "title": s.track.title,
            "artist": s.track.artist,
            "similarity": round(float(s.similarity), 4),
        }
        for s in result.similar
    ]
    return {
        "query": query,
        "match": match,
        "similar": similar,
        "elapsed_ms": round(float(result.elapsed_ms), 2),
    }


def fmt_time(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 60}:{s % 60:02d}"


def describe(result) -> str:
    m, t = result.match, result.track
    if m is not None and t is not None:
        who = f" — {t.artist}" if t.artist else ""
        return f"{t.title}{who} (at {fmt_time(m.offset_s)}, confidence {m.confidence:.0%})"
    if result.similar:
        near = ", ".join(
            f"{s.track.title}" + (f" — {s.track.artist}" if s.track.artist else "")
            for s in result.similar[:3]
        )
        return f"not in your library (sounds like: {near})"
    return "not in your library"


class _Bar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()

    def __call__(self, p) -> None:
        if not p.ok and p.message:
            if self.tty:
                sys.stderr.write("\r\x1b[K")
            _err(p.message)
        if self.tty:
            width = 30
            frac = p.done / p.total if p.total else 1.0
            bar = "#" * int(frac * width)
            name = Path(p.path).name[:40]
            sys.stderr.write(f"\r\x1b[K[{bar:<{width}}] {p.done}/{p.total} {name}")
            sys.stderr.flush()
        elif p.ok:
            print(f"[{p.done}/{p.total}] {p.path}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def cmd_library(args: argparse.Namespace) -> int:
    lib = open_library(args)
    try:
        c = args.library_command
        if c == "add":
            return _add(lib, args.paths, args.workers)
        if c == "import-demo":
            from shazam_desktop.demo import demo_dir

            d = demo_dir()
            if d is None:
                _err("the demo library is not installed with this copy of Shazam Desktop")
                return EXIT_ERROR
            return _add(lib, [str(d)], None)
        if c == "list":
            tracks = sorted(lib.tracks(), key=lambda t: t.id)
            if args.json:
                for t in tracks:
                    print(json.dumps(track_json(t), ensure_ascii=False))
            else:
                if not tracks:
                    print(
                        f"The library at {lib.folder} is empty: add music with `shazam-desktop library add FOLDER`."
                    )
                for t in tracks:
                    who = f" — {t.artist}" if t.artist else ""
                    print(f"{t.id:>5}  {fmt_time(t.duration_s):>6}  {t.title}{who}")
            return EXIT_OK
        if c == "remove":
            gone = set(lib.remove(args.ids))
            for i in args.ids:
                if i not in gone:
                    _err(f"no track with id {i}")
            print(f"removed {len(gone)} track{'s' if len(gone) != 1 else ''}", file=sys.stderr)
            return EXIT_OK if len(gone) == len(set(args.ids)) else EXIT_SOME_FAILED
        if c == "reindex":
            bar = _Bar()
            rep = lib.reindex(progress=bar)
            bar.close()
            print(f"re-indexed {len(rep.added)} tracks; {len(rep.errors)} failed", file=sys.stderr)
            return EXIT_OK if not rep.errors else EXIT_SOME_FAILED
        if c == "info":
            s = lib.stats()
            print(
                f"library: {lib.folder}\ntracks: {s.tracks}\naudio: {s.audio_hours:.2f} h\n"
                f"landmarks: {s.hashes}\ndisk: {s.disk_bytes / 1e6:.1f} MB"
            )
            return EXIT_OK
    finally:
        lib.close()
    return EXIT_ERROR


def _add(lib, paths: list[str], workers: int | None) -> int:
    bar = _Bar()
    try:
        rep = lib.add_paths(paths, progress=bar, workers=workers)
    except KeyboardInterrupt:
        bar.close()
        _err("interrupted: the tracks committed so far stay in the library")
        return EXIT_SOME_FAILED
    bar.close()
    speed = rep.audio_s / rep.elapsed_s if rep.elapsed_s > 0 else 0.0
    print(
        f"added {len(rep.added)} track{'s' if len(rep.added) != 1 else ''}"
        f" ({rep.audio_s / 60:.1f} min of audio in {rep.elapsed_s:.1f} s, {speed:.0f}x real time);"
        f" {len(rep.duplicates)} already there; {len(rep.errors)} failed",
        file=sys.stderr,
    )
    return EXIT_OK if not rep.errors else EXIT_SOME_FAILED


def cmd_identify(args: argparse.Namespace) -> int:
    lib = open_library(args)
    failed = 0
    try:
        if len(lib) == 0:
            _err(
                f"the library at {lib.folder} is empty: add music first (shazam-desktop library add FOLDER)"
            )
        for f in args.files:
            t0 = time.perf_counter()
            try:
                res = lib.identify_file(f, exhaustive=args.exhaustive)
            except ShazamError as e:
                failed += 1
                _err(str(e))
                if args.json:
                    obj = {
                        "query": f,
                        "match": None,
                        "similar": [],
                        "elapsed_ms": round((time.perf_counter() - t0) * 1000, 2),
                        "error": str(e),
                    }
                    print(json.dumps(obj, ensure_ascii=False), flush=True)
                continue
            lib.record(res, "file", str(f))
            if args.json:
                print(json.dumps(result_to_json(f, res), ensure_ascii=False), flush=True)
            else:
                print(f"{f}: {describe(res)}", flush=True)
    finally:
        lib.close()
    return EXIT_OK if failed == 0 else EXIT_SOME_FAILED


def cmd_listen(args: argparse.Namespace) -> int:
    from shazam_desktop.listen import run_listen_cli

    args.library_obj_factory = lambda: open_library(args)
    return run_listen_cli(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from shazam_desktop.bench.runner import main as bench_main

    extra = list(args.bench_args)
    if args.library and "--library" not in extra:
        extra = ["--library", args.library, *extra]
    return bench_main(extra)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from shazam_desktop.ui.app import run_app
    except ImportError as e:
        _err(f"the desktop app cannot start: {e} (is PySide6 installed?)")
        return EXIT_ERROR
    return run_app(args.library, sys.argv[:1])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "bench":
        # Everything after the word `bench` belongs to the benchmark's own parser.
        args.bench_args = argv[argv.index("bench") + 1 :]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    keep_freed_memory()  # queries reuse their temporaries' pages (see memory.py)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handlers = {
        "library": cmd_library,
        "identify": cmd_identify,
        "listen": cmd_listen,
        "bench": cmd_bench,
    }
    try:
        return handlers.get(args.command, cmd_gui)(args)
    except ShazamError as e:
        _err(str(e))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
