# chatdesk — `make run` opens the app, `make test` runs the whole suite (offscreen Qt).
# Both build .venv when it is missing or pyproject.toml changed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

# Debian packages Qt needs for a real window (xcb) and offscreen, QtMultimedia (libpulse0),
# and Xvfb for screenshots and the GUI tests' virtual screen.
DEB_PACKAGES := libegl1 libgl1 libopengl0 libfontconfig1 libfreetype6 libxkbcommon0 \
	libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0 libxcb1 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-shape0 \
	libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libxrender1 libxi6 libsm6 libice6 libpulse0 \
	fonts-dejavu-core xvfb xauth desktop-file-utils

# Real MCP servers the tests start: npm packages into a cache folder (Node.js is on the
# machine) and PyPI servers into a venv of their own (as a user's uvx would).
MCP_SERVERS := .cache/mcp-servers
NPM_SERVERS := @modelcontextprotocol/server-everything@2026.8.31
PYPI_SERVERS := mcp-server-time==2026.10.19 mcp-server-fetch==2026.10.24 mcp-server-git==2026.10.19

# Where `make install` puts chatdesk for the current user (no root needed).
PREFIX ?= $(HOME)/.local
ICON_SIZES := 16 24 32 48 64 128 256 512

.PHONY: run test lint sysdeps bench screenshot clean mcp-servers bundle install uninstall

$(VENV)/.stamp-run: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	$(PY) -m compileall -q src >/dev/null
	@touch $@

$(VENV)/.stamp-test: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint]'
	$(PY) -m compileall -q src >/dev/null
	@touch $@ $(VENV)/.stamp-run

# Installs the Debian packages Qt needs when run as root; otherwise prints the exact command.
sysdeps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ] || ! command -v dpkg >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages Qt needs: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Qt needs these Debian packages; please run:"; \
		echo "  sudo apt-get install -y $$missing"; \
	fi

run: sysdeps $(VENV)/.stamp-run
	$(PY) -m chatdesk

$(MCP_SERVERS)/.stamp: Makefile
	@mkdir -p $(MCP_SERVERS)
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(MCP_SERVERS) --cache $(MCP_SERVERS)/npm-cache $(NPM_SERVERS); \
	else echo "npm not found: the tests that start server-everything will be skipped"; fi
	@test -x $(MCP_SERVERS)/py/bin/python || $(PYTHON) -m venv $(MCP_SERVERS)/py
	$(MCP_SERVERS)/py/bin/python -m pip install --quiet $(PYPI_SERVERS)
	@touch $@

mcp-servers: $(MCP_SERVERS)/.stamp

test: sysdeps $(VENV)/.stamp-test $(MCP_SERVERS)/.stamp
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.stamp-test
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# The README screenshot: the real app on Xvfb against the tests' fake OpenRouter.
screenshot: sysdeps $(VENV)/.stamp-test
	xvfb-run -a -s "-screen 0 1280x860x24" $(PY) docs/screenshot.py docs/screenshot.png light
	xvfb-run -a -s "-screen 0 1280x860x24" $(PY) docs/screenshot.py docs/screenshot-dark.png dark

# The one-folder bundle: dist/chatdesk/chatdesk (see chatdesk.spec).
bundle: $(VENV)/.stamp-test
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN chatdesk.spec

dist/chatdesk/chatdesk:
	$(MAKE) bundle

# For the current user: the bundle in $(PREFIX)/lib/chatdesk, a launcher in $(PREFIX)/bin,
# the desktop entry and the icons (hicolor, 16 to 512 px and scalable).
install: dist/chatdesk/chatdesk
	rm -rf $(PREFIX)/lib/chatdesk
	mkdir -p $(PREFIX)/lib $(PREFIX)/bin $(PREFIX)/share/applications
	cp -a dist/chatdesk $(PREFIX)/lib/chatdesk
	ln -sf $(PREFIX)/lib/chatdesk/chatdesk $(PREFIX)/bin/chatdesk
	sed 's|^Exec=chatdesk|Exec=$(PREFIX)/bin/chatdesk|' resources/chatdesk.desktop \
		> $(PREFIX)/share/applications/chatdesk.desktop
	for size in $(ICON_SIZES); do \
		install -D -m 644 resources/icons/hicolor/$${size}x$${size}/apps/chatdesk.png \
			$(PREFIX)/share/icons/hicolor/$${size}x$${size}/apps/chatdesk.png; \
	done
	install -D -m 644 resources/chatdesk.svg $(PREFIX)/share/icons/hicolor/scalable/apps/chatdesk.svg
	-update-desktop-database -q $(PREFIX)/share/applications 2>/dev/null
	-gtk-update-icon-cache -q -t $(PREFIX)/share/icons/hicolor 2>/dev/null
	@echo "Installed: $(PREFIX)/bin/chatdesk and the launcher entry"

uninstall:
	rm -rf $(PREFIX)/lib/chatdesk
	rm -f $(PREFIX)/bin/chatdesk $(PREFIX)/share/applications/chatdesk.desktop
	for size in $(ICON_SIZES); do rm -f $(PREFIX)/share/icons/hicolor/$${size}x$${size}/apps/chatdesk.png; done
	rm -f $(PREFIX)/share/icons/hicolor/scalable/apps/chatdesk.svg
	-update-desktop-database -q $(PREFIX)/share/applications 2>/dev/null
	@echo "Removed chatdesk (your chats in the data directory are kept)"

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
