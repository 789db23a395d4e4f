"""Render the app icon into the freedesktop hicolor theme layout.

    python packaging/render_icons.py [--svg resources/icons/shazam-desktop.svg] [--out packaging/icons/hicolor]

writes OUT/<n>x<n>/apps/shazam-desktop.png for every size in SIZES and copies the SVG to
OUT/scalable/apps/shazam-desktop.svg.  The SVG in resources/ is the one source; run this
again after changing it (tests/test_packaging.py checks the copy is current).  Uses Qt's
own SVG renderer on the offscreen platform, so no display and no extra tools are needed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "shazam-desktop"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, out: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage painting needs one)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    written = []
    for n in sizes:
        img = QImage(n, n, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        dest = out / f"{n}x{n}" / "apps" / f"{NAME}.png"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(dest), "PNG"):
            raise SystemExit(f"cannot write {dest}")
        written.append(dest)
    scalable = out / "scalable" / "apps" / f"{NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svg", type=Path, default=ROOT / "resources" / "icons" / f"{NAME}.svg")
    ap.add_argument("--out", type=Path, default=ROOT / "packaging" / "icons" / "hicolor")
    args = ap.parse_args(argv)
    for p in render(args.svg, args.out):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
