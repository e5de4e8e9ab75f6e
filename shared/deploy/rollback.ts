import { lockEnvironment, loadEnvironment, syncEdge, type DeployDeps, type DeployTarget } from './deps'
import { noteEvent, type EnvironmentState, type Release } from './model'
import { newRelease, proxySeesUp, removeAll, startContainers } from './release'

export interface RollbackOutcome {
  success: boolean
  reason: string
  /** The version that was taken out, and the one serving now. */
  from: string | null
  to: string | null
  /** How: a canary dropped, a switch back to the standby, or the last validated image started again. */
  how: 'drop-canary' | 'switch-back' | 'redeploy' | 'none'
  durationMs: number
}

/**
 * Puts the previous version back: drops a canary, switches back to the standby (blue-green), or
 * starts the last validated version again (immediate, rolling). The bad containers are removed.
 */
export async function rollbackEnvironment(deps: DeployDeps, t: DeployTarget, why: string, runId = 'manual', expectVersion?: string): Promise<RollbackOutcome> {
  const started = Date.now()
  const unlock = await lockEnvironment(deps, t.repo, t.environment, `rollback ${runId}`, 30_000)
  try {
    const s = await loadEnvironment(deps, t)
    const done = (o: Omit<RollbackOutcome, 'durationMs'>): RollbackOutcome => ({ ...o, durationMs: Date.now() - started })
    let bad: Release | null = null
    let how: RollbackOutcome['how'] = 'none'
    const current = s.candidate?.version ?? s.live?.version ?? null
    if (expectVersion && current !== expectVersion) {
      return done({ success: true, reason: `${expectVersion} is not live any more (already rolled back or replaced)`, from: null, to: s.live?.version ?? null, how })
    }
    if (s.candidate) {
      bad = s.candidate
      s.candidate = null
      s.canaryWeight = 0
      how = 'drop-canary'
    } else if (s.standby) {
      bad = s.live
      s.live = s.standby
      s.standby = null
      how = 'switch-back'
    } else if (s.live && s.validated.some((v) => v.version !== s.live?.version)) {
      const target = s.validated.find((v) => v.version !== s.live?.version) as EnvironmentState['validated'][number]
      deps.log?.(`starting ${target.version} again (the last validated version)`)
      const rel = newRelease({ image: target.version, commit: target.commit, runId: target.runId, strategy: 'immediate' }, await startContainers(deps, t, s, { image: target.version, commit: target.commit, runId: target.runId, strategy: 'immediate' }, t.config.replicas))
      s.candidate = rel
      s.canaryWeight = 0
      await syncEdge(deps, s)
      await proxySeesUp(deps, s, rel.containers)
      bad = s.live
      s.live = rel
      s.candidate = null
      how = 'redeploy'
    } else {
      s.phase = 'idle'
      const reason = s.live ? `nothing to roll back to: no validated version of ${t.repo}/${t.environment} other than ${s.live.version}` : `nothing is deployed to ${t.repo}/${t.environment}`
      noteEvent(s, { kind: 'rollback-refused', version: s.live?.version ?? '-', runId, reason })
      await deps.store.save(s)
      return done({ success: false, reason, from: s.live?.version ?? null, to: s.live?.version ?? null, how })
    }
    s.phase = 'idle'
    noteEvent(s, { kind: 'rolled-back', version: bad?.version ?? '?', runId, reason: why })
    await syncEdge(deps, s)
    deps.log?.(`rolled back ${t.repo}/${t.environment}: ${bad?.version ?? '?'} → ${s.live?.version ?? 'nothing'} (${why})`)
    const outcome = done({ success: true, reason: why, from: bad?.version ?? null, to: s.live?.version ?? null, how })
    if (bad) await removeAll(deps, bad.containers)
    return outcome
  } finally {
    await unlock()
  }
}
