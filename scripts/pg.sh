#!/usr/bin/env bash
# A throw-away PostgreSQL for the test suite, on a private port and socket.
# initdb refuses to run as root, so as root the server runs as the "postgres" user.
#
#   scripts/pg.sh run -- CMD...   → a fresh server in its own mktemp directory on a free port,
#                                   CMD runs with DATABASE_URL pointing at it, and the server is
#                                   stopped and its directory removed when CMD ends — on failure
#                                   and on Ctrl-C too. CMD's exit status is the script's.
#                                   Two runs on one host never share a directory or a port.
#   scripts/pg.sh start DIR [PORT] → server up on 127.0.0.1:PORT (default: a free port, printed)
#   scripts/pg.sh stop DIR
set -euo pipefail
action=${1:-}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL 未安装（apt-get install postgresql）" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  # the kernel hands out a port nobody listens on; the start below retries if another run
  # takes it between this moment and the server's bind
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {  # DIR PORT → 0 when the server is up
  local dir=$1 port=$2
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
}

init() {  # DIR
  local dir=$1
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
}

start_on_free_port() {  # DIR [PORT] → prints the port
  local dir=$1 port=${2:-} tries=0
  while :; do
    local p=${port:-$(free_port)}
    if start "$dir" "$p"; then echo "$p"; return 0; fi
    tries=$((tries + 1))
    if [ -n "$port" ] || [ $tries -ge 5 ]; then
      echo "测试数据库无法启动（端口 $p），见 $dir/server.log" >&2
      tail -n 20 "$dir/server.log" >&2 || true
      return 1
    fi
  done
}

stop() {  # DIR
  local dir=$1
  if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}

case $action in
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { echo "usage: $0 run -- CMD..." >&2; exit 2; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/liangxin-test-pg.XXXXXX")
    trap 'stop "$dir"' EXIT
    trap 'exit 130' INT TERM
    init "$dir"
    port=$(start_on_free_port "$dir")
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres liangxin  # for manage.py and bench/ runs
    status=0
    DATABASE_URL="postgres://postgres@127.0.0.1:$port/liangxin" "$@" || status=$?
    exit $status
    ;;
  start)
    dir=$2
    rm -rf "$dir"
    init "$dir"
    port=$(start_on_free_port "$dir" "${3:-}")
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres liangxin
    echo "$port"
    ;;
  stop)
    stop "$2"
    ;;
  *) echo "usage: $0 run -- CMD... | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
