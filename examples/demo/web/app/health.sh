#!/bin/sh
# GET /health/ (busybox httpd redirects /health there)
# Liveness: the process answers. (Errors and slowness show in /metrics, as in real apps.)
printf 'Content-Type: application/json\r\n\r\n'
echo "{\"status\":\"ok\",\"version\":\"${APP_VERSION:-dev}\"}"
