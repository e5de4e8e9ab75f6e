import type { z } from 'zod'
import type { AgentName } from '../../shared/config/schema'

/**
 * Why a model call gave no usable object: errors as values with a kind, never thrown. `timeout`
 * also covers no free slot within the budget; `unknown`: an error the client does not recognise
 * (never retried).
 */
export type ModelFailureKind = 'timeout' | 'transport' | 'invalid_json' | 'schema' | 'unavailable' | 'unknown'

export interface ModelUsage {
  prompt: number
  completion: number
}

/**
 * `latencyMs`: the model call's own time (every attempt, retries' pauses included), without the
 * wait for a slot; `waitMs`: that wait.
 */
export type ModelResult<T> =
  | { ok: true; object: T; usage: ModelUsage; latencyMs: number; waitMs: number; model: string }
  | { ok: false; kind: ModelFailureKind; message: string; latencyMs: number; waitMs: number; model: string; usage?: ModelUsage }

export interface ModelRequest<T> {
  agent: AgentName
  schema: z.ZodType<T>
  /** The agent's instructions (trusted). */
  system: string
  /** The facts and the baseline, with untrusted text fenced as data. */
  prompt: string
}

/** The one seam between agents and a language model. */
export interface ModelClient {
  /** The endpoint, for messages. */
  readonly endpoint: string
  generate<T>(req: ModelRequest<T>): Promise<ModelResult<T>>
}
