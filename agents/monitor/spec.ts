import type { PromptSpec } from '../runtime/prompt'
import { codedReasons, type ReasonRule } from '../runtime/prompt-reasons'
import type { MonitorFacts, MonitorResult } from './schema'
import { monitorResultSchema } from './schema'

/**
 * The breaches and near-limit notes of baseline.ts name a metric of the latest check with its
 * value and limit, which FACTS already show (the last row of checks, the thresholds): the model
 * gets the metric's name, as in the checks' columns.
 */
const BREACHES: ReasonRule[] = [
  { re: /^health endpoint down$/, code: () => 'up' },
  { re: /^\d+ request\(s\) < \d+ in the interval$/, code: () => 'requests' },
  { re: /^success rate \d+\.\d\d% < \d+\.\d\d%$/, code: () => 'successRate' },
  { re: /^p99 \d+ ms > [\d.e+]+ ms$/, code: () => 'p99Ms' },
  { re: /^p95 \d+ ms > [\d.e+]+ ms$/, code: () => 'p95Ms' },
  { re: /^cpu \d+% > \d+%$/, code: () => 'cpu' },
  { re: /^memory \d+% > \d+%$/, code: () => 'memory' },
]
const NEAR: ReasonRule[] = [
  { re: /^p99 \d+ ms is near [\d.e+]+ ms$/, code: () => 'p99Ms' },
  { re: /^cpu \d+% is near its limit$/, code: () => 'cpu' },
  { re: /^memory \d+% is near its limit$/, code: () => 'memory' },
  { re: /^no requests in the interval: /, code: () => 'noTraffic' },
]
/** Both reasons of baseline.ts restate the status, the breaches and the streaks. */
const REASONS: ReasonRule[] = [
  { re: /^\d+ check\(s\); latest (?:healthy|degraded|failing)(?:: .*)?$/, code: () => null },
  { re: /^\d+ consecutive healthy \(promote at \d+\), \d+ consecutive failed \(roll back at \d+\)$/, code: () => null },
]

const STATUS_ORDER = ['healthy', 'degraded', 'failing'] as const

/**
 * MonitorAgent for the model runtime. The counts and breaches are computed, not asked; the model
 * cannot report a better status than the numbers, promote before the healthy-check threshold,
 * or keep a version the thresholds say to roll back. It may roll back earlier (stricter).
 */
export const monitorAgentSpec: PromptSpec<MonitorFacts, MonitorResult> = {
  agent: 'monitor',
  schema: monitorResultSchema,
  instructions:
    'You are the MonitorAgent of a CI/CD server. Judge the health of a new deployment from its checks against the thresholds; recommend actions. BASELINE breaches and nearLimit name the metrics (columns of checks) of the latest check beyond, or within 20% of, their thresholds; consecutiveHealthy and consecutiveFailed count the latest checks in a row without and with a breach. Write recommendations and reasons as plain sentences.',
  facts: (f) => f,
  baselineForPrompt: (b) => {
    const reasons = codedReasons(b.reasons, REASONS)
    return {
      status: b.status,
      consecutiveHealthy: b.consecutiveHealthy,
      consecutiveFailed: b.consecutiveFailed,
      action: b.action,
      breaches: codedReasons(b.breaches, BREACHES),
      nearLimit: codedReasons(b.recommendations, NEAR),
      ...(reasons.length ? { reasons } : {}),
    }
  },
  guard: (c, b) => {
    const clamped: string[] = []
    const d: MonitorResult = { ...c, consecutiveHealthy: b.consecutiveHealthy, consecutiveFailed: b.consecutiveFailed, breaches: b.breaches }
    if (STATUS_ORDER.indexOf(d.status) < STATUS_ORDER.indexOf(b.status)) {
      clamped.push(`status ${b.status}: the thresholds say so`)
      d.status = b.status
    }
    if (b.action === 'rollback' && d.action !== 'rollback') clamped.push('rollback: the failed-check threshold is reached')
    else if (d.action === 'promote' && b.action !== 'promote') clamped.push(`no promotion: only ${b.consecutiveHealthy} consecutive healthy check(s)`)
    d.action = b.action === 'rollback' || d.action === 'rollback' ? 'rollback' : d.action === 'promote' && b.action !== 'promote' ? b.action : d.action
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
