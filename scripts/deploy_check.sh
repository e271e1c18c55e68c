#!/usr/bin/env bash
# Exercise every file in deploy/ on this machine (docs/deploy.md; `make deploy-check`):
# a throwaway PostgreSQL (scripts/with-postgres.sh), `tongban migrate --check` before and after
# migrate, the systemd units verified and their ExecStart lines started as processes with this
# checkout's paths (gunicorn with deploy/gunicorn.conf.py, the database worker, the RQ worker on
# a throwaway redis-server, the scheduler), nginx with deploy/nginx/tongban.conf on a loopback
# port, PostgreSQL with deploy/postgresql/tongban.conf included, logrotate -d, and
# deploy/upgrade.sh's rolling restart. Bounded in time; stops everything it started.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
deploy="$here/deploy"
if [ -z "${DATABASE_URL:-}" ]; then
  exec timeout --foreground 1200 "$here/scripts/with-postgres.sh" "$0" "$@"
fi

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null || need+=(redis-server)
command -v logrotate >/dev/null || [ -x /usr/sbin/logrotate ] || need+=(logrotate)
[ ${#need[@]} -eq 0 ] || "$here/scripts/install-debian.sh" "${need[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LOGROTATE=$(command -v logrotate || echo /usr/sbin/logrotate)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

work=$(mktemp -d /tmp/tongban-deploy.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{data,log,static,backups,nginx}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
app_port=$(free_port); web_port=$(free_port); redis_port=$(free_port); pg_port=$(free_port)
pids=()
pg2=""
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  [ -f "$work/nginx/nginx.pid" ] && "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null
  if [ -n "$pg2" ]; then as_pg "'$PG_BIN/pg_ctl' -D '$pg2/data' -m immediate stop" >/dev/null 2>&1; fi
  for _ in $(seq 50); do  # a graceful stop first (up to 10 s), as systemd allows
    alive=0  # an exited child stays a zombie until waited for: not alive
    for pid in "${pids[@]}"; do grep -qs '^State:[[:space:]]*[^Z]' "/proc/$pid/status" && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
  [ -n "$pg2" ] && rm -rf "$pg2"
}
trap cleanup EXIT INT TERM
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
ok() { printf 'deploy-check: ok   %s\n' "$*"; }
fail() { printf 'deploy-check: FAIL %s\n' "$*" >&2; tail -n 30 "$work"/log/*.log >&2 2>/dev/null; exit 1; }
render() {  # deploy/ names the production paths; point them at this checkout and $work
  sed -e "s#/srv/tongban#$here#g" -e "s#/etc/tongban/env#$work/env#g" \
      -e "s#/var/lib/tongban/static#$work/static#g" -e "s#/var/lib/tongban#$work/data#g" \
      -e "s#/var/log/tongban#$work/log#g" "$1"
}
exec_start() { render "$1" | sed -n 's/^ExecStart=//p'; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq "$((seconds * 2))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "$what (waited ${seconds}s)"
}

# --- the environment file (deploy/env.example, with this machine's values) ---
render "$deploy/env.example" | grep -v '^#' | grep -v '^$' \
  | grep -v -e '^DATABASE_URL=' -e '^TONGBAN_DATA_DIR=' -e '^TONGBAN_STATIC_ROOT=' \
            -e '^TONGBAN_ALLOWED_HOSTS=' -e '^TONGBAN_CSRF' -e '^TONGBAN_PUBLIC_URL=' \
            -e '^TONGBAN_SSL_REDIRECT=' -e '^TONGBAN_DATA_KEYS=' -e '^TONGBAN_BLIND_INDEX_KEY=' \
            -e '^TONGBAN_SECRET_KEY=' -e '^TONGBAN_LICENCE_KEY_SECRET=' \
  > "$work/env"
key() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
cat >> "$work/env" <<EOF
DATABASE_URL=$DATABASE_URL
TONGBAN_DATA_DIR=$work/data
TONGBAN_STATIC_ROOT=$work/static
TONGBAN_ALLOWED_HOSTS=127.0.0.1,localhost
TONGBAN_PUBLIC_URL=http://127.0.0.1:$web_port
TONGBAN_SSL_REDIRECT=0
TONGBAN_REQUIRE_2FA=0
TONGBAN_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
TONGBAN_LICENCE_KEY_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
TONGBAN_DATA_KEYS=k1:$(key)
TONGBAN_BLIND_INDEX_KEY=$(key)
GUNICORN_BIND=127.0.0.1:$app_port
GUNICORN_WORKERS=2
GUNICORN_ACCESS_LOG=$work/log/gunicorn-access.log
PYTHONPATH=$here/src:$here
EOF
set -a; . "$work/env"; set +a
export PATH="$here/.venv/bin:$PATH"

# --- migrate --check on an unmigrated database, migrate, check again ---
tongban check >/dev/null 2>"$work/log/check.log" || fail "tongban check: $(tail -n 3 "$work/log/check.log")"
rc=0; tongban migrate --check >"$work/log/migrate-check.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && ! grep -q Traceback "$work/log/migrate-check.log" \
  || fail "migrate --check with unapplied migrations: exit $rc $(tail -n 3 "$work/log/migrate-check.log")"
ok "tongban migrate --check exits 1 before migrate"
tongban migrate --noinput >"$work/log/migrate.log" 2>&1 || fail "migrate"
tongban migrate --check >/dev/null 2>&1 || fail "migrate --check after migrate"
ok "tongban migrate --check exits 0 after migrate"
tongban partitions list >"$work/log/partitions.log" || fail "partitions list"
grep -q cases_caseevent_default "$work/log/partitions.log" || fail "event tables are not partitioned"
ok "event tables partitioned: $(wc -l <"$work/log/partitions.log") partitions"
tongban collectstatic --noinput >/dev/null || fail "collectstatic"
python -m tongban.core.i18n_compile >/dev/null || fail "compilemessages"
ok "collectstatic and compiled messages"
DJANGO_SUPERUSER_PASSWORD=$(key) tongban createsuperuser --noinput --username admin \
  --email admin@example.org >"$work/log/createsuperuser.log" 2>&1 \
  || fail "createsuperuser: $(cat "$work/log/createsuperuser.log")"
ok "the first administrator (createsuperuser --noinput)"
tongban check --deploy >"$work/log/check-deploy.log" 2>&1 \
  || fail "check --deploy: $(tail -n 20 "$work/log/check-deploy.log")"
warnings=$(grep -oE '\((\w+\.)*W[0-9]+\)' "$work/log/check-deploy.log" | tr -d '()' | sort | tr '\n' ' ')
# W008: no HTTPS redirect on this loopback check (nginx terminates TLS in docs/deploy.md);
# W021: HSTS preload is the operator's decision (docs/deploy.md). Anything else fails.
[ "$warnings" = "" ] || [ "$warnings" = "security.W008 security.W021 " ] \
  || fail "check --deploy warns: $warnings$(cat "$work/log/check-deploy.log")"
ok "tongban check --deploy: only ${warnings:-no warnings}(loopback without TLS; HSTS preload left to the operator)"

# --- a case with a material, a reviewer allowed to see it and one who is not ---
python - >"$work/fixture.env" <<'EOF' || fail "fixture"
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from tests.cases.conftest import PNG
from tests.cases.helpers import submitted_case
from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import CaseMaterial
from tongban.cases.services import case_accept
from tongban.catalog.services import item_save_spec
from tongban.core.permissions import Role
import hashlib

mzj = department("mzj", 7)
code = item_save_spec(spec=spec("mzj"), publish=True).item.implementation_code
applicant = UserFactory(username="zhang")
PersonFactory(name="张晓明", user=applicant)
clerk = make_staff(Role.WINDOW_CLERK, username="clerk")
reviewer = make_staff(Role.REVIEWER, department=mzj, username="reviewer")
other = make_staff(Role.REVIEWER, department=department("scjg", 8), username="reviewer_sc")
case = case_accept(actor=clerk, case=submitted_case(applicant, code))
row = CaseMaterial.objects.get(case=case, material__seq=2)


def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


print(f"MATERIAL_URL=/console/cases/{case.case_no}/materials/{row.pk}/")
print(f"MATERIAL_NAME={row.file.name}")
print(f"MATERIAL_SHA={hashlib.sha256(PNG).hexdigest()}")
print(f"REVIEWER_SESSION={session(reviewer)}")
print(f"OTHER_SESSION={session(other)}")
EOF
. "$work/fixture.env"
ok "a case with a material: $MATERIAL_URL"

# --- systemd units: verify, then start their ExecStart lines as processes ---
units="$work/units"; mkdir -p "$units"
for f in "$deploy"/systemd/*; do
  render "$f" | sed -e 's/^User=tongban$/User=root/' -e 's/^Group=tongban$/Group=root/' >"$units/$(basename "$f")"
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$units"/* >"$work/log/systemd-analyze.log" 2>&1 \
    || fail "systemd-analyze verify: $(cat "$work/log/systemd-analyze.log")"
  ok "systemd-analyze verify: $(ls "$units" | tr '\n' ' ')"
fi
start() {  # start NAME UNIT [ENV=VALUE…]: the unit's ExecStart as a background process
  local name=$1 unit=$2; shift 2
  local cmd unit_env; cmd=$(exec_start "$deploy/systemd/$unit")
  unit_env=$(render "$deploy/systemd/$unit" | sed -n 's/^Environment=//p' | tr '\n' ' ')
  # shellcheck disable=SC2086
  env $unit_env "$@" $cmd >"$work/log/$name.log" 2>&1 &
  pids+=($!)
  echo "$!" >"$work/$name.pid"
}
start web tongban-web.service
start worker tongban-worker.service
start scheduler tongban-scheduler.service
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
  >"$work/log/redis.log" 2>&1 &
pids+=($!)
start worker-rq tongban-worker-rq.service REDIS_URL="redis://127.0.0.1:$redis_port/0"
wait_for 120 "gunicorn answers" curl -fsS "http://127.0.0.1:$app_port/healthz"
ok "gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:$app_port: $(grep -c 'Booting worker' "$work/log/web.log") workers"

# --- nginx with deploy/nginx/tongban.conf ---
render "$deploy/nginx/tongban.conf" \
  | sed -e "s/listen 80;/listen 127.0.0.1:$web_port;/" -e '/listen \[::\]:80;/d' \
        -e "s/server 127.0.0.1:8000 /server 127.0.0.1:$app_port /" >"$work/nginx/site.conf"
cat >"$work/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/log/nginx-main-error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  include $work/nginx/site.conf;
}
EOF
"$NGINX" -t -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/log/nginx-t.log" 2>&1 \
  || fail "nginx -t: $(cat "$work/log/nginx-t.log")"
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" || fail "nginx start"
web="http://127.0.0.1:$web_port"
wait_for 30 "nginx answers" curl -fsS "$web/healthz"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

[ "$(status "$web/")" = 200 ] || fail "home page through nginx"
ok "home page through nginx: 200"
static_file=$(cd "$work/static" && find . -name '*.css' | head -n 1 | sed 's#^\./##')
headers=$(curl -fsS -D - -o /dev/null "$web/static/$static_file")
echo "$headers" | grep -qi '^cache-control: public' || fail "static file headers: $headers"
grep -q "/static/$static_file" "$work/log/gunicorn-access.log" 2>/dev/null && fail "static file reached gunicorn"
ok "static file /static/$static_file served by nginx (Cache-Control public, not in gunicorn's log)"
gz=$(curl -s -H 'Accept-Encoding: gzip' -D - -o /dev/null "$web/static/$static_file" | grep -i '^content-encoding' || true)
ok "gzip: ${gz:-not needed (small file)}"

body="$work/download"
code=$(curl -s -o "$body" -D "$work/download.headers" -w '%{http_code}' -H "Cookie: sessionid=$REVIEWER_SESSION" "$web$MATERIAL_URL")
[ "$code" = 200 ] || fail "material download for the reviewer: $code"
[ "$(sha256sum "$body" | cut -d' ' -f1)" = "$MATERIAL_SHA" ] || fail "material bytes differ"
grep -qi '^x-accel-redirect' "$work/download.headers" && fail "X-Accel-Redirect leaked to the client"
grep -qi '^cache-control: private, no-store' "$work/download.headers" || fail "material Cache-Control"
ok "material through X-Accel-Redirect for the reviewer: 200, $(stat -c %s "$body") bytes, sha256 matches"
code=$(status -H "Cookie: sessionid=$OTHER_SESSION" "$web$MATERIAL_URL")
[ "$code" = 404 ] || fail "material for another department's reviewer: $code"
code=$(status "$web$MATERIAL_URL")
[ "$code" = 302 ] || fail "material for an anonymous visitor: $code"
ok "material refused: other department 404, anonymous 302 (login)"
for path in "/_protected/$MATERIAL_NAME" "/media/$MATERIAL_NAME"; do
  code=$(status "$web$path")
  [ "$code" = 404 ] || fail "$path is reachable directly: $code"
done
ok "/_protected/ (internal) and /media/ not reachable directly: 404"

# --- the database worker runs a queued task; the RQ worker runs one from Redis ---
task_id=$(tongban shell -c "from tongban.core.tasks import ping; print(ping.enqueue('deploy-check').id)" 2>/dev/null | tail -n 1)
task_done() {
  tongban shell -c "from tongban.core.tasks import ping; import sys; r = ping.get_result('$task_id'); sys.exit(0 if r.status == 'SUCCESSFUL' and r.return_value == 'deploy-check' else 1)"
}
wait_for 180 "database worker ran task $task_id" task_done
ok "tongban worker (database queue) ran task $task_id"
rq_id=$(TONGBAN_TASKS=rq REDIS_URL="redis://127.0.0.1:$redis_port/0" tongban shell -c "from tongban.core.tasks import ping; print(ping.enqueue('rq-check').id)" 2>/dev/null | tail -n 1)
rq_done() {
  TONGBAN_TASKS=rq REDIS_URL="redis://127.0.0.1:$redis_port/0" tongban shell -c "from tongban.core.tasks import ping; import sys; r = ping.get_result('$rq_id'); sys.exit(0 if r.status == 'SUCCESSFUL' else 1)"
}
wait_for 180 "RQ worker ran task $rq_id" rq_done
ok "tongban worker (RQ on redis-server) ran task $rq_id"

# --- the scheduler ran its jobs ---
ran() {
  tongban shell -c "from tongban.core.models import ScheduledRun; import sys; n = ScheduledRun.objects.filter(status='done').count(); print(n); sys.exit(0 if n else 1)"
}
wait_for 240 "the scheduler ran a job" ran
ok "tongban scheduler ran $(ran 2>/dev/null | tail -n 1) jobs"
tongban scheduler --list >"$work/log/scheduler-list.log" 2>&1 || fail "scheduler --list"
grep -q partitions-ensure "$work/log/scheduler-list.log" || fail "scheduler --list: no partitions-ensure"
ok "tongban scheduler --list: $(grep -c . "$work/log/scheduler-list.log") lines"

# --- logrotate ---
render "$deploy/logrotate/tongban" | sed 's/create 0640 tongban adm/create 0640 root root/' >"$work/logrotate.conf"
"$LOGROTATE" -d -s "$work/logrotate.state" "$work/logrotate.conf" >"$work/log/logrotate.out" 2>&1 \
  || fail "logrotate -d: $(cat "$work/log/logrotate.out")"
grep -q '^error' "$work/log/logrotate.out" && fail "logrotate -d: $(grep '^error' "$work/log/logrotate.out")"
ok "logrotate -d: $(grep -c 'considering log' "$work/log/logrotate.out") logs considered"

# --- PostgreSQL with deploy/postgresql/tongban.conf included ---
pg2=$(mktemp -d /tmp/tongban-pgconf.XXXXXX)
chmod 755 "$pg2"; cp "$deploy/postgresql/tongban.conf" "$pg2/tongban.conf"; chmod 644 "$pg2/tongban.conf"
[ "$(id -u)" -eq 0 ] && chown postgres "$pg2"
as_pg "'$PG_BIN/initdb' -D '$pg2/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$pg2/initdb.log' 2>&1" || fail "initdb"
echo "include '$pg2/tongban.conf'" >>"$pg2/data/postgresql.conf"
# memory settings are this small container's, given on the command line (they override the file)
as_pg "'$PG_BIN/pg_ctl' -D '$pg2/data' -l '$pg2/server.log' -w -t 60 -o \"-h 127.0.0.1 -p $pg_port -k '$pg2' -c shared_buffers=128MB -c huge_pages=off -c effective_cache_size=1GB\" start >/dev/null" \
  || fail "PostgreSQL with tongban.conf: $(tail -n 5 "$pg2/server.log")"
settings=$("$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -Atc "SELECT current_setting('work_mem') || ' ' || current_setting('random_page_cost') || ' ' || current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('log_min_duration_statement')")
[ "$settings" = "32MB 1.1 1 500ms" ] || fail "PostgreSQL settings from tongban.conf: $settings"
ok "PostgreSQL started with deploy/postgresql/tongban.conf (work_mem random_page_cost gather log_min: $settings)"

# --- deploy/upgrade.sh: backup, migrate --check, rolling reload, worker restart ---
cat >"$work/systemctl" <<EOF
#!/usr/bin/env bash
# stands in for systemctl: reload = HUP to gunicorn's master; restart = SIGTERM, wait, start again
echo "systemctl \$*" >>"$work/log/systemctl.log"
EOF
chmod +x "$work/systemctl"
TONGBAN_PREFIX="$here" TONGBAN_ENV_FILE="$work/env" TONGBAN_USER="" \
  TONGBAN_BACKUP_DIR="$work/backups" TONGBAN_SYSTEMCTL="$work/systemctl" \
  TONGBAN_HEALTH_URL="$web/healthz" "$deploy/upgrade.sh" - >"$work/log/upgrade.log" 2>&1 \
  || fail "upgrade.sh: $(cat "$work/log/upgrade.log")"
ls "$work/backups"/*/manifest.json >/dev/null || fail "upgrade.sh made no backup"
ok "deploy/upgrade.sh: $(tr '\n' ' ' <"$work/log/upgrade.log")| $(tr '\n' ';' <"$work/log/systemctl.log")"
grep -q '^systemctl restart tongban-web.service$' "$work/log/systemctl.log" \
  || fail "upgrade.sh did not restart the preloaded web server: $(cat "$work/log/systemctl.log")"
# what `systemctl restart tongban-web` does: SIGTERM (in-flight requests finish), start again
web_pid=$(cat "$work/web.pid")
kill -TERM "$web_pid"
# graceful_timeout is 30 s; systemd (TimeoutStopSec=40) would SIGKILL after that. Allow more on
# a loaded machine: the check's own gunicorn must be gone before the next one binds the port.
for _ in $(seq 180); do kill -0 "$web_pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$web_pid" 2>/dev/null && fail "gunicorn did not stop on SIGTERM within 90 s"
restarted=$(date +%s.%N)
start web tongban-web.service
wait_for 120 "gunicorn after a restart" curl -fsS "$web/healthz"
gap=$(python3 -c "import time; print(f'{time.time() - $restarted:.1f}')")
grep -q 'warmed: ' "$work/log/web.log" || fail "the preloaded master did not warm the caches"
ok "restart of the preloaded gunicorn (upgrade.sh): answering again after ${gap} s; $(grep -o 'warmed: .*' "$work/log/web.log" | tail -n 1)"
web_pid=$(cat "$work/web.pid")
workers_before=$(pgrep -P "$web_pid" | sort | tr '\n' ' ')
kill -HUP "$web_pid"
sleep 3
wait_for 60 "gunicorn after HUP" curl -fsS "$web/healthz"
workers_after=$(pgrep -P "$web_pid" | sort | tr '\n' ' ')
[ "$workers_before" != "$workers_after" ] || fail "HUP did not replace the workers ($workers_after)"
ok "HUP (systemctl reload): new workers ($workers_after), still answering"

# --- graceful stop of a worker ---
worker_pid=$(cat "$work/worker.pid")
kill -TERM "$worker_pid"
for _ in $(seq 120); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$worker_pid" 2>/dev/null && fail "the worker did not stop on SIGTERM"
wait "$worker_pid" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "the worker exited with $rc on SIGTERM"
ok "tongban worker stopped gracefully on SIGTERM (exit 0)"
echo "deploy-check: all checks passed"
