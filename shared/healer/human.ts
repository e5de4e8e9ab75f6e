import type { Octokit } from '@octokit/rest'
import { commentOnCommit, commentOnPull, labelPull } from '../github/pull-requests'
import { pullOfRemediation } from './pull-target'
import { outcomeOf, type HumanHandOff, type RemediationRecord } from './record'

const firstLine = (err: unknown) => (err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err))

/** `2 refused by a sink, 1 fix failed` */
function outcomes(r: RemediationRecord): string {
  const n = { refused: 0, 'failed-fix': 0 }
  for (const a of r.attempts) {
    const o = outcomeOf(a)
    if (o === 'refused' || o === 'failed-fix') n[o]++
  }
  return [n.refused ? `${n.refused} refused by a sink` : '', n['failed-fix'] ? `${n['failed-fix']} fix(es) did not work` : ''].filter(Boolean).join(', ')
}

/** What the person is told (no log text or sink output: those are untrusted or may be long). */
function handOffText(r: RemediationRecord, label: string, labelled: boolean): string {
  const agents = [...new Set(r.attempts.map((a) => a.agent))]
  return [
    `**Healer** could not get this CI failure remediated and hands it to a person${labelled ? ` (label \`${label}\`)` : ''}.`,
    '',
    `- failure: ${r.decision.category} / ${r.decision.failureType} in \`${r.workflow}\`${r.job ? ` / \`${r.job}\`` : ''} on \`${r.branch}\` at ${r.commit.slice(0, 12)}`,
    `- tried: ${agents.join(' → ') || '(nobody)'}, ${r.attempts.length} attempt(s): ${outcomes(r) || 'none'}`,
    `- remediation: \`${r.name}\``,
  ].join('\n')
}

/**
 * The last step of the escalation (specialist → Atlas → a person): the `human_label` on the pull
 * request the failure belongs to (`POST /repos/{o}/{r}/issues/{n}/labels`) and a comment there,
 * or on the commit when it belongs to none (a label needs a pull request). Never throws: what
 * happened is recorded.
 */
export async function handToHuman(r: RemediationRecord, label: string, gh: Octokit, at: Date = new Date()): Promise<HumanHandOff> {
  const [owner, repo] = r.repo.split('/') as [string, string]
  const detail: string[] = []
  const target = await pullOfRemediation(gh, r)
  const pull = 'pull' in target ? target.pull : null
  if ('error' in target) detail.push(`pull request lookup failed: ${target.error}`)
  let labelled = false
  if (pull !== null) {
    try {
      await labelPull(gh, owner, repo, pull, label)
      labelled = true
      detail.push(`labelled pull #${pull} ${label}`)
    } catch (err) {
      detail.push(`label ${label} on pull #${pull} failed: ${firstLine(err)}`)
    }
  } else if ('pull' in target) detail.push(`no open pull request for ${r.commit.slice(0, 12)}: label ${label} not applied`)
  let comment: string | undefined
  try {
    comment = pull !== null ? await commentOnPull(gh, owner, repo, pull, handOffText(r, label, labelled)) : await commentOnCommit(gh, owner, repo, r.commit, handOffText(r, label, labelled))
    detail.push(`commented on ${pull !== null ? `pull #${pull}` : `commit ${r.commit.slice(0, 12)}`}`)
  } catch (err) {
    detail.push(`comment failed: ${firstLine(err)}`)
  }
  return { at: at.toISOString(), label, ...(pull !== null ? { pull } : {}), labelled, ...(comment ? { comment } : {}), detail }
}
