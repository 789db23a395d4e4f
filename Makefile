# Fresh machine:  make run   (set up, open the app on the bundled demo library)
#                 make test  (set up, run the whole test suite)
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
DEMO_LIBRARY ?= $(CURDIR)/.demo-library
APT_PACKAGES = libportaudio2 libsndfile1 ffmpeg pulseaudio pulseaudio-utils xvfb \
	libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-render-util0 libxcb-image0 \
	libfontconfig1 libdbus-1-3

.PHONY: setup system-check run test bench package clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e ".[test]"
	touch $@

setup: system-check $(VENV)/.installed

# System libraries the app needs; installs them when run as root, else prints the apt line.
system-check:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	  else echo "Missing system packages. Please run:"; echo "  sudo apt-get install -y$$missing"; exit 1; fi; \
	fi

run: setup
	$(VENV)/bin/shazam-desktop --library "$(DEMO_LIBRARY)" library import-demo || true
	$(VENV)/bin/shazam-desktop --library "$(DEMO_LIBRARY)"

test: setup
	$(PY) -m pytest -q

bench: setup
	$(VENV)/bin/shazam-desktop bench --markdown bench-out/bench.md

# The app bundle dist/shazam-desktop/ (PyInstaller); packaging/smoke_test.sh checks it.
$(VENV)/.package-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -e ".[package]"
	touch $@

package: setup $(VENV)/.package-installed
	PY=$(PY) packaging/build.sh

clean:
	rm -rf build dist bench-out .pytest_cache
