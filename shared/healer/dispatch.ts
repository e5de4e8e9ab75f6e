import type { HealerConfig } from '../config/schema'
import type { HealerAgent } from '../../agents/healer/schema'
import type { RemediationRecord } from './intake'
import { remediationPrompt } from './prompt'
import { deliver, type SinkDeps } from './sinks'

/**
 * Delivers a remediation through every configured sink, with the escalation seed 001 leaves open
 * answered in config: each agent gets `retry_limit` attempts (an attempt succeeds when every sink
 * accepts it); then the specialist's work goes to Atlas; when Atlas's attempts fail too the
 * remediation needs a human (`human_label`). With no sinks configured the remediation is only
 * recorded (status `dispatched`). Returns the updated record.
 */
export async function dispatchRemediation(r: RemediationRecord, cfg: HealerConfig, deps: SinkDeps): Promise<RemediationRecord> {
  if (cfg.sinks.length === 0) return r
  const chain: HealerAgent[] = r.decision.agent === 'atlas' ? ['atlas'] : [r.decision.agent, 'atlas']
  const out: RemediationRecord = { ...r, attempts: [...r.attempts] }
  for (const agent of chain) {
    const prompt = remediationPrompt(out, agent)
    for (let i = 0; i < cfg.retry_limit; i++) {
      const results = await Promise.all(cfg.sinks.map((s) => deliver(s, out, agent, prompt, deps)))
      out.attempts.push({ at: new Date().toISOString(), agent, results })
      if (results.every((x) => x.ok)) {
        out.status = agent === r.decision.agent ? 'delivered' : 'escalated'
        return out
      }
    }
  }
  out.status = 'needs-human'
  return out
}
