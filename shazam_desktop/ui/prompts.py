"""Every question the app asks a person, in one place: tests swap in scripted answers."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.m4a *.mp4 *.aac *.wma *.aif *.aiff);;All files (*)"


class Prompter:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str, ok: str = "OK") -> bool:
        box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.Cancel, self.parent)
        yes = box.addButton(ok, QMessageBox.AcceptRole)
        box.setDefaultButton(yes)
        box.exec()
        return box.clickedButton() is yes

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def open_files(self, title: str, filter: str = AUDIO_FILTER) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(self.parent, title, "", filter)
        return files

    def open_folder(self, title: str, start: str = "") -> str | None:
        d = QFileDialog.getExistingDirectory(self.parent, title, start)
        return d or None

    def save_file(self, title: str, suggested: str, filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filter)
        return path or None
