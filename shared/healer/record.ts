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

/**
 * What became of one attempt: `refused` (a sink did not accept the delivery), `dispatched` (every
 * sink accepted it; the agent is working), then `failed-fix` (a new failure of the same workflow
 * on the branch after it: the fix did not work) or `fixed` (the same workflow passed after it).
 */
export type AttemptOutcome = 'dispatched' | 'refused' | 'failed-fix' | 'fixed'

export interface RemediationAttempt {
  at: string
  agent: string
  results: Array<{ sink: string; ok: boolean; detail: string }>
  /** Absent on records written before outcomes were kept: see `outcomeOf`. */
  outcome?: AttemptOutcome
  /** When the outcome became failed-fix or fixed. */
  settledAt?: string
  /** The failure that showed the fix did not work. */
  failure?: { runId: number | string; attempt: number; commit: string; workflow: string; job?: string; url?: string }
}

export interface RemediationRecord {
  /** Seed 001's `coderun_name` (`healer-ci-rex-abc12345`): what answers and sinks call it; not unique per failure. */
  name: string
  /** The storage key, unique per failure (name, run id and attempt); the name on records written before ids. */
  id?: string
  /** Where the fix goes (`healer.fix_branch`): the failing branch, or a new branch (`healer/…`) with a pull request against it. */
  fixBranch?: string
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
  /** `dispatched`: waiting for (re)delivery; `delivered`/`escalated`: with the specialist/Atlas; then `fixed` or `needs-human`. */
  status: 'dispatched' | 'delivered' | 'escalated' | 'needs-human' | 'fixed'
  /** One entry per attempt (a delivery to an agent), with its outcome. */
  attempts: RemediationAttempt[]
  createdAt: string
  fixedAt?: string
}

/** A record's storage key. */
export const recordKey = (r: Pick<RemediationRecord, 'id' | 'name'>): string => r.id ?? r.name

/** An attempt's outcome; records written before outcomes were kept: accepted by every sink → dispatched, else refused. */
export function outcomeOf(a: RemediationAttempt): AttemptOutcome {
  return a.outcome ?? (a.results.every((x) => x.ok) ? 'dispatched' : 'refused')
}
