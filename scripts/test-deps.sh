#!/usr/bin/env bash
# Installs what `make test` needs when it is missing, and makes sure a Redis
# answers at PASSERELLE_TEST_REDIS (default redis://127.0.0.1:6379/15). When
# none does, it starts one on a free port and writes .test-env so the tests
# use it. Nothing here is needed by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f .test-env

need=()
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v serdi >/dev/null || need+=(serdi)
command -v redis-server >/dev/null || need+=(redis-server)
command -v node >/dev/null || need+=(nodejs npm)
[ -x /usr/bin/chromium ] || need+=(chromium) # the admin pages' browser test (chromedp)
command -v ogrinfo >/dev/null || need+=(gdal-bin)
env -u PYTHONPATH /usr/bin/python3 -c 'import owslib' 2>/dev/null || need+=(python3-owslib)
env -u PYTHONPATH /usr/bin/python3 -c 'import rdflib' 2>/dev/null || need+=(python3-rdflib)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-deps: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

url=${PASSERELLE_TEST_REDIS:-redis://127.0.0.1:6379/15}
hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}
if redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; then
  exit 0
fi
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$free" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
for _ in $(seq 50); do
  redis-cli -p "$free" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
echo "test-deps: no Redis at $url; started one on 127.0.0.1:$free (pid file $dir/redis.pid)"
printf 'export PASSERELLE_TEST_REDIS=redis://127.0.0.1:%s/15\nexport PASSERELLE_TEST_REDIS_PIDFILE=%s\n' "$free" "$dir/redis.pid" > .test-env
