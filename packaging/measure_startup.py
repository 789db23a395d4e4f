"""Time from launching the app to its main window being on screen (an X server's view).

    python packaging/measure_startup.py [--runs N] [--library DIR] -- COMMAND...
    python packaging/measure_startup.py -- dist/shazam-desktop/shazam-desktop
    python packaging/measure_startup.py -- .venv/bin/shazam-desktop

Starts a private Xvfb (unless --display is given), launches COMMAND with `--library DIR`
on the xcb platform, and polls `xwininfo` until a window titled "Shazam Desktop" is
viewable (mapped: Qt has created, laid out and shown the main window; its first paint
follows within one frame).  Settings go to a throw-away XDG_CONFIG_HOME, so the user's
own are untouched and no first-run prompt depends on them.  Needs Xvfb and xwininfo
(apt-get install xvfb x11-utils).  Prints one line per run and the median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TITLE = "Shazam Desktop"


def window_viewable(display: str) -> bool:
    out = subprocess.run(
        ["xwininfo", "-display", display, "-name", TITLE],
        capture_output=True,
        text=True,
    ).stdout
    return "IsViewable" in out


def start_xvfb() -> tuple[subprocess.Popen, str]:
    for n in range(90, 130):
        if os.path.exists(f"/tmp/.X{n}-lock"):
            continue
        display = f":{n}"
        proc = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if (
                subprocess.run(
                    ["xwininfo", "-display", display, "-root"], capture_output=True
                ).returncode
                == 0
            ):
                return proc, display
            time.sleep(0.05)
        proc.kill()
    raise SystemExit("could not start Xvfb")


def one_run(cmd: list[str], display: str, library: str, timeout: float) -> float:
    with tempfile.TemporaryDirectory() as cfg:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=cfg)
        t0 = time.perf_counter()
        app = subprocess.Popen(
            [*cmd, "--library", library], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            while time.perf_counter() - t0 < timeout:
                if window_viewable(display):
                    return time.perf_counter() - t0
                if app.poll() is not None:
                    err = app.stderr.read().decode(errors="replace").strip() if app.stderr else ""
                    raise SystemExit(
                        f"the app exited ({app.returncode}) before showing its window: {err[-500:]}"
                    )
                time.sleep(0.01)
            raise SystemExit(f"no window after {timeout:.0f} s")
        finally:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--library", default=None, help="library folder (default: an empty temporary one)"
    )
    ap.add_argument("--display", default=None, help="use this X display instead of a private Xvfb")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("cmd", nargs="+", help="the app's command (after --)")
    args = ap.parse_args()
    for tool in ("xwininfo",) + (() if args.display else ("Xvfb",)):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (apt-get install xvfb x11-utils)")
    xvfb, display = (None, args.display) if args.display else start_xvfb()
    tmp = tempfile.TemporaryDirectory()
    library = args.library or os.path.join(tmp.name, "library")
    try:
        times = []
        for i in range(args.runs):
            t = one_run(args.cmd, display, library, args.timeout)
            times.append(t)
            print(f"run {i + 1}: {t * 1000:.0f} ms to a viewable main window", flush=True)
        print(
            f"median {statistics.median(times) * 1000:.0f} ms over {len(times)} runs (first run: {times[0] * 1000:.0f} ms)"
        )
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
