#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the storage tests; prints the URL to use.
# Installs Debian's postgresql package when the server binaries are missing.
set -euo pipefail
port=${PGPORT_TEST:-55432}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql (Debian package)" >&2
  if ! { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } >&2; then
    echo "could not install postgresql" >&2
    exit 1
  fi
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/flx-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  run_as=(runuser -u postgres --)
fi
"${run_as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres flx_test
echo "$dir" > /tmp/flx-pg.dir
echo "postgresql://postgres@127.0.0.1:$port/flx_test"
