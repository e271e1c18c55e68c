#!/usr/bin/env bash
# Run a command against a throwaway local PostgreSQL: installed with apt-get when missing,
# started with pg_ctl in a temporary directory on a free loopback port, removed afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ]; then
  echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
  "$here/install-debian.sh" postgresql
fi
BIN=$(pg_bin)
[ -x "$BIN/pg_ctl" ] || { echo "with-postgres: pg_ctl not found" >&2; exit 1; }

dir=$(mktemp -d /tmp/tongban-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
chmod 700 "$dir"

cleanup() {
  as_pg "'$BIN/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_pg "'$BIN/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_pg "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-h 127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null" \
  || { cat "$dir/server.log" >&2; exit 1; }
"$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres tongban
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/tongban"
export TONGBAN_DATA_DIR="$dir/var"
"$@"
