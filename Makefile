# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ORGS ?= 5000
# apt waits this long for another apt/dpkg (unattended upgrades, a second checkout's make) to let go
APT_GET := apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3
# mutation testing: at most this many mutants at once (the machine is shared)
MUTATE_JOBS ?= 2

.PHONY: run test install system-packages lint test-sqlite test-postgres mutate clean

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

# Debian chromium for browser tests (with a CJK font: the layout tests measure Chinese text),
# PostgreSQL for the production-database leg, and for the printable year-end report (WeasyPrint)
# Pango with HarfBuzz's subsetter and the Noto CJK fonts it embeds, when missing.
system-packages:
	@need=""; command -v chromium >/dev/null || need="$$need chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || need="$$need fonts-wqy-microhei"; \
	for p in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || need="$$need $$p"; \
	done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "安装系统软件包:$$need"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$need >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/mypy
	@# the import layers (docs/architecture.md): also part of the suite, here so lint alone says it
	$(PY) -m pytest -q -p no:xdist tests/test_layers.py

# Each run gets its own scratch directory (and, for PostgreSQL, its own server directory and a
# free port), removed when the run ends, passed or failed: two runs on one host never collide.
# --dist loadgroup keeps a module that shares seeded rows on one worker (tests/conftest.py,
# kept_for_module); --durations prints where the time went.
test-sqlite: install
	var=$$(mktemp -d); trap 'rm -rf "$$var"' EXIT; \
	  LIANGXIN_VAR_DIR=$$var $(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

test-postgres: install
	var=$$(mktemp -d); trap 'rm -rf "$$var"' EXIT; \
	  scripts/pg.sh run -- env LIANGXIN_VAR_DIR=$$var $(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

# Mutation testing (mutmut, configured in pyproject.toml [tool.mutmut]); slow, so not part of
# `make test`. `make mutate MUTANTS='liangxin.party.rules*'` runs one module's mutants.
MUTANTS ?=
mutate: install
	var=$$(mktemp -d); trap 'rm -rf "$$var"' EXIT; \
	  LIANGXIN_VAR_DIR=$$var $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS); \
	  LIANGXIN_VAR_DIR=$$var $(PY) scripts/mutation_score.py

test: install system-packages lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) var staticfiles mutants
