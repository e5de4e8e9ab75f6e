import type { HealerConfig } from '../config/schema'
import type { HealerAgent } from '../../agents/healer/schema'
import { handToHuman } from './human'
import { remediationPrompt } from './prompt'
import { pullOfRemediation } from './pull-target'
import type { RemediationLedger } from './dedup'
import { recordKey, type RemediationRecord } from './record'
import { correction, correctionsOf, originalAgentOf } from './routing'
import { deliver, type SinkDeps } from './sinks'

/** Seed 001's escalation path: the specialist, then Atlas (Atlas alone when it was Atlas's to begin with). */
export const chainOf = (first: HealerAgent): HealerAgent[] => (first === 'atlas' ? ['atlas'] : [first, 'atlas'])

/**
 * Where the next attempt goes: the first agent of the chain with fewer than `retryLimit` attempts
 * (refused deliveries and fixes that failed alike) since a person last routed the remediation
 * (`/healer fix <agent>` starts the count again); undefined when every agent has used its attempts.
 */
export function nextAgent(r: RemediationRecord, retryLimit: number): HealerAgent | undefined {
  const since = correctionsOf(r).filter((c) => c.by === 'human').at(-1)?.at ?? ''
  const used = (agent: HealerAgent) => r.attempts.filter((a) => a.agent === agent && a.at >= since).length
  return chainOf(r.decision.agent).find((agent) => used(agent) < retryLimit)
}

/**
 * Delivers a remediation's next attempt through every configured sink, with the escalation seed
 * 001 leaves open answered in config: each agent gets `retry_limit` attempts, an attempt being
 * refused when a sink does not accept it (the next one follows at once) or failing when a new
 * failure of the same workflow shows its fix did not work (`failed-fix.ts` records that and
 * dispatches again); then the specialist's work goes to Atlas (a routing correction, counted for
 * the agent it was first routed to); when Atlas's attempts fail too the remediation needs a
 * person: the `human_label` goes on its pull request with a comment (or a comment on the commit
 * when there is no pull request), recorded in `human`. With no sinks configured the remediation
 * is only recorded (status `dispatched`). Returns the updated record.
 */
export async function dispatchRemediation(r: RemediationRecord, cfg: HealerConfig, deps: SinkDeps): Promise<RemediationRecord> {
  if (cfg.sinks.length === 0) return r
  const first = r.decision.agent
  const out: RemediationRecord = { ...r, attempts: [...r.attempts], originalAgent: originalAgentOf(r), corrections: [...correctionsOf(r)] }
  // the pull request is looked up once, not per comment
  if (out.pull === undefined && cfg.sinks.some((s) => s.type === 'comment')) {
    const target = await pullOfRemediation(deps.github, out)
    if ('pull' in target) out.pull = target.pull
  }
  for (let agent = nextAgent(out, cfg.retry_limit); agent; agent = nextAgent(out, cfg.retry_limit)) {
    const to = agent
    if (to !== first && !out.corrections?.some((c) => c.by === 'escalation' && c.from === first && c.to === to)) out.corrections?.push(correction(first, to, 'escalation'))
    const prompt = remediationPrompt(out, to)
    const results = await Promise.all(cfg.sinks.map((s) => deliver(s, out, to, prompt, deps)))
    const accepted = results.every((x) => x.ok)
    out.attempts.push({ at: new Date().toISOString(), agent: to, results, outcome: accepted ? 'dispatched' : 'refused' })
    if (accepted) {
      out.status = to === first ? 'delivered' : 'escalated'
      return out
    }
  }
  out.status = 'needs-human'
  out.human = await handToHuman(out, cfg.human_label, deps.github)
  if (out.human.pull !== undefined) out.pull = out.human.pull
  return out
}

/**
 * The dispatcher's step of the lifecycle: delivers the next attempt, then tells the ledger. A
 * delivery holds the branch for another `active_ttl` (an escalation restarts the clock); a
 * hand-off to a person ends the remediation, so the branch is free once `branch_window` has
 * passed. A ledger that cannot be reached loses nothing: the marker expires with its TTL
 * (returned as `ledgerError`).
 */
export async function dispatchAndSettle(r: RemediationRecord, cfg: HealerConfig, deps: SinkDeps & { ledger: RemediationLedger }): Promise<{ record: RemediationRecord; ledgerError?: string }> {
  const record = await dispatchRemediation(r, cfg, deps)
  try {
    if (record.status === 'needs-human') await deps.ledger.finish(record, recordKey(record))
    else if (record.status === 'delivered' || record.status === 'escalated') await deps.ledger.renew(record, recordKey(record), cfg.active_ttl)
    return { record }
  } catch (err) {
    return { record, ledgerError: err instanceof Error ? err.message : String(err) }
  }
}
