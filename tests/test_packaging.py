"""Packaging: the wheel carries the demo library and resources; the app bundle works.

The bundle test runs only when SHAZAM_TEST_BUNDLE names a bundle built by `make package`
(building one takes minutes):  SHAZAM_TEST_BUNDLE=dist/shazam-desktop pytest tests/test_packaging.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DEMO_TRACKS = sorted(p.name for p in (ROOT / "library").glob("*.ogg"))


def copy_source(dest: Path) -> None:
    """What a clean clone holds for building, without the checkout's caches and build trees."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for name in ("shazam_desktop", "library", "resources"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)


@pytest.mark.slow
def test_wheel_carries_demo_library_and_resources(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    copy_source(src)
    out = tmp_path / "wheel"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "-w", str(out), "--no-deps", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("shazam_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    demo = sorted(
        n.removeprefix("shazam_desktop/demo/")
        for n in names
        if n.startswith("shazam_desktop/demo/") and n.endswith(".ogg")
    )
    assert len(DEMO_TRACKS) == 10
    assert demo == DEMO_TRACKS
    assert "shazam_desktop/demo/README.md" in names  # the tracks' licence travels with them
    resources = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()
    }
    assert resources, "resources/ is empty"
    assert {f"shazam_desktop/{r}" for r in resources} <= names
    assert {
        "shazam_desktop/cli.py",
        "shazam_desktop/demo.py",
        "shazam_desktop/ui/resources.py",
    } <= names
    assert not any(n.startswith(("library/", "resources/")) for n in names), (
        "data outside the package"
    )
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert (
        "shazam-desktop = shazam_desktop.cli:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def test_hicolor_icons_are_rendered_from_the_current_svg() -> None:
    hicolor = PACKAGING / "icons" / "hicolor"
    svg = ROOT / "resources" / "icons" / "shazam-desktop.svg"
    assert (
        hicolor / "scalable" / "apps" / "shazam-desktop.svg"
    ).read_bytes() == svg.read_bytes(), "the SVG changed: run `python packaging/render_icons.py`"
    for n in (16, 24, 32, 48, 64, 128, 256, 512):
        png = hicolor / f"{n}x{n}" / "apps" / "shazam-desktop.png"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(head[16:20], "big") == n and int.from_bytes(head[20:24], "big") == n


def test_desktop_entry_is_valid() -> None:
    entry = (PACKAGING / "shazam-desktop.desktop").read_text()
    for line in (
        "Exec=shazam-desktop",
        "Icon=shazam-desktop",
        "Terminal=false",
        "Categories=AudioVideo;Audio;Music;",
    ):
        assert line in entry.splitlines() or any(x.startswith(line) for x in entry.splitlines())
    tool = shutil.which("desktop-file-validate")
    if tool:
        proc = subprocess.run(
            [tool, str(PACKAGING / "shazam-desktop.desktop")], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_appstream_metainfo_is_valid() -> None:
    tool = shutil.which("appstreamcli")
    if not tool:
        pytest.skip("appstreamcli is not installed (apt-get install appstream)")
    path = PACKAGING / "io.github.shazam_desktop.ShazamDesktop.metainfo.xml"
    proc = subprocess.run([tool, "validate", "--no-net", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bundle_smoke() -> None:
    bundle = os.environ.get("SHAZAM_TEST_BUNDLE")
    if not bundle:
        pytest.skip(
            "set SHAZAM_TEST_BUNDLE to a bundle built by `make package` (e.g. dist/shazam-desktop)"
        )
    proc = subprocess.run(
        ["bash", str(PACKAGING / "smoke_test.sh"), bundle],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
