import type { HealthCheck, MonitorFacts, MonitorResult, Thresholds } from './schema'

/** The thresholds a check breaks (empty: healthy). */
export function breachesOf(c: HealthCheck, t: Thresholds): string[] {
  const out: string[] = []
  if (!c.up) out.push('health endpoint down')
  if (t.minRequests && (c.requests ?? 0) < t.minRequests) out.push(`${c.requests ?? 0} request(s) < ${t.minRequests} in the interval`)
  if (c.successRate !== null && c.successRate < t.minSuccessRate) out.push(`success rate ${(c.successRate * 100).toFixed(2)}% < ${(t.minSuccessRate * 100).toFixed(2)}%`)
  if (c.p99Ms !== null && c.p99Ms > t.maxP99Ms) out.push(`p99 ${Math.round(c.p99Ms)} ms > ${t.maxP99Ms} ms`)
  if (t.maxP95Ms !== undefined && c.p95Ms !== null && c.p95Ms > t.maxP95Ms) out.push(`p95 ${Math.round(c.p95Ms)} ms > ${t.maxP95Ms} ms`)
  if (c.cpu !== null && c.cpu > t.maxCpu) out.push(`cpu ${(c.cpu * 100).toFixed(0)}% > ${(t.maxCpu * 100).toFixed(0)}%`)
  if (c.memory !== null && c.memory > t.maxMemory) out.push(`memory ${(c.memory * 100).toFixed(0)}% > ${(t.maxMemory * 100).toFixed(0)}%`)
  return out
}

/** Within 80% of a threshold: still healthy by the numbers, but worth a look. */
function nearLimits(c: HealthCheck, t: Thresholds): string[] {
  const out: string[] = []
  if (c.p99Ms !== null && c.p99Ms > 0.8 * t.maxP99Ms) out.push(`p99 ${Math.round(c.p99Ms)} ms is near ${t.maxP99Ms} ms`)
  if (c.cpu !== null && c.cpu > 0.8 * t.maxCpu) out.push(`cpu ${(c.cpu * 100).toFixed(0)}% is near its limit`)
  if (c.memory !== null && c.memory > 0.8 * t.maxMemory) out.push(`memory ${(c.memory * 100).toFixed(0)}% is near its limit`)
  return out
}

export function baselineMonitor({ thresholds: t, checks }: MonitorFacts): MonitorResult {
  let consecutiveHealthy = 0
  let consecutiveFailed = 0
  for (const c of checks) {
    if (breachesOf(c, t).length === 0) {
      consecutiveHealthy++
      consecutiveFailed = 0
    } else {
      consecutiveFailed++
      consecutiveHealthy = 0
    }
  }
  const last = checks[checks.length - 1]
  const breaches = last ? breachesOf(last, t) : []
  const near = last ? nearLimits(last, t) : []
  // A quiet interval: nothing to measure success rate and latency on (not a breach unless minRequests says so).
  const quiet = last && last.requests === 0 && !t.minRequests ? ['no requests in the interval: success rate and latency not measured, the health endpoint judged it'] : []
  const status: MonitorResult['status'] = breaches.length ? 'failing' : near.length ? 'degraded' : 'healthy'
  const action: MonitorResult['action'] =
    consecutiveFailed >= t.failedChecksToRollback ? 'rollback' : consecutiveHealthy >= t.healthyChecksToPromote ? 'promote' : 'continue'
  const reasons = [
    last ? `${checks.length} check(s); latest ${status}${breaches.length ? `: ${breaches.join(', ')}` : ''}` : 'no checks yet',
    `${consecutiveHealthy} consecutive healthy (promote at ${t.healthyChecksToPromote}), ${consecutiveFailed} consecutive failed (roll back at ${t.failedChecksToRollback})`,
  ]
  return { status, consecutiveHealthy, consecutiveFailed, action, breaches, recommendations: [...near, ...quiet], reasons }
}
