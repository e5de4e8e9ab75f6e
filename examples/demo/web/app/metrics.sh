#!/bin/sh
# Prometheus text format from the request log: counts by status and a latency histogram.
printf 'Content-Type: text/plain; version=0.0.4\r\n\r\n'
touch /tmp/requests.log
awk -v version="${APP_VERSION:-dev}" '
  BEGIN { n = split("5 10 25 50 100 250 500 1000 2500 5000", le, " ") }
  { codes[$1]++; total++; sum += $2 / 1000; for (i = 1; i <= n; i++) if ($2 <= le[i]) bucket[i]++ }
  END {
    print "# HELP http_requests_total Requests answered, by status code."
    print "# TYPE http_requests_total counter"
    for (c in codes) printf "http_requests_total{code=\"%s\",version=\"%s\"} %d\n", c, version, codes[c]
    print "# HELP http_request_duration_seconds Request latency."
    print "# TYPE http_request_duration_seconds histogram"
    for (i = 1; i <= n; i++) printf "http_request_duration_seconds_bucket{le=\"%g\"} %d\n", le[i] / 1000, bucket[i]
    printf "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", total
    printf "http_request_duration_seconds_sum %g\n", sum
    printf "http_request_duration_seconds_count %d\n", total
  }' /tmp/requests.log
