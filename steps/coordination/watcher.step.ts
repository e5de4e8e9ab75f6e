import type { CronConfig, FlowContext } from 'motia'
import { watcherFromEnv } from '../../shared/coordination/wiring'

export const config: CronConfig = {
  type: 'cron',
  name: 'CiWatcher',
  description: 'Seed 000: polls open PRs of the watched repos (coordination.watcher, at most once per interval across instances); changes to ci:events, flaky reruns to ci:rerun',
  cron: '*/15 * * * * *',
  emits: ['ci.command.queued'],
  flows: ['cicd-coordination'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (ctx: FlowContext<Emit>) => {
  const report = await watcherFromEnv().tick()
  if (!report) return // disabled, or another instance polled within the interval
  if (report.reruns.length) await ctx.emit({ topic: 'ci.command.queued', data: { queue: 'ci:rerun' } })
  const { published, reruns, smoke, errors } = report
  if (published.length || reruns.length || smoke.length || errors.length) ctx.logger.info('ci watcher', { pulls: report.pulls, published, reruns, smoke, errors })
}
