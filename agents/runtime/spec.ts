import type { z } from 'zod'
import type { AgentName } from '../../shared/config/schema'

export interface Guarded<D> {
  decision: D
  /** One line per change the guardrails made to the model's answer. */
  clamped: string[]
}

/** What an agent brings to the runtime: its schema, instructions, and the policy it enforces. */
export interface AgentSpec<F, D> {
  agent: AgentName
  schema: z.ZodType<D>
  /** What the model must return, when looser than `schema` (the guard then makes it a decision). */
  modelSchema?: z.ZodType<D>
  instructions: string
  /**
   * Facts the system computed (trusted), as the model should see them. The baseline is shown
   * next to them: what it already says need not be repeated here.
   */
  facts(f: F, baseline: D): unknown
  /** Text from repositories, logs or people (untrusted): fenced as data, never instructions. */
  untrusted?(f: F): string | undefined
  /** Policy the model cannot break: clamps a candidate decision against the baseline and facts. */
  guard(candidate: D, baseline: D, facts: F): Guarded<D>
  reasonsOf(d: D): string[]
}
