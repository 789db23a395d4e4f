"""Listen to a live source until the library recognises what it hears (no Qt here).

:func:`listen` is the loop the CLI's ``listen`` command and the app's recognition worker
share: after the first few seconds, every second, the last <= 12 s are identified, and
the loop ends at the first confident match, at the time limit, on cancel, or when the
source dies.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from shazam_desktop.audio.capture import FLOOR_DB, AudioSource, rms_db
from shazam_desktop.audio.decode import resample
from shazam_desktop.errors import AudioDeviceError, ShazamError
from shazam_desktop.store.library import IdentifyResult, Library

# The whole time below this level: nothing is coming in.
SILENT_DB = -60.0
# Below this (but not silent): recognition still works, the user may want to turn it up.
QUIET_DB = -45.0
POLL_S = 0.02
# How much longer than the time limit a stalled source may keep us waiting.
STALL_GRACE_S = 5.0
# Seconds of new audio between two attempts that also search the speed/tempo/pitch grid.
SPEED_SEARCH_EVERY_S = 3.0


@dataclass
class ListenOutcome:
    """How a listen ended.  `result` is the last attempt's (the match, when there is one)."""

    result: IdentifyResult | None
    attempts: int
    listened_s: float
    time_to_answer_s: float | None  # wall-clock seconds from start to the match
    error: str | None
    notes: list[str] = field(default_factory=list)
    level_db: float = FLOOR_DB  # loudest RMS level of the audio heard (dBFS)

    @property
    def matched(self) -> bool:
        return self.result is not None and self.result.match is not None


def listen(
    library: Library,
    source: AudioSource,
    max_seconds: float = 15.0,
    first_try_s: float = 3.0,
    every_s: float = 1.0,
    window_s: float = 12.0,
    cancel: threading.Event | None = None,
    on_attempt: Callable[[IdentifyResult], None] | None = None,
) -> ListenOutcome:
    """Record from `source` and identify until a match, `max_seconds` of audio, or cancel.

    Starts the source when it is not running (and stops it again at the end); attempts
    are scheduled on the audio clock (seconds captured since this call), so a source that
    starts slowly is not penalised.  Device problems come back in `error`, not raised;
    library problems (e.g. ParamsMismatchError) are raised.
    """
    t0 = time.monotonic()
    started_here = False
    base = source.ring.total_written  # count only what is heard from now on
    if not source.running:
        try:
            source.start()
        except AudioDeviceError as e:
            return ListenOutcome(None, 0, 0.0, None, str(e))
        started_here = True
    rate = source.sample_rate
    engine_rate = library.params.spectrogram.sample_rate
    first_try_s = min(first_try_s, max_seconds)
    outcome = ListenOutcome(None, 0, 0.0, None, None)

    def heard_s() -> float:
        return (source.ring.total_written - base) / rate

    speed_searched_at = -SPEED_SEARCH_EVERY_S

    def attempt(final: bool = False) -> IdentifyResult:
        nonlocal speed_searched_at
        got = heard_s()
        clip = source.ring.snapshot(min(window_s, got))
        outcome.level_db = max(outcome.level_db, rms_db(clip))
        # The speed/tempo/pitch grid is nine searches: run it on the first attempt, every
        # few seconds of new audio and on the last one, not on every 1-s step between.
        speed = final or got - speed_searched_at >= SPEED_SEARCH_EVERY_S
        if speed:
            speed_searched_at = got
        res = library.identify(resample(clip, rate, engine_rate), speed_search=speed)
        outcome.attempts += 1
        outcome.result = res
        if on_attempt is not None:
            on_attempt(res)
        return res

    try:
        next_at = first_try_s
        last_attempt_at = -1.0
        while True:
            if cancel is not None and cancel.is_set():
                break
            if source.error:
                outcome.error = source.error
                break
            got = heard_s()
            if got >= next_at:
                res = attempt(final=got + every_s > max_seconds)
                last_attempt_at = got
                if res.match is not None:
                    outcome.time_to_answer_s = time.monotonic() - t0
                    break
                if got >= max_seconds:
                    break
                # Skip attempts the identify call ran over: always work on fresh audio.
                next_at = min(max(next_at + every_s, heard_s()), max_seconds)
                continue
            if not source.running:
                # A file that ended (or a source stopped by someone else): one last look.
                if got > last_attempt_at and got >= min(1.0, first_try_s):
                    res = attempt(final=True)
                    if res.match is not None:
                        outcome.time_to_answer_s = time.monotonic() - t0
                break
            if time.monotonic() - t0 > max_seconds + STALL_GRACE_S:
                outcome.error = (
                    f"'{source.label or source.name}' delivered only {got:.1f} s of audio in "
                    f"{time.monotonic() - t0:.0f} s: the input seems stalled"
                )
                break
            if cancel is not None:
                cancel.wait(POLL_S)
            else:
                time.sleep(POLL_S)
    finally:
        outcome.listened_s = heard_s()
        if started_here:
            source.stop()
    _judge_level(outcome)
    return outcome


def _judge_level(outcome: ListenOutcome) -> None:
    if outcome.attempts == 0 or outcome.matched:
        return
    if outcome.level_db < SILENT_DB:
        if outcome.error is None:
            outcome.error = "the input is silent: is the source muted?"
    elif outcome.level_db < QUIET_DB:
        outcome.notes.append(
            f"the input is very quiet ({outcome.level_db:.0f} dBFS): turn the volume up or move closer"
        )


# --------------------------------------------------------------------------- command line


def _err(msg: str) -> None:
    print(f"shazam-desktop: {msg}", file=sys.stderr, flush=True)


def run_listen_cli(args) -> int:
    """`shazam-desktop listen ...` (see DESIGN.md).  0 = match, 1 = no match, 2 = error.

    With --json exactly one object is printed, errors included (with an "error" key),
    unless the library itself cannot be opened.
    """
    if getattr(args, "list_sources", False):
        return _print_sources(bool(args.json))
    from shazam_desktop.audio.capture import MicSource

    seconds = float(getattr(args, "seconds", 15.0) or 15.0)
    if seconds <= 0:
        _err("--seconds must be positive")
        return 2
    try:
        library = args.library_obj_factory()
    except ShazamError as e:
        _err(str(e))
        return 2
    query = f"listen:{args.source or 'default'}"
    try:
        if len(library) == 0:
            return _fail(
                args,
                query,
                f"the library at {library.folder} is empty: add music first (shazam-desktop library add FOLDER)",
            )
        try:
            source = MicSource(args.source)
        except AudioDeviceError as e:
            return _fail(args, query, str(e))
        query = f"listen:{source.name}"
        print(
            f"Listening to {source.label} [{source.name}] for up to {seconds:g} s (Ctrl+C stops)...",
            file=sys.stderr,
            flush=True,
        )

        def progress(res: IdentifyResult) -> None:
            if res.match is None:
                print(f"  {source.elapsed_s:4.1f} s: no match yet", file=sys.stderr, flush=True)

        try:
            out = listen(library, source, max_seconds=seconds, on_attempt=progress)
        except KeyboardInterrupt:
            source.stop()
            _err("interrupted")
            return 130
        for note in out.notes:
            _err(note)
        if out.result is not None:
            library.record(out.result, query, query)
        if args.json:
            _print_outcome(query, out)
        if out.matched:
            if not args.json:
                from shazam_desktop.cli import describe

                print(describe(out.result), flush=True)
            return 0
        if out.error:
            _err(out.error)
            return 2
        if not args.json:
            near = ""
            if out.result is not None and out.result.similar:
                near = " Sounds like: " + ", ".join(
                    s.track.title + (f" — {s.track.artist}" if s.track.artist else "")
                    for s in out.result.similar[:3]
                )
            print(f"No match after {out.listened_s:.0f} s.{near}", flush=True)
        return 1
    finally:
        library.close()


def _print_outcome(query: str, out: ListenOutcome) -> None:
    from shazam_desktop.cli import result_to_json

    if out.result is not None:
        obj = result_to_json(query, out.result)
    else:
        obj = {"query": query, "match": None, "similar": [], "elapsed_ms": 0.0}
    obj["listened_s"] = round(out.listened_s, 2)
    obj["attempts"] = out.attempts
    obj["time_to_answer_s"] = (
        None if out.time_to_answer_s is None else round(out.time_to_answer_s, 2)
    )
    if out.error:
        obj["error"] = out.error
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _fail(args, query: str, message: str) -> int:
    """An error before listening began: one line on stderr (and the JSON object)."""
    _err(message)
    if args.json:
        _print_outcome(query, ListenOutcome(None, 0, 0.0, None, message))
    return 2


def _print_sources(as_json: bool) -> int:
    from shazam_desktop.audio.sources import list_sources

    try:
        sources = list_sources()
    except AudioDeviceError as e:
        _err(str(e))
        return 2
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": s.name,
                        "description": s.description,
                        "kind": s.kind,
                        "is_default": s.is_default,
                    }
                    for s in sources
                ],
                ensure_ascii=False,
            ),
            flush=True,
        )
        return 0
    width = max((len(s.name) for s in sources), default=4)
    for s in sources:
        mark = "*" if s.is_default else " "
        print(f"{mark} {s.name:<{width}}  {s.kind:<10}  {s.description}")
    if sources:
        print("(* = default; pass a name to `listen --source`)", file=sys.stderr)
    return 0


__all__ = ["ListenOutcome", "listen", "run_listen_cli"]
