import { healerAgent, type HealerAgent, type HealerDecision } from '../../agents/healer/schema'
import type { CorrectionKind, RemediationRecord, RoutingCorrection } from './record'

const AGENTS = healerAgent.options

/**
 * The agent a person's `/healer fix <hint>` names, if it names exactly one that exists
 * (`rex`, `blaze`, `bolt`, `atlas`, any case, `@bolt` too). With several, a directive wins
 * (`to bolt`, `for bolt`, `@bolt`, `agent: bolt`); otherwise the hint names none.
 */
export function agentNamedIn(hint: string | undefined): HealerAgent | undefined {
  if (!hint) return undefined
  const text = hint.toLowerCase()
  const named = AGENTS.filter((a) => new RegExp(`(^|[^a-z0-9_-])@?${a}(?![a-z0-9_-])`).test(text))
  if (named.length === 1) return named[0]
  const directed = AGENTS.filter((a) => new RegExp(`(?:\\b(?:to|for)\\s+@?|@|\\bagent\\s*[:=]\\s*)${a}(?![a-z0-9_-])`).test(text))
  return directed.length === 1 ? directed[0] : undefined
}

/** The decision re-routed to `to` (the category and failure type stay the classifier's finding). */
export function rerouted(d: HealerDecision, to: HealerAgent, why: string): HealerDecision {
  return { ...d, agent: to, reasons: [...d.reasons, why] }
}

export function correction(from: HealerAgent, to: HealerAgent, by: CorrectionKind, at: Date = new Date()): RoutingCorrection {
  return { from, to, by, at: at.toISOString() }
}

/** The agent a remediation was first routed to. */
export function originalAgentOf(r: RemediationRecord): HealerAgent {
  return r.originalAgent ?? r.corrections?.[0]?.from ?? r.decision.agent
}

/**
 * A remediation's re-routings. Records written before they were kept: an attempt by another agent
 * than the decision's was an escalation.
 */
export function correctionsOf(r: RemediationRecord): RoutingCorrection[] {
  if (r.corrections) return r.corrections
  for (const a of r.attempts) {
    const to = healerAgent.safeParse(a.agent)
    if (to.success && to.data !== r.decision.agent) return [{ from: r.decision.agent, to: to.data, by: 'escalation', at: a.at }]
  }
  return []
}
