import { z } from 'zod'
import type { AgentSpec } from '../runtime/decide'
import { cleanLog, failingStepText } from './log'
import { AGENT_OF, CATEGORY_OF_TYPE, healerDecisionSchema, type HealerDecision, type HealerFacts } from './schema'

/** Lines of the failing step the model sees (the log is untrusted text). */
const LOG_LINES_FOR_MODEL = 80

/**
 * HealerAgent for the model runtime. The routing matrix is fixed (a category always goes to its
 * specialist), the failure type must belong to the category, and evidence must be lines that
 * really are in the log.
 */
export const healerAgentSpec: AgentSpec<HealerFacts, HealerDecision> = {
  agent: 'healer',
  schema: healerDecisionSchema,
  // the model may name any agent: the guard routes by the fixed matrix instead of rejecting
  modelSchema: z.object(healerDecisionSchema.shape) as unknown as z.ZodType<HealerDecision>,
  instructions:
    'You are the HealerAgent of a CI/CD server. From a failed CI job, find the ROOT cause (not the first error-looking line, not the workflow name) and classify it: rust, frontend, infra, github (permissions, secrets, rate limits, runners, workflow files) or unknown, with the failure type and the log lines that prove it.',
  facts: (f) => ({ workflow: f.workflow, job: f.job, step: f.step, changedFiles: f.changedFiles?.slice(0, 100) }),
  untrusted: (f) => failingStepText(cleanLog(f.log, f.step ? { step: f.step } : {})).split('\n').slice(-LOG_LINES_FOR_MODEL).join('\n'),
  guard: (c, b, facts) => {
    const clamped: string[] = []
    if (CATEGORY_OF_TYPE[c.failureType] !== c.category) throw new Error(`failure type ${c.failureType} is not a ${c.category} failure`)
    const d: HealerDecision = { ...c }
    if (d.agent !== AGENT_OF[d.category]) {
      clamped.push(`${d.category} goes to ${AGENT_OF[d.category]}, not ${d.agent}`)
      d.agent = AGENT_OF[d.category]
    }
    const text = cleanLog(facts.log).lines.map((l) => l.text).join('\n')
    const real = d.evidence.filter((e) => e.trim().length > 0 && text.includes(e.trim()))
    if (real.length < d.evidence.length) clamped.push(`dropped ${d.evidence.length - real.length} evidence line(s) that are not in the log`)
    d.evidence = real.length ? real : b.evidence
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
