import { latestFailedRun, pullHead, rerunFailedJobs } from '../../github/actions-client'
import type { CommandOf } from '../messages'
import { executed, refused, type HandlerContext, type Outcome } from './outcome'

/**
 * Re-runs the failed jobs of a workflow run (`POST …/actions/runs/{id}/rerun-failed-jobs`); given
 * only a pull request, the newest failed run of its head commit.
 */
export async function handleRerun(cmd: CommandOf<'rerun'>, { github, target }: HandlerContext): Promise<Outcome> {
  let runId = cmd.run_id
  if (runId === undefined) {
    const pr = cmd.pr_number as number // the schema requires run_id or pr_number
    const head = await pullHead(github, target.owner, target.name, pr)
    const run = await latestFailedRun(github, target.owner, target.name, head.sha)
    if (!run) return refused(`no failed workflow run on the head ${head.sha.slice(0, 7)} of PR #${pr}`)
    runId = run.id
  }
  await rerunFailedJobs(github, target.owner, target.name, runId)
  return executed(`re-ran the failed jobs of workflow run ${runId}`)
}
