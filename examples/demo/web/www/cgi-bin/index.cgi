#!/bin/sh
# busybox httpd runs this for every directory request: route by path.
case "$REQUEST_URI" in
  /health/*|/health/) exec /app/health.sh ;;
  /metrics/*|/metrics/) exec /app/metrics.sh ;;
  *) exec /app/hello.sh ;;
esac
