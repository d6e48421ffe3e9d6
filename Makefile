# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ORGS ?= 5000
PG_DIR ?= /tmp/liangxin-test-pg
PG_PORT ?= 54329
PG_URL := postgres://postgres@127.0.0.1:$(PG_PORT)/liangxin

.PHONY: run test install system-packages lint test-sqlite test-postgres clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo --orgs $(DEMO_ORGS)
	@echo "两新党建综合服务平台：http://127.0.0.1:8000/ （演示账号见上表）"
	@# the background worker (imports, exports) runs beside the server and stops with it
	$(PY) manage.py db_worker --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload 127.0.0.1:8000

# Debian chromium for browser tests (with a CJK font: the layout tests measure Chinese text) and
# PostgreSQL for the production-database leg, when missing.
system-packages:
	@need=""; command -v chromium >/dev/null || need="$$need chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || need="$$need fonts-wqy-microhei"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "安装系统软件包:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run >/dev/null

test-sqlite: install
	LIANGXIN_VAR_DIR=$$(mktemp -d) $(PY) -m pytest -q -n 2

test-postgres: install
	scripts/pg.sh start $(PG_DIR) $(PG_PORT)
	DATABASE_URL=$(PG_URL) LIANGXIN_VAR_DIR=$$(mktemp -d) $(PY) -m pytest -q -n 2; status=$$?; \
	  scripts/pg.sh stop $(PG_DIR); exit $$status

test: install system-packages lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) var staticfiles
