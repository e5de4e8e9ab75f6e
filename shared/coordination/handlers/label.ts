import { addLabels, removeLabel } from '../github-checks'
import type { CommandOf } from '../messages'
import { executed, type HandlerContext, type Outcome } from './outcome'

/** Adds or removes labels on a pull request; both are idempotent on GitHub's side too. */
export async function handleLabel(cmd: CommandOf<'label'>, { github, target }: HandlerContext): Promise<Outcome> {
  if (cmd.action === 'remove') {
    for (const label of cmd.labels) await removeLabel(github, target.owner, target.name, cmd.pr_number, label)
    return executed(`removed ${cmd.labels.join(', ')} from PR #${cmd.pr_number}`)
  }
  const now = await addLabels(github, target.owner, target.name, cmd.pr_number, cmd.labels)
  return executed(`added ${cmd.labels.join(', ')} to PR #${cmd.pr_number} (labels now: ${now.join(', ')})`)
}
