import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HealerAgent } from '../../agents/healer/schema'
import type { RemediationRecord } from './record'

const TEMPLATE_OF: Record<HealerAgent, string> = { rex: 'rust-fix.hbs', blaze: 'frontend-fix.hbs', bolt: 'infra-fix.hbs', atlas: 'github-fix.hbs' }

/** prompts/ci/ beside the product (CICD_PROMPTS_DIR to use your own templates). */
export function promptsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CICD_PROMPTS_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prompts/ci')
}

/** A fenced block that the text cannot close early, whatever backticks it holds. */
export function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const f = '`'.repeat(longest + 1)
  return `${f}text\n${text}\n${f}`
}

/** Replaces `{{name}}` placeholders; an unknown placeholder is an error (a typo in a template). */
export function renderTemplate(template: string, values: Record<string, string>, file = 'template'): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    const v = values[name]
    if (v === undefined) throw new Error(`${file}: unknown placeholder {{${name}}} (known: ${Object.keys(values).join(', ')})`)
    return v
  })
}

/**
 * Seed 001's branch strategy (`healer.fix_branch`), as the agent is told it: push to the failing
 * branch (`same`), or to a new branch with a pull request against the failing one (`new`).
 */
export function fixInstruction(r: Pick<RemediationRecord, 'branch' | 'fixBranch'>): { strategy: 'same' | 'new'; branch: string; text: string } {
  if (r.fixBranch === r.branch) return { strategy: 'same', branch: r.branch, text: `Push the fix as a new commit to ${r.branch} (the failing branch); say in the commit message what failed and why the change fixes it.` }
  // records written before fix_branch existed were told to open a pull request
  const onto = r.fixBranch ? `a new branch \`${r.fixBranch}\`` : 'a new branch'
  return { strategy: 'new', branch: r.fixBranch ?? r.branch, text: `Push the fix to ${onto} and open a pull request against ${r.branch} that says what failed and why the change fixes it.` }
}

/** The specialist's prompt for one remediation, from its template (seed 001's four). */
export function remediationPrompt(r: RemediationRecord, agent: HealerAgent = r.decision.agent, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(promptsDir(env), TEMPLATE_OF[agent])
  const fix = fixInstruction(r)
  return renderTemplate(
    readFileSync(file, 'utf8'),
    {
      repo: r.repo,
      workflow_name: r.workflow,
      job_name: r.job ?? '(unknown job)',
      branch: r.branch,
      commit_sha: r.commit,
      run_url: r.jobUrl ?? `https://github.com/${r.repo}/actions/runs/${r.runId}`,
      category: r.decision.category,
      failure_type: r.decision.failureType,
      evidence: r.decision.evidence.length ? fence(r.decision.evidence.join('\n')) : '(none found)',
      logs: fence(r.logTail || '(no log)'),
      hint: r.hint ? fence(r.hint) : '(none)',
      fix_strategy: fix.strategy,
      fix_branch: fix.branch,
      fix_instruction: fix.text,
      previous_attempts: previousAttempts(r),
    },
    file,
  )
}

/** What was tried before (the agent should not repeat a fix that did not work); no sink output: it is untrusted. */
function previousAttempts(r: RemediationRecord): string {
  const failed = r.attempts.filter((a) => a.outcome === 'failed-fix')
  if (failed.length === 0) return '(none: this is the first attempt)'
  return failed
    .map((a) => `- ${a.agent}'s fix did not work: ${a.failure ? `\`${a.failure.workflow}\` failed again at ${a.failure.commit.slice(0, 12)} (run ${a.failure.runId}, attempt ${a.failure.attempt})` : 'the workflow failed again'}`)
    .join('\n')
}
