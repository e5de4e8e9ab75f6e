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

/** The specialist's prompt for one remediation, from its template (seed 001's four). */
export function remediationPrompt(r: RemediationRecord, agent: HealerAgent = r.decision.agent, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(promptsDir(env), TEMPLATE_OF[agent])
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
    },
    file,
  )
}
