#!/bin/sh
# The app: answers "<version>" and records each request (status, milliseconds) for /metrics.
start=$(cut -d' ' -f1 /proc/uptime)
status=200
body="hello from ${APP_VERSION:-dev}"
case "${APP_MODE:-ok}" in
  error) status=500; body="error from ${APP_VERSION:-dev}" ;;
  slow) sleep "${APP_SLOW_SECONDS:-1}" ;;
esac
end=$(cut -d' ' -f1 /proc/uptime)
ms=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "$status $ms" >> /tmp/requests.log
# Header lines end in CRLF (strict HTTP clients reject bare LF).
[ "$status" = 200 ] && printf 'Status: 200 OK\r\n' || printf 'Status: %s Internal Server Error\r\n' "$status"
printf 'Content-Type: text/plain\r\nX-App-Version: %s\r\n\r\n' "${APP_VERSION:-dev}"
echo "$body"
