import os from 'node:os'
import type { CronConfig, FlowContext } from 'motia'
import { pruneIntakes } from '../../shared/healer/intake-record'
import { TOPICS } from '../../shared/pipeline/events'
import { publish } from '../../shared/pipeline/publish'
import { reaperSettings, reapStuckRuns, recordReaperPass } from '../../shared/runs/reaper'
import { RunStore } from '../../shared/runs/store'
import { pruneRuns } from '../../shared/runs/retention'
import { counterArchive, currentConfig } from '../../shared/server/services'

export const config: CronConfig = {
  type: 'cron',
  name: 'RunReaper',
  description: 'Marks runs failed, with the reason, whose stage stalled past its timeout (an instance died and nothing took it over) or whose event was lost; deletes Healer intake records older than healer.intake_retention and ended runs older than defaults.run_retention (their counters archived)',
  // Once a minute across all instances (each pass is a child process: about a CPU-second).
  cron: process.env.CICD_REAPER_CRON || '0 * * * * *',
  emits: [TOPICS.failureDetected],
  flows: ['cicd-ops'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (ctx: FlowContext<Emit>) => {
  const at = new Date().toISOString()
  const cfg = currentConfig()
  const result = await reapStuckRuns(new RunStore(ctx.state), cfg, reaperSettings())
  for (const r of result.reaped) {
    ctx.logger.warn('run reaped', { runId: r.runId, stage: r.stage, reason: r.reason })
    if (r.failure) await publish(ctx.emit, ctx.state, TOPICS.failureDetected, r.failure)
  }
  try {
    const pruned = await pruneIntakes(ctx.state, cfg.healer.intake_retention)
    if (pruned) ctx.logger.info('healer intake records pruned', { pruned, retentionMs: cfg.healer.intake_retention })
  } catch (err) {
    ctx.logger.warn('healer intake records not pruned this pass', { error: err instanceof Error ? err.message : String(err) })
  }
  try {
    const runs = await pruneRuns(ctx.state, counterArchive(), cfg.defaults.run_retention)
    if (runs.pruned) ctx.logger.info('ended runs pruned, their counters archived', { ...runs, retentionMs: cfg.defaults.run_retention })
  } catch (err) {
    ctx.logger.warn('runs not pruned this pass', { error: err instanceof Error ? err.message : String(err) })
  }
  await recordReaperPass(ctx.state, {
    at,
    instance: process.env.CICD_INSTANCE_ID || `${os.hostname()}:${process.env.PORT ?? ''}`,
    checked: result.checked,
    reaped: result.reaped.map((r) => r.runId),
  })
}
