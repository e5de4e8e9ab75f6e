import type { HealerAgent, HealerDecision } from '../../agents/healer/schema'

/** Why a remediation's agent changed after the first routing (the classifier's baseline). */
export type CorrectionKind = 'escalation' | 'llm' | 'human'

export interface RoutingCorrection {
  from: HealerAgent
  to: HealerAgent
  by: CorrectionKind
  at: string
}

/** The last step of the escalation: a person is asked, on the pull request when there is one. */
export interface HumanHandOff {
  at: string
  label: string
  /** The pull request labelled and commented on; absent when the failure belongs to none. */
  pull?: number
  labelled: boolean
  /** The comment's URL, when it was posted. */
  comment?: string
  /** What happened at each step (or why it did not). */
  detail: string[]
}

export interface RemediationRecord {
  name: string
  repo: string
  runId: number | string
  attempt: number
  branch: string
  commit: string
  workflow: string
  job?: string
  jobUrl?: string
  decision: HealerDecision
  /** Whether the model refined the classifier's answer (`llm`) or not, and why a model answer was rejected. */
  source?: 'llm' | 'heuristic'
  rejected?: string
  /** The failing step's last lines (for the specialist's prompt); untrusted text. */
  logTail: string
  /** From `/healer fix <hint>`; untrusted. */
  hint?: string
  /**
   * The pull request the failure belongs to (from the payload, or looked up by commit when a
   * comment is due); null when GitHub says there is none open.
   */
  pull?: number | null
  /** The agent the classifier routed it to first; `decision.agent` is where it is routed now. */
  originalAgent?: HealerAgent
  /** Every re-routing after the first: the model's refinement, a person's `/healer fix <agent>`, escalation. */
  corrections?: RoutingCorrection[]
  human?: HumanHandOff
  /** What could not be checked on the way (e.g. the commit message for `[skip-healer]`). */
  warnings?: string[]
  status: 'dispatched' | 'delivered' | 'escalated' | 'needs-human' | 'fixed'
  /** One entry per delivery attempt through the sinks. */
  attempts: Array<{ at: string; agent: string; results: Array<{ sink: string; ok: boolean; detail: string }> }>
  createdAt: string
  fixedAt?: string
}
