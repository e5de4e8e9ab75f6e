import type { z } from 'zod'
import type { AgentName } from '../../shared/config/schema'

/** Why a model call gave no usable object: errors as values with a kind, never thrown. */
export type ModelFailureKind = 'timeout' | 'transport' | 'invalid_json' | 'schema' | 'unavailable'

export interface ModelUsage {
  prompt: number
  completion: number
}

export type ModelResult<T> =
  | { ok: true; object: T; usage: ModelUsage; latencyMs: number; model: string }
  | { ok: false; kind: ModelFailureKind; message: string; latencyMs: number; model: string; usage?: ModelUsage }

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
