"""Title, artist, album and cover art from a file's tags (mutagen); the file name otherwise."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_MAX_COVER = 4 * 1024 * 1024


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    cover: tuple[str, bytes] | None  # (mime, data)
    format: str


def read_tags(path: Path) -> Tags:
    """Never raises: a file without readable tags gets its name as the title."""
    title, artist, album, cover, fmt = "", "", "", None, path.suffix.lstrip(".").upper()
    try:
        import mutagen

        mf = mutagen.File(str(path))
        if mf is not None:
            fmt = _format_name(mf, fmt)
            title = _first(mf, ("title", "TIT2", "\xa9nam"))
            artist = _first(mf, ("artist", "TPE1", "\xa9ART", "albumartist", "TPE2"))
            album = _first(mf, ("album", "TALB", "\xa9alb"))
            cover = _cover(mf)
    except Exception as e:  # mutagen raises many types on damaged tags; tags are optional
        log.debug("tags of %s unreadable: %s", path, e)
    if not title:
        title = _title_from_name(path)
    return Tags(title, artist, album, cover, fmt)


def _format_name(mf, default: str) -> str:
    name = type(mf).__name__
    return {
        "OggVorbis": "Ogg Vorbis",
        "OggOpus": "Ogg Opus",
        "FLAC": "FLAC",
        "MP3": "MP3",
        "WAVE": "WAV",
        "MP4": "MP4/AAC",
        "AIFF": "AIFF",
        "ASF": "WMA",
    }.get(name, default)


def _first(mf, keys: tuple[str, ...]) -> str:
    tags = getattr(mf, "tags", None)
    if tags is None:
        return ""
    for k in keys:
        try:
            v = tags.get(k)
        except (ValueError, KeyError, TypeError):
            v = None
        if v is None:
            continue
        if hasattr(v, "text"):
            v = v.text
        if isinstance(v, list | tuple):
            v = v[0] if v else ""
        s = str(v).strip()
        if s:
            return s
    return ""


def _cover(mf) -> tuple[str, bytes] | None:
    pics = getattr(mf, "pictures", None)  # FLAC
    if pics:
        p = pics[0]
        return (p.mime or "image/jpeg", bytes(p.data)[:_MAX_COVER])
    tags = getattr(mf, "tags", None)
    if tags is None:
        return None
    try:
        for key in list(tags.keys()):
            if str(key).startswith("APIC"):  # ID3
                f = tags[key]
                return (f.mime or "image/jpeg", bytes(f.data)[:_MAX_COVER])
        covr = tags.get("covr") if hasattr(tags, "get") else None  # MP4
        if covr:
            data = bytes(covr[0])
            mime = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
            return (mime, data[:_MAX_COVER])
        blocks = tags.get("metadata_block_picture") if hasattr(tags, "get") else None  # Vorbis/Opus
        if blocks:
            from mutagen.flac import Picture

            p = Picture(base64.b64decode(blocks[0]))
            return (p.mime or "image/jpeg", bytes(p.data)[:_MAX_COVER])
    except Exception as e:  # damaged picture tags are not worth failing a track for
        log.debug("cover unreadable: %s", e)
    return None


def _title_from_name(path: Path) -> str:
    stem = path.stem.replace("_", " ").strip()
    # "01 - Title" / "01. Title" -> "Title"
    parts = stem.split(" - ", 1)
    if len(parts) == 2 and parts[0].strip().isdigit():
        stem = parts[1]
    elif stem[:3].rstrip(". ").isdigit() and len(stem) > 3:
        stem = stem[2:].lstrip(". -") or stem
    return stem or path.name
