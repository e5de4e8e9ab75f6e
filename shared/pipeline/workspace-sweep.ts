import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { removeWorkspace } from '../git/workspace'
import type { RunRecord } from '../runs/model'

export interface SweepOptions {
  /** A workspace touched more recently than this is left alone (ms, default 60 s). */
  minAgeMs?: number
  /** At most this many workspaces are looked at per sweep (default 50). */
  limit?: number
  now?: number
}

const ENDED = new Set(['succeeded', 'failed'])

/**
 * Removes the workspaces under `root` whose runs have ended. With several instances a run's
 * build and test stages can run on different instances: the one that ran only the build never
 * sees the run end, so its checkout would stay. Each instance sweeps its own root after a stage.
 * Only directories named like run ids whose run is known and ended are removed; a run the store
 * does not know (another Redis, a deleted record) keeps its directory.
 */
export async function sweepEndedWorkspaces(root: string, getRun: (id: string) => Promise<RunRecord | null>, opts: SweepOptions = {}): Promise<string[]> {
  const minAge = opts.minAgeMs ?? 60_000
  const now = opts.now ?? Date.now()
  let names: string[]
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && /^[A-Za-z0-9_-]+$/.test(d.name)).map((d) => d.name)
  } catch {
    return [] // no workspaces yet
  }
  const aged: Array<{ name: string; age: number }> = []
  for (const name of names) {
    const s = await stat(path.join(root, name)).catch(() => undefined)
    if (s && now - s.mtimeMs >= minAge) aged.push({ name, age: now - s.mtimeMs })
  }
  aged.sort((a, b) => b.age - a.age) // oldest first
  const removed: string[] = []
  for (const { name } of aged.slice(0, opts.limit ?? 50)) {
    const run = await getRun(name).catch(() => null)
    if (!run || !ENDED.has(run.status)) continue
    await removeWorkspace(root, name).catch(() => undefined)
    removed.push(name)
  }
  return removed
}
