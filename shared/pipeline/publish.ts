import type { KeyValueState } from '../runs/store'
import { recordTimeline } from '../runs/timeline'

type Emit = (event: { topic: string; data: unknown }) => Promise<void>

/**
 * Emits a pipeline event and, once the queue has accepted it, notes it on the run's timeline
 * (GET /api/cicd/runs/:id shows which events a run produced, and when).
 */
export async function publish(emit: Emit, state: KeyValueState, topic: string, data: { runId: string; success?: boolean; stage?: string; reason?: string }): Promise<void> {
  await emit({ topic, data })
  await recordTimeline(state, data.runId, {
    topic,
    at: new Date().toISOString(),
    ...(data.success !== undefined ? { success: data.success } : {}),
    ...(data.stage ? { stage: data.stage } : {}),
    ...(data.reason ? { reason: data.reason.slice(0, 300) } : {}),
  })
}
