import { LABEL, listManaged, removeContainer } from './containers'
import type { DeployDeps } from './deps'
import { noteEvent, type EnvironmentState } from './model'
import type { DeployTarget } from './deps'
import { removeAll, startContainers } from './release'

/**
 * A deploy that never finished: the instance running it stopped (its environment lock ran out,
 * which a live deployer keeps refreshing). Whatever it started goes, the version that served
 * before it serves again, and the environment is free for the next deploy. Returns what was
 * done, or null when the environment was not left mid-deploy.
 */
export async function recoverInterruptedDeploy(deps: DeployDeps, s: EnvironmentState, t?: DeployTarget): Promise<string | null> {
  if (s.phase !== 'deploying') return null
  const removed: string[] = []
  if (s.candidate) {
    removed.push(s.candidate.version)
    await removeAll(deps, s.candidate.containers, 0)
    s.candidate = null
    s.canaryWeight = 0
  }
  if (s.standby) {
    // the switch happened but the deploy did not finish: the version before it takes the traffic back
    const bad = s.live
    s.live = s.standby
    s.standby = null
    if (bad) {
      removed.push(bad.version)
      await removeAll(deps, bad.containers, 0)
    }
  }
  // a rolling deploy retires old replicas as new ones come up: bring the old version back to its count
  const missing = t && s.live ? t.config.replicas - s.live.containers.length : 0
  let restarted = 0
  if (t && s.live && missing > 0) {
    const live = s.live
    const back = await startContainers(deps, t, s, { image: live.version, commit: live.commit, runId: live.runId, strategy: live.strategy }, missing).catch(() => [])
    live.containers.push(...back)
    restarted = back.length
  }
  const run = s.deploying?.runId
  s.phase = 'idle'
  s.deploying = null
  const orphans = await removeOrphans(deps, s, run)
  const what = `an interrupted deploy${removed.length ? ` of ${[...new Set(removed)].join(', ')}` : ''} was undone (the instance running it stopped)${orphans ? `; ${orphans} stray container(s) removed` : ''}${restarted ? `; ${restarted} replica(s) of ${s.live?.version} started again` : ''}`
  noteEvent(s, { kind: 'failed', version: removed[0] ?? s.live?.version ?? '-', ...(run ? { runId: run } : {}), reason: what })
  deps.log?.(what)
  return what
}

/**
 * Containers the interrupted deploy's run started that no release of the state names (a deployer
 * that stopped between starting a container and recording it). Only that run's: other
 * installations may share the engine.
 */
export async function removeOrphans(deps: DeployDeps, s: EnvironmentState, runId: string | undefined): Promise<number> {
  if (!runId) return 0
  const known = new Set([s.live, s.candidate, s.standby].flatMap((r) => r?.containers ?? []).map((c) => c.id))
  const stray = (await listManaged(deps.docker, s.repo, s.environment)).filter((c) => c.Labels?.[LABEL.run] === runId && !known.has(c.Id))
  await Promise.all(stray.map((c) => removeContainer(deps.docker, c.Id, 0).catch(() => undefined)))
  return stray.length
}
