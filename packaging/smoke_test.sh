#!/usr/bin/env bash
# Smoke-test an app bundle built by `make package`, offscreen, as a user would run it:
#   1. the binary prints its version;
#   2. it imports the bundled demo library into a temporary folder (the indexing process
#      pool runs inside the frozen app);
#   3. it identifies a 10-s excerpt of a demo track through `identify --json`: the right
#      track, at the right offset;
#   4. it loads its own copy of PortAudio;
#   5. the window opens (Qt platform plugin, UI imports) and keeps running for a few seconds.
#
#   packaging/smoke_test.sh [BUNDLE_DIR]        (default: dist/shazam-desktop)
#
# Needs python3 (to read the JSON) and ffmpeg or a Python with soundfile (set PYTHON) to cut
# the excerpt.  Exit status 0 when every check passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$(cd "${1:-$root/dist/shazam-desktop}" && pwd)"
bin="$bundle/shazam-desktop"
demo="$bundle/_internal/shazam_desktop/demo"
export QT_QPA_PLATFORM=offscreen
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"   # the app's settings: never the user's own
lib="$work/library"
failures=0

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

[[ -x "$bin" ]] || { echo "FAIL: no executable at $bin (run make package)" >&2; exit 1; }

step "version"
if version="$("$bin" --version 2>&1)" && [[ "$version" =~ ^shazam-desktop\ [0-9]+\.[0-9]+ ]]; then
    ok "$version"
else
    fail "--version printed: $version"
fi

step "import the demo library"
n_demo=$(find "$demo" -maxdepth 1 -name '*.ogg' | wc -l)
[[ "$n_demo" -ge 8 ]] || fail "the bundle has $n_demo demo tracks in $demo"
t0=$SECONDS
if "$bin" --library "$lib" library import-demo 2> "$work/import.log"; then
    n_lib=$("$bin" --library "$lib" library list --json | wc -l)
    if [[ "$n_lib" -eq "$n_demo" ]]; then
        ok "$n_lib tracks in $((SECONDS - t0)) s: $(tail -n 1 "$work/import.log")"
    else
        fail "the library has $n_lib tracks, the bundle $n_demo"
    fi
    if grep -qi "pool broke\|Traceback" "$work/import.log"; then
        fail "indexing did not run in its process pool:"; cat "$work/import.log" >&2
    fi
else
    fail "library import-demo failed:"; cat "$work/import.log" >&2
fi

step "identify a demo excerpt"
track="$(find "$demo" -maxdepth 1 -name '*.ogg' | sort | sed -n 4p)"
excerpt="$work/excerpt.wav"
if command -v ffmpeg >/dev/null; then
    ffmpeg -nostdin -loglevel error -ss 20 -t 10 -i "$track" "$excerpt"
else
    py="${PYTHON:-$root/.venv/bin/python}"
    "$py" -c 'import sys, soundfile as sf
x, sr = sf.read(sys.argv[1]); sf.write(sys.argv[2], x[20 * sr:30 * sr], sr)' "$track" "$excerpt" \
        || fail "cannot cut an excerpt: install ffmpeg or set PYTHON to a Python with soundfile"
fi
if [[ -f "$excerpt" ]] && "$bin" --library "$lib" identify --json "$excerpt" > "$work/identify.json" 2> "$work/identify.err"; then
    if python3 - "$work/identify.json" "$(basename "$track")" <<'EOF'
import json, sys
obj = json.loads(open(sys.argv[1]).readline())
m = obj["match"]
assert m is not None, f"no match: {obj}"
assert m["path"].endswith(sys.argv[2]), f"matched {m['path']}, expected {sys.argv[2]}"
assert abs(m["offset_s"] - 20.0) < 0.5, f"offset {m['offset_s']} s, expected 20 s"
print(f"ok: {m['title']} by {m['artist']} at {m['offset_s']} s, confidence {m['confidence']}, {obj['elapsed_ms']} ms")
EOF
    then :; else fail "identify gave: $(cat "$work/identify.json")"; fi
else
    fail "identify failed: $(cat "$work/identify.err" 2>/dev/null)"
fi

step "PortAudio"
# Listening loads sounddevice, and with it PortAudio; glibc's loader names the file it opened.
# (Without a sound server the command itself fails: that is fine here.)
LD_DEBUG=files "$bin" --library "$lib" listen --source default --seconds 0.5 --json \
    > /dev/null 2> "$work/ld.log" || true
if grep -q "file=$bundle/_internal/libportaudio.so.2 " "$work/ld.log"; then
    ok "the bundle's libportaudio.so.2 is the one loaded"
else
    fail "PortAudio was not loaded from the bundle: $(grep -v '^ *[0-9]*:' "$work/ld.log" | tail -n 3)"
fi

step "the window"
# No subcommand opens the app; offscreen it must start and keep running until stopped.
"$bin" --library "$lib" > "$work/gui.log" 2>&1 &
gui=$!
sleep "${SMOKE_GUI_SECONDS:-8}"
if kill -0 "$gui" 2>/dev/null; then
    kill -TERM "$gui"; wait "$gui" 2>/dev/null || true
    if grep -q "Traceback\|Could not load the Qt platform plugin\|ImportError" "$work/gui.log"; then
        fail "the app ran but logged errors:"; cat "$work/gui.log" >&2
    else
        ok "the app was still running after ${SMOKE_GUI_SECONDS:-8} s"
    fi
else
    wait "$gui" && rc=0 || rc=$?
    fail "the app exited early (status $rc):"; cat "$work/gui.log" >&2
fi

echo
if [[ "$failures" -gt 0 ]]; then
    echo "smoke test: $failures check(s) failed" >&2
    exit 1
fi
echo "smoke test: all checks passed ($bundle)"
