import { requiredChecksVerdict } from '../check-status'
import { checksForRef, mergePull, pullState } from '../github-checks'
import type { CommandOf } from '../messages'
import { executed, refused, type HandlerContext, type Outcome } from './outcome'

/**
 * Merges a pull request only when the repository allows it (checked before, by the allow-list)
 * and every required check (check runs and commit statuses) passed on its head commit right now; the merge names that commit, so
 * a push after the check makes GitHub refuse it.
 */
export async function handleMerge(cmd: CommandOf<'merge'>, { github, target }: HandlerContext): Promise<Outcome> {
  const { owner, name } = target
  const pr = await pullState(github, owner, name, cmd.pr_number)
  if (pr.merged) return executed(`PR #${cmd.pr_number} is already merged`)
  if (pr.state !== 'open') return refused(`PR #${cmd.pr_number} is ${pr.state}`)
  if (pr.draft) return refused(`PR #${cmd.pr_number} is a draft`)
  if (cmd.sha && cmd.sha !== pr.sha) return refused(`the head of PR #${cmd.pr_number} moved: the command is for ${cmd.sha.slice(0, 7)}, the head is ${pr.sha.slice(0, 7)}`)
  const verdict = requiredChecksVerdict(await checksForRef(github, owner, name, pr.sha, 'latest'), target.repo.coordination.required_checks)
  if (!verdict.ok) return refused(`not merged: ${verdict.reason} on ${pr.sha.slice(0, 7)}`)
  const merged = await mergePull(github, owner, name, cmd.pr_number, pr.sha, cmd.merge_method ?? target.repo.coordination.merge_method)
  return executed(`merged PR #${cmd.pr_number} (${verdict.passed.length} required check(s) passed) as ${merged.sha.slice(0, 7)}`)
}
