"""The command-line contract, through the real entry point in a temporary library."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

from shazam_desktop.audio.decode import load
from tests.helpers import add_noise

CLI = [sys.executable, "-m", "shazam_desktop"]


def run(*args, lib=None, env=None, check=True):
    cmd = CLI + (["--library", str(lib)] if lib else []) + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def _excerpt(path, start, secs, out, snr=None):
    a = load(path)
    x = a.samples[int(start * a.sample_rate) : int((start + secs) * a.sample_rate)]
    if snr is not None:
        x = add_noise(x, snr, seed=1)
    sf.write(str(out), x, a.sample_rate)
    return out


def test_add_identify_remove_identify(tmp_path, song_dir):
    lib = tmp_path / "lib"
    p = run("library", "add", song_dir, lib=lib)
    assert p.returncode == 1  # one input failed
    assert "broken.ogg" in p.stderr and "added 7 tracks" in p.stderr
    listing = [
        json.loads(line) for line in run("library", "list", "--json", lib=lib).stdout.splitlines()
    ]
    assert len(listing) == 7 and {"track_id", "title", "path"} <= set(listing[0])

    q1 = _excerpt(song_dir / "03 - Song 3.ogg", 10.0, 5.0, tmp_path / "q1.wav", snr=0)
    q2 = _excerpt(song_dir / "sub" / "Deep Song.wav", 4.0, 5.0, tmp_path / "q2.wav")
    p = run("identify", "--json", q1, q2, lib=lib)
    assert p.returncode == 0
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["query"] for o in out] == [str(q1), str(q2)]
    assert out[0]["match"]["title"] == "Song 3" and abs(out[0]["match"]["offset_s"] - 10.0) < 0.1
    assert out[1]["match"]["title"] == "Deep Song"
    assert set(out[0]["match"]) == {
        "track_id",
        "path",
        "title",
        "artist",
        "album",
        "score",
        "confidence",
        "offset_s",
    }
    assert "elapsed_ms" in out[0] and isinstance(out[0]["similar"], list)

    tid = out[0]["match"]["track_id"]
    assert run("library", "remove", tid, lib=lib).returncode == 0
    after = json.loads(run("identify", "--json", q1, lib=lib).stdout)
    assert after["match"] is None and after["similar"]
    assert run("library", "remove", tid, lib=lib).returncode == 1


def test_environment_variable_chooses_the_library(tmp_path, song_dir):
    env = dict(os.environ, SHAZAM_DESKTOP_LIBRARY=str(tmp_path / "envlib"))
    run("library", "add", song_dir / "00 - Song 0.ogg", env=env)
    assert (tmp_path / "envlib" / "catalog.sqlite3").exists()
    assert len(run("library", "list", "--json", env=env).stdout.splitlines()) == 1


def test_bad_inputs_give_one_line_each_and_exit_1(tmp_path, song_dir):
    lib = tmp_path / "lib"
    run("library", "add", song_dir / "00 - Song 0.ogg", lib=lib)
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.mp3").write_text("hello")
    sf.write(str(tmp_path / "silent.wav"), np.zeros(22050 * 3, np.float32), 22050)
    sf.write(
        str(tmp_path / "short.wav"),
        np.random.default_rng(0).standard_normal(2000).astype(np.float32) * 0.1,
        22050,
    )
    files = ["empty.wav", "text.mp3", "silent.wav", "short.wav", "missing.flac"]
    p = run("identify", "--json", *[tmp_path / f for f in files], lib=lib)
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 5
    for frag in ("empty", "not an audio file", "silent", "too short", "no such file"):
        assert any(frag in line for line in lines), (frag, lines)
    assert all(json.loads(line)["error"] for line in p.stdout.splitlines())


def test_kill_during_add_leaves_a_consistent_library(tmp_path, song_dir):
    lib = tmp_path / "lib"
    many = tmp_path / "many"
    many.mkdir()
    from tests.helpers import write_song

    for i in range(24):
        write_song(many / f"t{i:02d}.wav", 500 + i, seconds=20.0, sr=11025)
    proc = subprocess.Popen(
        CLI + ["--library", str(lib), "library", "add", str(many)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Let it get going, then kill the whole process group hard.
    deadline = time.time() + 60
    while time.time() < deadline and not (lib / "catalog.sqlite3").exists():
        time.sleep(0.05)
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    from shazam_desktop.store.library import Library

    reopened = Library(lib)
    tracks = reopened.tracks()
    assert all(t.status == "ready" for t in tracks)
    assert len(reopened.catalog.tracks(status=None)) == len(tracks), "no half-added rows"
    for t in tracks[:3]:  # everything listed is fully searchable
        clip = load(t.path).samples[11025 * 5 : 11025 * 10]
        assert reopened.identify(clip).track.id == t.id
    reopened.close()
    # Adding again completes the set.
    p = run("library", "add", many, lib=lib)
    assert p.returncode == 0
    assert len(run("library", "list", "--json", lib=lib).stdout.splitlines()) == 24


def test_import_demo_then_identify_a_demo_excerpt(tmp_path):
    from shazam_desktop.demo import demo_dir

    demo = demo_dir()
    assert demo is not None and len(list(demo.glob("*.ogg"))) >= 8
    lib = tmp_path / "lib"
    p = run("library", "import-demo", lib=lib)
    assert p.returncode == 0, p.stderr
    tracks = [
        json.loads(line) for line in run("library", "list", "--json", lib=lib).stdout.splitlines()
    ]
    assert len(tracks) == len(list(demo.glob("*.ogg")))
    assert all(t["artist"] and t["title"] for t in tracks), "demo tracks carry tags"
    q = _excerpt(sorted(demo.glob("*.ogg"))[2], 12.0, 6.0, tmp_path / "q.wav", snr=3)
    out = json.loads(run("identify", "--json", q, lib=lib).stdout)
    assert out["match"]["path"].endswith(sorted(demo.glob("*.ogg"))[2].name)


def test_bench_runs_end_to_end_on_a_tiny_generated_corpus(tmp_path):
    assert "--corpus" in run("bench", "--help").stdout
    work = tmp_path / "bench"
    p = run(
        "bench",
        "--quick",
        "--tracks",
        "6",
        "--unknown",
        "2",
        "--queries",
        "3",
        "--conditions",
        "clean,white_0dB",
        "--work",
        work,
        "--markdown",
        work / "report.md",
    )
    assert p.returncode == 0, p.stderr[-2000:]
    report = (work / "report.md").read_text()
    assert "| clean | 5 | 3 |" in report.replace("5s", "5")
    assert "Out-of-library queries" in report and "x real time" in report
    data = json.loads((work / "bench.json").read_text())
    assert data["build"]["tracks"] == 6 and data["summary"]["cells"]["clean@5s"]["n"] == 3
