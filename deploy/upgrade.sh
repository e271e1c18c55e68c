#!/usr/bin/env bash
# Upgrade tongban in place with a rolling restart (docs/deploy.md, "Upgrades"):
#   backup → install the new release → migrate --check → migrate → collectstatic/compilemessages
#   → restart (preloaded) or reload (HUP) the web server → restart the workers and the scheduler.
# Run as root on each application server; the migration runs once (first server, or --migrate).
# Usage: deploy/upgrade.sh [--no-backup] [--migrate|--no-migrate] RELEASE_SPEC
#   RELEASE_SPEC: what pip installs, e.g. /srv/tongban (a checkout) or tongban==0.2.0;
#   "-" installs nothing (the release is already in place).
# Environment: TONGBAN_PREFIX, TONGBAN_ENV_FILE, TONGBAN_USER (empty: the current user),
# TONGBAN_BACKUP_DIR, TONGBAN_SYSTEMCTL and TONGBAN_HEALTH_URL (scripts/deploy_check.sh uses them).
set -euo pipefail
PREFIX=${TONGBAN_PREFIX:-/srv/tongban}
ENV_FILE=${TONGBAN_ENV_FILE:-/etc/tongban/env}
RUN_AS=${TONGBAN_USER-tongban}
SYSTEMCTL=${TONGBAN_SYSTEMCTL:-systemctl}
HEALTH_URL=${TONGBAN_HEALTH_URL:-http://127.0.0.1:8000/healthz}
backup=1 migrate=1
while [ $# -gt 1 ]; do
  case "$1" in
    --no-backup) backup=0 ;; --migrate) migrate=1 ;; --no-migrate) migrate=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
spec=${1:?usage: upgrade.sh [options] RELEASE_SPEC}
BACKUP_DIR=${TONGBAN_BACKUP_DIR:-/var/backups/tongban}
# A tongban command as the service user with the services' environment.
tb() {
  local as=()
  [ -n "$RUN_AS" ] && as=(runuser -u "$RUN_AS" --)
  "${as[@]}" bash -c 'set -a; . "$0"; set +a; exec "$1/.venv/bin/tongban" "${@:2}"' \
    "$ENV_FILE" "$PREFIX" "$@"
}

if [ "$backup" = 1 ]; then tb backup "$BACKUP_DIR/$(date -u +%Y%m%dT%H%M%SZ)"; fi
if [ "$spec" != "-" ]; then "$PREFIX/.venv/bin/pip" install --quiet --upgrade "$spec"; fi
if tb migrate --check >/dev/null 2>&1; then
  echo "upgrade: no migrations to apply"
elif [ "$migrate" = 1 ]; then
  tb migrate --noinput
else
  echo "upgrade: migrations are pending; run with --migrate on one server first" >&2
  exit 1
fi
tb collectstatic --noinput >/dev/null
"$PREFIX/.venv/bin/python" -m tongban.core.i18n_compile >/dev/null
# The web server. Preloaded (GUNICORN_PRELOAD, on by default: deploy/gunicorn.conf.py) the master
# holds the code and HUP would restart the workers on the old code, so the service is restarted:
# in-flight requests finish (graceful_timeout), then the new master loads and warms (a few seconds
# without answers on this server: with several servers, run this on one at a time, out of the
# load balancer). Not preloaded, HUP starts workers on the new code while the old ones finish
# their requests, without a gap.
preload=$(bash -c 'set -a; . "$0"; set +a; echo "${GUNICORN_PRELOAD:-1}"' "$ENV_FILE")
case "${preload,,}" in
  0 | false | no | off) $SYSTEMCTL reload tongban-web.service ;;
  *) $SYSTEMCTL restart tongban-web.service ;;
esac
$SYSTEMCTL restart tongban-worker.service tongban-scheduler.service
for _ in $(seq 30); do
  if curl -fsS "$HEALTH_URL" >/dev/null 2>&1; then echo "upgrade: healthy"; exit 0; fi
  sleep 1
done
echo "upgrade: $HEALTH_URL does not answer" >&2
exit 1
