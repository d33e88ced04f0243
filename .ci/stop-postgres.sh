#!/usr/bin/env bash
# Stop the server started by start-postgres.sh.
dir=$(cat /tmp/flx-pg.dir 2>/dev/null) || exit 0
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
else
  "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
fi
rm -rf "$dir" /tmp/flx-pg.dir
