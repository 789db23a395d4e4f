"""Build hook: the wheel carries the demo library and the resources inside the package.

Everything else about the project is declared in pyproject.toml.  Git keeps one copy of
the demo tracks (`library/`) and of the icons and style sheets (`resources/`), at the top
of the checkout where people look for them; at build time they are copied into the build
tree as package data:

    library/*.ogg, library/README.md  ->  shazam_desktop/demo/
    resources/**                      ->  shazam_desktop/resources/

`shazam_desktop.demo.demo_dir()` and `shazam_desktop.ui.resources.resource_dir()` look in
the package first and fall back to the checkout, so an editable install (which gets no
copies: see `editable_mode` below) and an installed wheel both work.  MANIFEST.in puts the
two folders in the sdist, so a wheel built from the sdist has them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

# (folder in the checkout, folder inside the shazam_desktop package, patterns to copy)
BUNDLED = [
    ("library", "demo", ["*.ogg", "README.md"]),
    ("resources", "resources", ["**/*"]),
]


def bundled_files() -> list[tuple[Path, str]]:
    """(source file, path relative to the package) for every file the build copies."""
    out: list[tuple[Path, str]] = []
    for src, dst, patterns in BUNDLED:
        base = ROOT / src
        if not base.is_dir():
            continue
        seen: set[Path] = set()
        for pattern in patterns:
            for f in sorted(base.glob(pattern)):
                if f.is_file() and f not in seen and "__pycache__" not in f.parts:
                    seen.add(f)
                    out.append((f, f"{dst}/{f.relative_to(base).as_posix()}"))
    return out


class BuildPyWithData(build_py):
    """build_py that also copies the checkout's library/ and resources/ into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads library/ and resources/ from the checkout
        demo = [
            rel for _, rel in bundled_files() if rel.startswith("demo/") and rel.endswith(".ogg")
        ]
        if not demo:
            raise SystemExit(
                f"setup.py: no demo tracks found in {ROOT / 'library'}; the wheel would have none"
            )
        for _, dst, _ in BUNDLED:  # a stale build/ tree must not keep files removed since
            shutil.rmtree(Path(self.build_lib) / "shazam_desktop" / dst, ignore_errors=True)
        for src, rel in bundled_files():
            target = Path(self.build_lib) / "shazam_desktop" / rel
            self.mkpath(str(target.parent))
            self.copy_file(str(src), str(target), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [
                str(Path(self.build_lib) / "shazam_desktop" / rel) for _, rel in bundled_files()
            ]
        return outputs


setup(cmdclass={"build_py": BuildPyWithData})
