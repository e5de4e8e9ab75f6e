import type { HealerConfig } from '../config/schema'
import type { HealerAgent } from '../../agents/healer/schema'
import { handToHuman } from './human'
import { remediationPrompt } from './prompt'
import { pullOfRemediation } from './pull-target'
import type { RemediationRecord } from './record'
import { correction, correctionsOf, originalAgentOf } from './routing'
import { deliver, type SinkDeps } from './sinks'

/**
 * Delivers a remediation through every configured sink, with the escalation seed 001 leaves open
 * answered in config: each agent gets `retry_limit` attempts (an attempt succeeds when every sink
 * accepts it); then the specialist's work goes to Atlas (a routing correction, counted for the
 * agent it was first routed to); when Atlas's attempts fail too the remediation needs a person: the
 * `human_label` goes on its pull request with a comment (or a comment on the commit when there is
 * no pull request), recorded in `human`. With no sinks configured the remediation is only recorded
 * (status `dispatched`). Returns the updated record.
 */
export async function dispatchRemediation(r: RemediationRecord, cfg: HealerConfig, deps: SinkDeps): Promise<RemediationRecord> {
  if (cfg.sinks.length === 0) return r
  const first = r.decision.agent
  const chain: HealerAgent[] = first === 'atlas' ? ['atlas'] : [first, 'atlas']
  const out: RemediationRecord = { ...r, attempts: [...r.attempts], originalAgent: originalAgentOf(r), corrections: [...correctionsOf(r)] }
  // the pull request is looked up once, not per comment
  if (out.pull === undefined && cfg.sinks.some((s) => s.type === 'comment')) {
    const target = await pullOfRemediation(deps.github, out)
    if ('pull' in target) out.pull = target.pull
  }
  for (const agent of chain) {
    if (agent !== first) out.corrections?.push(correction(first, agent, 'escalation'))
    const prompt = remediationPrompt(out, agent)
    for (let i = 0; i < cfg.retry_limit; i++) {
      const results = await Promise.all(cfg.sinks.map((s) => deliver(s, out, agent, prompt, deps)))
      out.attempts.push({ at: new Date().toISOString(), agent, results })
      if (results.every((x) => x.ok)) {
        out.status = agent === first ? 'delivered' : 'escalated'
        return out
      }
    }
  }
  out.status = 'needs-human'
  out.human = await handToHuman(out, cfg.human_label, deps.github)
  if (out.human.pull !== undefined) out.pull = out.human.pull
  return out
}
