/**
 * `cicd watch`: the CI watcher alone, in this process (seed 000's ci_watcher): polls the open pull
 * requests of the repositories in cicd.yml that name `github:`, whether or not
 * `coordination.watcher.enabled` is set for the server.
 */
import { parseArgs } from 'node:util'
import { parseDurationMs } from '../shared/config/duration'
import { loadConfig } from '../shared/config/load'
import type { CicdConfig } from '../shared/config/schema'
import type { WatchReport } from '../shared/coordination/watcher'
import { coordinatorFromEnv, watcherFromEnv } from '../shared/coordination/wiring'
import { connectRedis } from './coordination-redis'

export const WATCH_HELP = `cicd watch [--once] [--interval 60s] [--coordinator] [--json]
        poll GitHub (GITHUB_TOKEN, GITHUB_API_URL) for the checks of open PRs of the repos in cicd.yml;
        changes go to ci:events, flaky reruns to ci:rerun; --coordinator also executes queued commands here
`

function printReport(r: WatchReport, json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify(r)}\n`)
  const at = new Date().toISOString().slice(11, 19)
  for (const p of r.published) process.stdout.write(`${at} ${p.type} ${p.repo}#${p.pr}\n`)
  for (const x of r.reruns) process.stdout.write(`${at} rerun #${x.rerun} of ${x.repo}#${x.pr}: workflow run(s) ${x.runIds.join(', ')} queued\n`)
  for (const x of r.smoke) process.stdout.write(`${at} smoke requested for ${x.repo}#${x.pr} (${x.trigger})\n`)
  for (const x of r.capped) process.stdout.write(`${at} ${x.repo}#${x.pr}: no more automatic reruns (${x.reruns} done)\n`)
  for (const e of r.errors) process.stderr.write(`${at} ${e.repo}${e.pr ? `#${e.pr}` : ''}: ${e.message}\n`)
}

export async function watchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { once: { type: 'boolean', default: false }, interval: { type: 'string' }, coordinator: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  })
  const config: () => CicdConfig = () => loadConfig().config
  const intervalMs = values.interval ? parseDurationMs(values.interval) : config().coordination.watcher.interval
  if (intervalMs === null) {
    process.stderr.write(`cicd watch: --interval: "${values.interval}" is not a duration like 30, "30s" or "5m"\n`)
    return 2
  }
  const redis = await connectRedis()
  const watcher = watcherFromEnv({ redis, config })
  const coordinator = values.coordinator ? coordinatorFromEnv({ redis, config }) : null
  if (watcher.targets().length === 0) {
    redis.disconnect()
    process.stderr.write('cicd watch: no repository to watch: give one in cicd.yml a "github: owner/name" (and coordination.watch: true)\n')
    return 1
  }
  let stopping = false
  let wake: () => void = () => undefined
  const stop = () => {
    stopping = true
    wake()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    if (!values.json) process.stderr.write(`watching ${watcher.targets().map((t) => t.fullName).join(', ')}${values.once ? '' : ` every ${Math.round(intervalMs / 1000)} s (Ctrl-C to stop)`}\n`)
    do {
      // --once always polls; the loop polls when no other instance did within the interval
      const report = values.once || (await watcher.state.takeTick(intervalMs, watcher.deps.instance)) ? await watcher.pollOnce() : null
      if (report) printReport(report, values.json)
      if (values.once && report && !values.json) process.stdout.write(`${report.pulls} open PR(s) in ${report.repos} repo(s): ${report.published.length} change(s), ${report.reruns.length} rerun(s), ${report.errors.length} error(s)\n`)
      if (coordinator) {
        const d = await coordinator.drainOnce({ budgetMs: Math.min(intervalMs, 10_000) })
        if (d.executed || d.refused || d.failed || d.rejected) process.stdout.write(`coordinator: ${JSON.stringify(d)}\n`)
      }
      if (values.once) return report && report.errors.length ? 1 : 0
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs)
        wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    } while (!stopping)
    return 0
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    redis.disconnect()
  }
}
