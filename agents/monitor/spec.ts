import type { AgentSpec } from '../runtime/decide'
import type { MonitorFacts, MonitorResult } from './schema'
import { monitorResultSchema } from './schema'

const STATUS_ORDER = ['healthy', 'degraded', 'failing'] as const

/**
 * MonitorAgent for the model runtime. The counts and breaches are computed, not asked; the model
 * cannot report a better status than the numbers, promote before the healthy-check threshold,
 * or keep a version the thresholds say to roll back. It may roll back earlier (stricter).
 */
export const monitorAgentSpec: AgentSpec<MonitorFacts, MonitorResult> = {
  agent: 'monitor',
  schema: monitorResultSchema,
  instructions: 'You are the MonitorAgent of a CI/CD server. Judge the health of a new deployment from its checks against the thresholds; recommend actions.',
  facts: (f) => f,
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
