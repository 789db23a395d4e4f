#!/usr/bin/env bash
# Build the one-folder app bundle dist/shazam-desktop/ (what `make package` runs).
#
#   packaging/build.sh [--tar] [PYINSTALLER OPTIONS...]     e.g. --clean for a full rebuild
#
# PY selects the Python (default: the checkout's .venv, with the project and its `package`
# extra installed).  The bundle gets the desktop entry, icons, metainfo and the script that
# installs them (share/ and install-desktop-entry.sh), so it can be shipped as one folder;
# --tar also packs it as dist/shazam-desktop-VERSION-linux-ARCH.tar.gz.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PY="${PY:-$root/.venv/bin/python}"
NAME=shazam-desktop
APPID=io.github.shazam_desktop.ShazamDesktop

tar=0
if [[ "${1:-}" == "--tar" ]]; then tar=1; shift; fi

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "PyInstaller is missing: installing the project's 'package' extra" >&2
    "$PY" -m pip install -e ".[package]"
fi

# A PySide6 the app refuses to run on would make a bundle that cannot open its window.
if ! QT_QPA_PLATFORM=offscreen "$PY" -c "import sys
from shazam_desktop.ui.qtcheck import problem
p = problem()
sys.exit(p and f'cannot build: {p}')"; then
    exit 1
fi

t0=$SECONDS
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    "$@" packaging/$NAME.spec

out="dist/$NAME"
# The interpreter's own libraries may carry debug info (a source-built Python does): 23 MB of
# the bundle.  Only those are stripped: the wheels' libraries were patched by auditwheel, and
# strip can break those.
if command -v strip >/dev/null; then
    strip --strip-debug "$out"/_internal/libpython3*.so* "$out"/_internal/python3*/lib-dynload/*.so
fi
install -D -m 644 packaging/$NAME.desktop "$out/share/applications/$NAME.desktop"
install -D -m 644 packaging/$APPID.metainfo.xml "$out/share/metainfo/$APPID.metainfo.xml"
for f in packaging/icons/hicolor/*/apps/$NAME.*; do
    install -D -m 644 "$f" "$out/share/icons/${f#packaging/icons/}"
done
install -m 755 packaging/install-desktop-entry.sh "$out/install-desktop-entry.sh"

echo "built $out in $((SECONDS - t0)) s: $(du -sh "$out" | cut -f1)"
if [[ "$tar" == 1 ]]; then
    version="$("$out/$NAME" --version | awk '{print $2}')"
    archive="dist/$NAME-$version-linux-$(uname -m).tar.gz"
    tar -C dist -czf "$archive" "$NAME"
    echo "packed $archive: $(du -sh "$archive" | cut -f1)"
fi
