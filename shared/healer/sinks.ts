import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Octokit } from '@octokit/rest'
import type { HealerSink } from '../config/schema'
import type { Executor } from '../executors/types'
import { commentOnCommit, commentOnPull } from '../github/pull-requests'
import { fixInstruction } from './prompt'
import { pullOfRemediation } from './pull-target'
import { recordKey, type RemediationRecord } from './record'

export interface SinkResult {
  sink: string
  ok: boolean
  detail: string
}

export interface SinkDeps {
  github: Octokit
  local: Executor
  secrets: string[]
}

/** Delivers one remediation (its prompt for `agent`) through one sink. Never throws. */
export async function deliver(sink: HealerSink, r: RemediationRecord, agent: string, prompt: string, deps: SinkDeps): Promise<SinkResult> {
  const fix = fixInstruction(r)
  try {
    switch (sink.type) {
      case 'http': {
        const res = await fetch(sink.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sink.headers },
          body: JSON.stringify({ coderun_name: r.name, remediation_id: recordKey(r), attempt: r.attempts.length + 1, agent, category: r.decision.category, failure_type: r.decision.failureType, repo: r.repo, branch: r.branch, commit: r.commit, run_id: r.runId, fix_strategy: fix.strategy, fix_branch: fix.branch, prompt }),
          signal: AbortSignal.timeout(15_000),
        })
        return { sink: `http ${new URL(sink.url).host}`, ok: res.ok, detail: `HTTP ${res.status}` }
      }
      case 'command': {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'cicd-healer-'))
        try {
          const file = path.join(dir, 'prompt.md')
          await writeFile(file, prompt)
          const res = await deps.local.run({
            command: sink.command,
            cwd: dir,
            timeoutMs: sink.timeout,
            maxLogBytes: 16_384,
            secrets: deps.secrets,
            env: { CICD_PROMPT_FILE: file, CICD_AGENT: agent, CICD_REPO: r.repo, CICD_BRANCH: r.branch, CICD_COMMIT: r.commit, CICD_CODERUN: r.name, CICD_REMEDIATION_ID: recordKey(r), CICD_FIX_STRATEGY: fix.strategy, CICD_FIX_BRANCH: fix.branch },
          })
          const ok = res.exitCode === 0
          return { sink: 'command', ok, detail: ok ? 'exit code 0' : (res.error ?? (res.timedOut ? 'timed out' : `exit code ${res.exitCode}: ${res.log.slice(-300)}`)) }
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
      case 'comment': {
        // on the pull request the failure belongs to, else on the commit
        const [owner, repo] = r.repo.split('/') as [string, string]
        const body = `**Healer** routed this CI failure to **${agent}** (${r.decision.category} / ${r.decision.failureType}, confidence ${r.decision.confidence.toFixed(2)}).\n\n${prompt}`
        const target = await pullOfRemediation(deps.github, r)
        if ('pull' in target && target.pull !== null) return { sink: 'comment', ok: true, detail: `pull #${target.pull}: ${await commentOnPull(deps.github, owner, repo, target.pull, body)}` }
        const url = await commentOnCommit(deps.github, owner, repo, r.commit, body)
        return { sink: 'comment', ok: true, detail: `commit ${r.commit.slice(0, 12)}${'error' in target ? ` (pull request lookup failed: ${target.error})` : ''}: ${url}` }
      }
    }
  } catch (err) {
    return { sink: sink.type, ok: false, detail: err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err) }
  }
}
