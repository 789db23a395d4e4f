#!/usr/bin/env bash
# Put Shazam Desktop in this user's application menu: the .desktop entry, the icons and the
# AppStream metainfo go under ${XDG_DATA_HOME:-~/.local/share}.  No root needed.
#
#   packaging/install-desktop-entry.sh [BINARY]     install (or update)
#   packaging/install-desktop-entry.sh --uninstall  remove what it installed
#
# Works from a checkout (files in packaging/) and from the app bundle built by `make package`
# (files under dist/shazam-desktop/share/, this script at the bundle's top level).  BINARY is
# the program the menu entry starts; by default the bundle's own binary, else `shazam-desktop`
# on PATH, else the checkout's .venv/bin/shazam-desktop.
set -euo pipefail

NAME=shazam-desktop
APPID=io.github.shazam_desktop.ShazamDesktop
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"

if [[ -f "$here/$NAME.desktop" ]]; then            # a checkout: packaging/
    desktop="$here/$NAME.desktop"
    icons="$here/icons/hicolor"
    metainfo="$here/$APPID.metainfo.xml"
    bundled=""
    checkout_bin="$(dirname "$here")/.venv/bin/$NAME"
elif [[ -f "$here/share/applications/$NAME.desktop" ]]; then   # the bundle
    desktop="$here/share/applications/$NAME.desktop"
    icons="$here/share/icons/hicolor"
    metainfo="$here/share/metainfo/$APPID.metainfo.xml"
    bundled="$here/$NAME"
    checkout_bin=""
else
    echo "install-desktop-entry: cannot find $NAME.desktop next to this script" >&2
    exit 2
fi

refresh_caches() {
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
    # Only refresh an icon cache that exists: a new one nobody maintains would hide icons
    # that other programs install here later.
    if [[ -f "$data/icons/hicolor/icon-theme.cache" ]] && command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
    fi
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$data/applications/$NAME.desktop" "$data/metainfo/$APPID.metainfo.xml"
    rm -f "$data"/icons/hicolor/*/apps/"$NAME".png "$data/icons/hicolor/scalable/apps/$NAME.svg"
    refresh_caches
    echo "removed Shazam Desktop from the application menu ($data)"
    exit 0
fi

bin="${1:-}"
if [[ -z "$bin" && -n "$bundled" ]]; then bin="$bundled"; fi
if [[ -z "$bin" ]] && command -v "$NAME" >/dev/null; then bin="$NAME"; fi
if [[ -z "$bin" && -n "$checkout_bin" && -x "$checkout_bin" ]]; then bin="$checkout_bin"; fi
if [[ -z "$bin" ]]; then
    echo "install-desktop-entry: no $NAME program found; pass its path (e.g. dist/$NAME/$NAME)" >&2
    exit 2
fi
if [[ "$bin" == */* ]]; then
    [[ -f "$bin" && -x "$bin" ]] || { echo "install-desktop-entry: $bin is not an executable file" >&2; exit 2; }
    bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
fi

mkdir -p "$data/applications" "$data/metainfo"
# Exec= takes a quoted path (the desktop entry spec's rules); TryExec= takes it as is.
exec_q="$bin"
if [[ "$bin" == *[[:space:]\"\`\$\\]* ]]; then
    exec_q="\"$(printf '%s' "$bin" | sed -e 's/[\\"`$]/\\\\&/g')\""
fi
tmp="$(mktemp "$data/applications/.$NAME.XXXXXX")"
while IFS= read -r line || [[ -n "$line" ]]; do
    case "$line" in
        Exec=*) printf 'Exec=%s\n' "$exec_q" ;;
        TryExec=*) printf 'TryExec=%s\n' "$bin" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$desktop" > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$data/applications/$NAME.desktop"

for f in "$icons"/*/apps/"$NAME".*; do
    size="$(basename "$(dirname "$(dirname "$f")")")"
    install -D -m 644 "$f" "$data/icons/hicolor/$size/apps/$(basename "$f")"
done
[[ -f "$metainfo" ]] && install -m 644 "$metainfo" "$data/metainfo/$APPID.metainfo.xml"
refresh_caches
echo "Shazam Desktop is in the application menu (runs: $bin)"
