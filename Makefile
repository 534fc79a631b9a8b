# Dajia: `make run` and `make test` do all set-up on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint format demo serve faults clean messages
# `make serve` runs the production servers on one machine as a trial (plain HTTP, the development SMS sender);
# behind nginx with TLS and a real SMS gateway use `make serve SERVE_ARGS=--behind-proxy` (docs/DEPLOY.md).
SERVE_ARGS ?= --plain-http --trial

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A local trial, not a debug server (dajia/settings.py): DAJIA_LOCAL_TRIAL turns debug off (the site's own error
# pages; DAJIA_DEBUG=1 make run turns it on), keeps the secret key in var/secret_key, allows the development SMS
# sender (codes in var/sms-outbox.jsonl, shown on the office's SMS outbox page) and, with HOST=0.0.0.0, serves
# the venue's network with this machine's address in the QR codes (DAJIA_SERVE_HOST/PORT). Plain HTTP. Static
# files by WhiteNoise (collected), public media by dajia/core/media.py, live streams by runserver itself.
# The port is checked first: a taken port stops here, before anything says "ready".
run: export DAJIA_LOCAL_TRIAL = 1
run: export DAJIA_HTTPS = 0
run: export DAJIA_SERVE_HOST = $(HOST)
run: export DAJIA_SERVE_PORT = $(PORT)
run: $(STAMP)
	@$(PY) manage.py check_port $(HOST) $(PORT)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	mkdir -p var
	DAJIA_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	mkdir -p build
	$(PY) -m dajia.bench

serve: $(STAMP)
	mkdir -p var
	$(VENV)/bin/dajia serve --host $(HOST) --port $(PORT) $(SERVE_ARGS)

faults: $(STAMP)
	mkdir -p var
	DAJIA_TESTING=1 $(PY) -m pytest dajia/faults $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports .importlinter

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	cd dajia && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location
	$(PY) scripts/po_fill.py dajia/locale/en/LC_MESSAGES/django.po --identity
	-$(PY) scripts/po_fill.py dajia/locale/zh_Hans/LC_MESSAGES/django.po $${TSV:-/dev/null}
	cd dajia && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var build
