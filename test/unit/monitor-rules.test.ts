import { describe, expect, it } from 'vitest'
import { baselineMonitor, breachesOf } from '../../agents/monitor/baseline'
import { thresholdsSchema, type HealthCheck } from '../../agents/monitor/schema'
import { appSchema, environmentSchema } from '../../shared/config/deploy'
import { tightened, thresholdsOf } from '../../shared/deploy/monitor/watch'
import { parsePrometheusText } from '../../shared/deploy/monitor/prometheus-text'
import { quantileMs, successRate, trafficDelta, trafficOf } from '../../shared/deploy/monitor/traffic'
import { routeOf } from '../../shared/deploy/edge/route'
import { emptyEnvironment, type Release } from '../../shared/deploy/model'
import type { DeployTarget } from '../../shared/deploy/deps'

const ok: HealthCheck = { at: '2026-12-03T10:00:00Z', up: true, requests: 120, successRate: 1, p95Ms: 40, p99Ms: 80, cpu: 0.1, memory: 0.2 }
const quiet: HealthCheck = { ...ok, requests: 0, successRate: null, p95Ms: null, p99Ms: null }

const target = (monitor: Record<string, unknown> = {}): DeployTarget => ({
  repo: 'web',
  environment: 'staging',
  app: appSchema.parse({}),
  config: environmentSchema.parse({ port: 18080, monitor }),
})

describe('monitor rules', () => {
  it('a quiet interval is judged by the health endpoint alone, and says so', () => {
    const t = thresholdsOf(target())
    expect(breachesOf(quiet, t)).toEqual([])
    const r = baselineMonitor({ thresholds: t, checks: [quiet] })
    expect(r.status).toBe('healthy')
    expect(r.recommendations.join(' ')).toMatch(/no requests in the interval/)
  })

  it('min_requests makes a quiet interval a failed check (Flagger: no data fails)', () => {
    const t = thresholdsOf(target({ min_requests: 10, failed_checks: 2 }))
    expect(t.minRequests).toBe(10)
    expect(breachesOf(quiet, t)).toEqual(['0 request(s) < 10 in the interval'])
    expect(breachesOf({ ...ok, requests: 9 }, t)).toEqual(['9 request(s) < 10 in the interval'])
    expect(breachesOf(ok, t)).toEqual([])
    expect(baselineMonitor({ thresholds: t, checks: [ok, quiet, quiet] }).action).toBe('rollback')
  })

  it('the deploy decision tightens cicd.yml and never loosens it', () => {
    const t = target({ interval: '10s', healthy_checks: 5, failed_checks: 3 })
    expect(tightened(t, undefined)).toEqual({ thresholds: thresholdsOf(t), intervalMs: 10_000 })
    const strict = tightened(t, { intervalSeconds: 4, healthyChecks: 8, failedChecks: 1 })
    expect(strict.intervalMs).toBe(4000)
    expect(strict.thresholds).toMatchObject({ healthyChecksToPromote: 8, failedChecksToRollback: 1 })
    const loose = tightened(t, { intervalSeconds: 60, healthyChecks: 1, failedChecks: 20 })
    expect(loose.intervalMs).toBe(10_000)
    expect(loose.thresholds).toMatchObject({ healthyChecksToPromote: 5, failedChecksToRollback: 3 })
  })

  it('thresholds default to Flagger and seed 004', () => {
    expect(thresholdsSchema.parse({})).toMatchObject({ minSuccessRate: 0.99, maxP99Ms: 500, healthyChecksToPromote: 5, failedChecksToRollback: 3 })
  })
})

describe('app metrics', () => {
  const text = (ok200: number, err500: number, buckets: Record<string, number>) =>
    [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      `http_requests_total{code="200",path="/"} ${ok200}`,
      `http_requests_total{code="500",path="/"} ${err500}`,
      ...Object.entries(buckets).map(([le, n]) => `http_request_duration_seconds_bucket{le="${le}"} ${n}`),
      'garbage line without a value',
    ].join('\n')

  it('parses the text format, labels with escapes, and skips what is not a sample', () => {
    const s = parsePrometheusText('a_total{msg="say \\"hi\\"\\n",x="1"} 3 1700000000\n# comment\nb +Inf\nc NaN\n')
    expect(s).toEqual([
      { name: 'a_total', labels: { msg: 'say "hi"\n', x: '1' }, value: 3 },
      { name: 'b', labels: {}, value: Infinity },
    ])
  })

  it('success rate and p99 over the interval come from counter deltas', () => {
    const before = trafficOf(parsePrometheusText(text(100, 0, { '0.05': 90, '0.1': 100, '0.5': 100, '+Inf': 100 })))
    const now = trafficOf(parsePrometheusText(text(190, 10, { '0.05': 100, '0.1': 120, '0.5': 200, '+Inf': 200 })))
    const d = trafficDelta(now, before)
    expect(d.requests).toBe(100)
    expect(successRate(d)).toBeCloseTo(0.9)
    // 100 requests: 10 under 50 ms, 10 in (50, 100], 80 in (100, 500]: p99 interpolates to 495 ms
    expect(quantileMs(d, 0.99)).toBeCloseTo(495)
    expect(quantileMs(d, 0.1)).toBeCloseTo(50)
    // a restarted app (counters went down) counts whole
    expect(trafficDelta(before, now).requests).toBe(100)
  })
})

describe('proxy weights', () => {
  const rel = (version: string, n: number, slot0: number): Release => ({
    version,
    commit: 'c',
    runId: 'r',
    strategy: 'canary',
    deployedAt: 't',
    containers: Array.from({ length: n }, (_, i) => ({ id: `${version}${i}`, name: `${version}${i}`, addr: '10.0.0.1', port: 8080, slot: slot0 + i })),
  })

  it('a canary weight splits the traffic in proportion, the standby gets none', () => {
    const s = emptyEnvironment('web', 'production', '127.0.0.1', 18081, '/health')
    s.live = rel('v2', 3, 1)
    s.candidate = rel('v3', 1, 4)
    s.canaryWeight = 10
    s.standby = rel('v1', 1, 5)
    const r = routeOf(s)
    const share = (prefix: string) => r.servers.filter((x) => s[prefix as 'live']?.containers.some((c) => c.slot === x.slot)).reduce((a, x) => a + x.weight, 0)
    const total = r.servers.reduce((a, x) => a + x.weight, 0)
    expect(share('candidate') / total).toBeCloseTo(0.1, 1)
    expect(share('live') / total).toBeCloseTo(0.9, 1)
    expect(share('standby')).toBe(0)
  })
})
