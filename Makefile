# Two commands on a fresh machine with only Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := articles/sample_archive
PORT ?= 8000
# The site's own address in canonical links, feeds and sitemaps for this run: the .env's when it
# names this port, else the dev server's on it (config/local_env.py).
SITE_URL = $(shell $(BIN)/python -m config.local_env site-url --port $(PORT))
DEV = DJANGO_DEBUG=1 NEWSROOM_SITE_URL=$(SITE_URL)

.PHONY: run test lint install serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed

# Development settings for manage.py (debug on, a secret key of this checkout's own), written
# once: the README's commands then work as typed. Never overwritten; git ignores it.
.env: | $(BIN)/python
	$(BIN)/python -m config.local_env write --port $(PORT)

# The admin account comes last, so that its password is the last thing printed before the server.
run: $(VENV)/.runtime-installed .env
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py import_frontmatter $(SAMPLES)
	$(DEV) $(BIN)/python manage.py create_local_admin
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# One pytest worker a core (pytest-xdist), each test file on one worker: files that prepare a
# corpus once share it, and the suite keeps its few minutes on two cores.
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

# ruff's lint and format rules, configured in pyproject.toml.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build .pytest_cache staticfiles
