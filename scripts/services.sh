#!/usr/bin/env bash
# Starts what the product and its tests need, on private ports and sockets, and stops only what
# it started.
#   scripts/services.sh up   <state-dir> <redis-port>  → prints REDIS_URL=... and DOCKER_HOST=... lines
#   scripts/services.sh down <state-dir>
# Redis: Debian's redis-server on 127.0.0.1:<redis-port> (reused if something answers there).
# Docker: $DOCKER_HOST or /var/run/docker.sock if an engine answers; else our own dockerd on
# <state-dir>/docker.sock. Missing Debian packages are installed when running as root.
set -euo pipefail
cmd=${1:?usage: services.sh up|down <state-dir> [redis-port]}
state=${2:?state dir}
mkdir -p "$state"
state=$(cd "$state" && pwd)
log() { echo "[services] $*" >&2; }

ping_docker() { # $1 = unix socket path
  [ -S "$1" ] && curl -sf --max-time 2 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1
}

ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v busybox >/dev/null || missing+=(busybox-static)
  command -v git >/dev/null || missing+=(git)
  command -v curl >/dev/null || missing+=(curl)
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "missing packages: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})"
  fi
}

up() {
  local port=${3:-6390}
  ensure_packages
  # Redis
  if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
    log "redis already answers on 127.0.0.1:$port: reusing it"
  elif command -v redis-server >/dev/null; then
    mkdir -p "$state/redis"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$state/redis" --appendonly yes --save '' \
      --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis.log"
    for _ in $(seq 1 50); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || { log "redis did not start: see $state/redis.log"; exit 1; }
    echo "$(cat "$state/redis.pid")" > "$state/redis.started"
    log "started redis on 127.0.0.1:$port (data in $state/redis)"
  else
    log "no redis-server: install it (apt-get install redis-server)"; exit 1
  fi
  echo "REDIS_URL=redis://127.0.0.1:$port"

  # Docker engine (optional for the product; the tests need one)
  local sock=""
  if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" == unix://* ]] && ping_docker "${DOCKER_HOST#unix://}"; then
    sock=${DOCKER_HOST#unix://}; log "using the Docker engine at $DOCKER_HOST"
  elif ping_docker /var/run/docker.sock; then
    sock=/var/run/docker.sock; log "using the Docker engine at /var/run/docker.sock"
  elif ping_docker "$state/docker.sock"; then
    sock=$state/docker.sock; log "reusing our Docker engine at $sock"
  elif command -v dockerd >/dev/null; then
    local bridge_args=()
    if ip link show docker0 >/dev/null 2>&1 && ! [ -f "$state/dockerd.started" ]; then
      # another engine owns docker0: give ours its own bridge so neither disturbs the other
      ip link show cicd0 >/dev/null 2>&1 || { ip link add cicd0 type bridge && ip addr add 172.31.251.1/24 dev cicd0 && ip link set cicd0 up; } || true
      ip link show cicd0 >/dev/null 2>&1 && bridge_args=(--bridge=cicd0)
    fi
    mkdir -p "$state/docker-data" "$state/docker-exec"
    dockerd --data-root "$state/docker-data" --exec-root "$state/docker-exec" --pidfile "$state/dockerd.pid" \
      -H "unix://$state/docker.sock" "${bridge_args[@]}" >"$state/dockerd.log" 2>&1 &
    for _ in $(seq 1 120); do ping_docker "$state/docker.sock" && break; sleep 0.25; done
    if ping_docker "$state/docker.sock"; then
      sock=$state/docker.sock; cat "$state/dockerd.pid" > "$state/dockerd.started"
      log "started dockerd on unix://$sock"
    else
      log "dockerd did not start (see $state/dockerd.log): Docker builds fall back to local commands"
    fi
  else
    log "no Docker engine and no dockerd: Docker builds fall back to local commands"
  fi
  [ -n "$sock" ] && echo "DOCKER_HOST=unix://$sock"
  return 0
}

down() {
  for svc in dockerd redis; do
    if [ -f "$state/$svc.started" ]; then
      local pid; pid=$(cat "$state/$svc.started")
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        log "stopped $svc (pid $pid)"
      fi
      rm -f "$state/$svc.started"
    fi
  done
}

case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  *) echo "usage: services.sh up|down <state-dir> [redis-port]" >&2; exit 2 ;;
esac
