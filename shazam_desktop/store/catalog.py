"""The SQLite catalog: tracks, covers, recognition history and library metadata.

Schema changes are numbered migrations keyed on PRAGMA user_version.  WAL mode; one writer
at a time (the Library serialises writes behind its lock).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from shazam_desktop.errors import LibraryError

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tracks (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        file_size INTEGER NOT NULL DEFAULT 0,
        file_mtime REAL NOT NULL DEFAULT 0,
        title TEXT NOT NULL,
        artist TEXT NOT NULL DEFAULT '',
        album TEXT NOT NULL DEFAULT '',
        duration_s REAL NOT NULL DEFAULT 0,
        format TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        status TEXT NOT NULL,
        base_frame INTEGER NOT NULL,
        n_frames INTEGER NOT NULL,
        n_hashes INTEGER NOT NULL DEFAULT 0,
        n_peaks INTEGER NOT NULL DEFAULT 0,
        n_windows INTEGER NOT NULL DEFAULT 0,
        has_cover INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tracks_path ON tracks(path);
    CREATE TABLE covers (
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        mime TEXT NOT NULL,
        data BLOB NOT NULL
    );
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        source TEXT NOT NULL,
        query TEXT NOT NULL,
        track_id INTEGER,
        title TEXT NOT NULL DEFAULT '',
        artist TEXT NOT NULL DEFAULT '',
        confidence REAL NOT NULL DEFAULT 0,
        score INTEGER NOT NULL DEFAULT 0,
        offset_s REAL NOT NULL DEFAULT 0
    );
    """,
]

READY = "ready"
INDEXING = "indexing"


@dataclass(frozen=True)
class Track:
    id: int
    path: str
    title: str
    artist: str
    album: str
    duration_s: float
    format: str
    added_at: float
    status: str
    content_hash: str
    n_hashes: int
    n_peaks: int
    n_windows: int
    has_cover: bool
    base_frame: int = 0
    n_frames: int = 0


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: float
    source: str  # "mic", "file", "listen:<source>", ...
    query: str
    track_id: int | None
    title: str
    artist: str
    confidence: float
    score: int
    offset_s: float


_TRACK_COLS = (
    "id, path, title, artist, album, duration_s, format, added_at, status, content_hash, "
    "n_hashes, n_peaks, n_windows, has_cover, base_frame, n_frames"
)


def _track(row: tuple) -> Track:
    return Track(*row[:13], bool(row[13]), row[14], row[15])


class Catalog:
    def __init__(self, path: Path) -> None:
        try:
            self.conn = sqlite3.connect(
                str(path), check_same_thread=False, timeout=30, isolation_level=None
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise LibraryError(
                f"{path}: the catalog is not a readable SQLite database ({e})"
            ) from None
        self._lock = threading.RLock()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise LibraryError(
                f"this library was written by a newer Shazam Desktop (schema {version}); please upgrade"
            )
        for i in range(version, len(MIGRATIONS)):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in MIGRATIONS[i].split(";"):
                    if stmt.strip():
                        self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA user_version={i + 1}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    # --- meta ---
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- tracks ---
    def tracks(self, status: str | None = READY) -> list[Track]:
        q = f"SELECT {_TRACK_COLS} FROM tracks"
        args: tuple = ()
        if status is not None:
            q += " WHERE status=?"
            args = (status,)
        return [_track(r) for r in self.conn.execute(q + " ORDER BY id", args)]

    def track(self, track_id: int) -> Track | None:
        row = self.conn.execute(
            f"SELECT {_TRACK_COLS} FROM tracks WHERE id=?", (track_id,)
        ).fetchone()
        return _track(row) if row else None

    def known_file(self, path: str, size: int, mtime: float) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM tracks WHERE path=? AND file_size=? AND file_mtime=?",
            (path, size, mtime),
        ).fetchone()
        return row is not None

    def by_hash(self, content_hash: str) -> Track | None:
        row = self.conn.execute(
            f"SELECT {_TRACK_COLS} FROM tracks WHERE content_hash=?", (content_hash,)
        ).fetchone()
        return _track(row) if row else None

    def insert_pending(self, items: list[dict]) -> list[Track]:
        """Insert tracks as 'indexing', giving each a base on the global frame axis."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                base = int(self.get_meta("next_base", "0"))
                out_ids = []
                now = time.time()
                for it in items:
                    cur = self.conn.execute(
                        "INSERT INTO tracks(path, content_hash, file_size, file_mtime, title, artist, album,"
                        " duration_s, format, added_at, status, base_frame, n_frames, n_hashes, n_peaks,"
                        " n_windows, has_cover) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            it["path"],
                            it["content_hash"],
                            it["file_size"],
                            it["file_mtime"],
                            it["title"],
                            it["artist"],
                            it["album"],
                            it["duration_s"],
                            it["format"],
                            now,
                            INDEXING,
                            base,
                            it["n_frames"],
                            it["n_hashes"],
                            it["n_peaks"],
                            it["n_windows"],
                            1 if it.get("cover") else 0,
                        ),
                    )
                    tid = int(cur.lastrowid)
                    out_ids.append(tid)
                    # Cover art stays in the file (Library.cover reads it from the tags): an
                    # album's covers are often 100-500 kB a track, more than its fingerprints.
                    # A gap of one frame keeps neighbouring tracks' postings apart.
                    base += int(it["n_frames"]) + 1
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('next_base', ?)", (str(base),)
                )
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return [t for t in (self.track(i) for i in out_ids) if t is not None]

    def mark_ready(self, ids: list[int]) -> None:
        with self._lock:
            self.conn.executemany(
                "UPDATE tracks SET status=? WHERE id=?", [(READY, i) for i in ids]
            )

    def delete(self, ids: list[int]) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany("DELETE FROM tracks WHERE id=?", [(i,) for i in ids])
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def cover(self, track_id: int) -> tuple[str, bytes] | None:
        """Cover art stored by libraries made before covers were left in the files."""
        row = self.conn.execute(
            "SELECT mime, data FROM covers WHERE track_id=?", (track_id,)
        ).fetchone()
        return (row[0], bytes(row[1])) if row else None

    # --- history ---
    def add_history(self, e: HistoryEntry) -> int:
        with self._lock:
            cur = self.conn.execute(
                "INSERT INTO history(at, source, query, track_id, title, artist, confidence, score, offset_s)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    e.at,
                    e.source,
                    e.query,
                    e.track_id,
                    e.title,
                    e.artist,
                    e.confidence,
                    e.score,
                    e.offset_s,
                ),
            )
            return int(cur.lastrowid)

    def history(self, limit: int | None = None) -> list[HistoryEntry]:
        q = "SELECT id, at, source, query, track_id, title, artist, confidence, score, offset_s FROM history ORDER BY at DESC, id DESC"
        if limit:
            q += f" LIMIT {int(limit)}"
        return [HistoryEntry(*r) for r in self.conn.execute(q)]

    def clear_history(self) -> None:
        with self._lock:
            self.conn.execute("DELETE FROM history")
