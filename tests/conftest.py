import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.helpers import tone_song

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def song_dir(tmp_path_factory) -> Path:
    """Six generated songs (30 s, OGG/FLAC/WAV mixed) and one corrupt file."""
    d = tmp_path_factory.mktemp("songs")
    fmts = ["ogg", "flac", "wav"]
    for i in range(6):
        x = tone_song(100 + i, 30.0, 22050)
        ext = fmts[i % 3]
        sf.write(str(d / f"{i:02d} - Song {i}.{ext}"), np.stack([x, 0.8 * x], axis=1), 22050)
    (d / "sub").mkdir()
    x = tone_song(200, 25.0, 44100)
    sf.write(str(d / "sub" / "Deep Song.wav"), x, 44100)
    (d / "broken.ogg").write_bytes(b"OggS" + os.urandom(3000))
    (d / "notes.txt").write_text("not audio, and not picked up from folders")
    return d
