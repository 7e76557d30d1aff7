# tests/cli/lib/pg.sh - sourced by CLI tests that need a PostgreSQL server: pg_start
# creates a throwaway cluster (initdb in a temporary directory, trust authentication,
# superuser "cpts"), listening only on a Unix socket in that directory
# (listen_addresses = ''), started as the current user or, when root (initdb refuses
# root), as user nobody; pg_stop stops it and removes the directory. Sets PGDIR and
# PGHOSTDIR; pg_dsn DB prints the "PG:..." connection string. pg_available says why
# not when the binaries are missing.
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PGDIR=""
pg_available() {
  for b in initdb pg_ctl postgres; do
    [ -x "$PGBIN/$b" ] || { echo "PostgreSQL binaries not installed ($PGBIN/$b missing)"; return 1; }
  done
  command -v psql > /dev/null || { echo "psql not installed"; return 1; }
  [ -f "/usr/share/postgresql/15/extension/postgis.control" ] ||
    { echo "PostGIS not installed (postgresql-15-postgis-3)"; return 1; }
  return 0
}
pg_as() { # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
pg_start() {
  PGDIR=$(mktemp -d /tmp/cpts_pg.XXXXXX) || return 1
  chmod 755 "$PGDIR"
  mkdir "$PGDIR/data" "$PGDIR/sock"
  [ "$(id -u)" = 0 ] && chown nobody "$PGDIR/data" "$PGDIR/sock"
  pg_as "$PGBIN/initdb" -D "$PGDIR/data" -U cpts -A trust -E UTF8 --locale=C.UTF-8 \
    > "$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log"; return 1; }
  pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/sock/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR/sock' -c fsync=off" \
    start > /dev/null 2>&1 || { cat "$PGDIR/sock/server.log"; return 1; }
  PGHOSTDIR="$PGDIR/sock"
}
pg_stop() {
  [ -n "$PGDIR" ] || return 0
  pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop > /dev/null 2>&1
  rm -rf "$PGDIR"
  PGDIR=""
}
pg_psql() { # db, sql...
  db="$1"; shift
  psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOSTDIR" -U cpts -d "$db" "$@"
}
pg_dsn() { echo "PG:host=$PGHOSTDIR dbname=$1 user=cpts"; }
