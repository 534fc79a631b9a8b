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

# A local trial: DAJIA_LOCAL_TRIAL allows the development SMS sender (codes in var/sms-outbox.jsonl).
run: export DAJIA_LOCAL_TRIAL = 1
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@$(PY) manage.py demo_logins --address http://$(HOST):$(PORT)
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
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

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
