"""`shazam-desktop` with no subcommand: run_app opens the window and returns on close."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication


def test_run_app_opens_the_library_and_closes_cleanly(tmp_path, qapp, monkeypatch):
    from shazam_desktop.ui import app as app_mod
    from shazam_desktop.ui.main_window import MainWindow

    QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(tmp_path / "config"))
    monkeypatch.setattr(app_mod, "_demo_dir", lambda: None)
    seen = {}

    def close_soon():
        wins = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen["title"] = wins[0].windowTitle()
        seen["tracks"] = wins[0].status_label.text()
        wins[0].close()

    QTimer.singleShot(300, close_soon)
    code = app_mod.run_app(str(tmp_path / "lib"), ["shazam-desktop"])
    assert code == 0
    assert seen["title"] == "Shazam Desktop"
    assert seen["tracks"].startswith("0 tracks")
    assert (tmp_path / "lib" / "catalog.sqlite3").exists()
