# tongban: `make demo` sets everything up and starts the demo district; `make test` runs all checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install deploy-check services lint test-sqlite test-postgres browser messages serve clean crash-safety fuzz

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	$(PY) -m tongban.core.i18n_compile

demo: install
	$(BIN)/tongban migrate --noinput
	$(BIN)/tongban demo load
	@echo
	@echo "tongban demo district is ready:"
	@echo "  portal   http://$(HOST):$(PORT)/"
	@echo "  console  http://$(HOST):$(PORT)/console/"
	@echo "  admin    http://$(HOST):$(PORT)/admin/"
	@echo "  API      http://$(HOST):$(PORT)/api/v1/docs"
	@echo "demo accounts (role, username):"
	@$(BIN)/tongban demo users | sed 's/^/  /'
	@echo "password for every demo account: $$($(PY) -c 'import os;print(os.environ.get("TONGBAN_DEMO_PASSWORD","tongban-demo-2026"))')"
	@echo
	$(BIN)/tongban runserver --insecure $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install browser services lint test-sqlite test-postgres

test-sqlite: install
	TONGBAN_DATA_DIR=$$(mktemp -d) TONGBAN_REQUIRE_BROWSER=$${TONGBAN_REQUIRE_BROWSER:-1} \
		$(BIN)/pytest -p no:cacheprovider

test-postgres: install
	TONGBAN_REQUIRE_BROWSER=$${TONGBAN_REQUIRE_BROWSER:-1} scripts/with-postgres.sh \
		$(BIN)/pytest -p no:cacheprovider

# Kill the server with SIGKILL mid-load, restart, check every acknowledged write (docs/reliability.md).
crash-safety: install
	$(PY) scripts/crash_safety.py
	scripts/with-postgres.sh $(PY) scripts/crash_safety.py

# schemathesis over every API operation as every role, with many more examples than `make test`.
fuzz: install
	TONGBAN_FUZZ_EXAMPLES=100 $(BIN)/pytest -p no:cacheprovider tests/fuzz
	TONGBAN_FUZZ_EXAMPLES=100 scripts/with-postgres.sh $(BIN)/pytest -p no:cacheprovider tests/fuzz

# Every file in deploy/ started on this machine: gunicorn, workers, scheduler, nginx, PostgreSQL
# with deploy/postgresql/tongban.conf, logrotate, the upgrade script (docs/deploy.md).
deploy-check: install services
	scripts/deploy_check.sh

# Servers the deployment tests start (tests/deploy: redis-server for CACHE_URL, nginx -t, logrotate -d).
services:
	@command -v redis-server >/dev/null || scripts/install-debian.sh redis-server
	@test -x /usr/sbin/nginx || scripts/install-debian.sh nginx-light
	@test -x /usr/sbin/logrotate || scripts/install-debian.sh logrotate

browser:
	@test -x /usr/bin/chromium || scripts/install-debian.sh chromium
	@fc-list :lang=zh 2>/dev/null | grep -q . || scripts/install-debian.sh fonts-wqy-microhei

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
