import { decide, type ModelRuntime } from '../runtime/decide'
import type { AgentDecision } from '../runtime/envelope'
import { baselineMonitor } from './baseline'
import { monitorResultSchema, type MonitorFacts, type MonitorResult } from './schema'
import { monitorAgentSpec } from './spec'

export type { MonitorFacts, MonitorResult, HealthCheck, Thresholds } from './schema'
export { thresholdsSchema } from './schema'

/** MonitorAgent: healthy / degraded / failing and continue / promote / rollback, with reasons. */
export function decideMonitor(facts: MonitorFacts, runtime?: ModelRuntime): Promise<AgentDecision<MonitorResult>> {
  return decide(monitorAgentSpec, facts, monitorResultSchema.parse(baselineMonitor(facts)), runtime)
}
