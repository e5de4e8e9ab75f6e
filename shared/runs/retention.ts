import { counterSeries, type CounterArchive } from '../metrics/archive'
import { renderMetrics } from '../metrics/prometheus'
import type { RunRecord } from './model'
import { RUNS_GROUP, type KeyValueState } from './store'
import { timelineGroup, type TimelineEntry } from './timeline'

/** Most runs one pass deletes: a backlog (a first pass on a years-old store) drains over several passes. */
export const PRUNE_BATCH = 500

/**
 * Deletes runs that ended (succeeded or failed) before `now - retentionMs`, with their timelines.
 * What each added to the counters on /metrics goes to `archive` first, once per run, so a
 * crash between the two steps, or two instances pruning at once, counts nothing twice.
 * Queued and running runs stay whatever their age (the reaper ends stalled ones).
 */
export async function pruneRuns(state: KeyValueState, archive: CounterArchive, retentionMs: number, now: Date = new Date()): Promise<{ pruned: number; left: number }> {
  const before = now.getTime() - retentionMs
  const old = (await state.getGroup<RunRecord>(RUNS_GROUP)).filter((r) => r && typeof r.id === 'string' && (r.status === 'succeeded' || r.status === 'failed') && Date.parse(r.finishedAt ?? r.updatedAt) < before)
  const batch = old.slice(0, PRUNE_BATCH)
  for (const run of batch) {
    await archive.add(run.id, counterSeries(renderMetrics([run], [], now)))
    for (const e of await state.getGroup<TimelineEntry>(timelineGroup(run.id))) if (e && typeof e.topic === 'string') await state.delete(timelineGroup(run.id), e.topic)
    await state.delete(RUNS_GROUP, run.id)
  }
  return { pruned: batch.length, left: old.length - batch.length }
}
