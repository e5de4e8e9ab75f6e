import { lockEnvironment, loadEnvironment, syncEdge, type DeployDeps, type DeployTarget } from './deps'
import { noteEvent, type EnvironmentState, type Release } from './model'
import { newRelease, proxySeesUp, removeAll, startContainers, type ReleaseSpec } from './release'
import { recoverInterruptedDeploy } from './recover'

export interface DeployOutcome {
  success: boolean
  reason?: string
  version: string
  previous: string | null
  strategy: ReleaseSpec['strategy']
  /** Where the environment answers. */
  entrypoint: string
  /** True when a monitor phase must follow (cicd.monitor.start). */
  monitor: boolean
  durationMs: number
  /** The environment was busy: nothing was tried, so there is no code failure for the Healer. */
  refused?: boolean
}

/**
 * Brings a new version up with the chosen strategy. It never leaves the environment without a
 * serving version: containers that fail their health checks are removed and the previous
 * version keeps its traffic. After it, monitoring validates (or rolls back) the new version.
 */
export async function deployRelease(deps: DeployDeps, t: DeployTarget, spec: ReleaseSpec): Promise<DeployOutcome> {
  const started = Date.now()
  const release = await lockEnvironment(deps, t.repo, t.environment, `deploy ${spec.runId}`, 10_000)
  let state: EnvironmentState | undefined
  const base = { version: spec.image, strategy: spec.strategy, entrypoint: `http://${t.config.bind}:${t.config.port ?? '?'}`, monitor: false }
  try {
    state = await loadEnvironment(deps, t)
    // we hold the lock, which a live deployer keeps: a deploy still marked as running was cut short
    if (state.phase === 'deploying') {
      await recoverInterruptedDeploy(deps, state, t)
      await syncEdge(deps, state)
    }
    const previous = state.live?.version ?? null
    if (state.phase !== 'idle' || state.candidate || state.standby) {
      return {
        ...base,
        previous,
        success: false,
        refused: true,
        durationMs: Date.now() - started,
        reason: `${t.repo}/${t.environment} is still ${state.phase === 'idle' ? 'settling' : state.phase} ${state.candidate?.version ?? state.live?.version ?? ''} (run ${state.candidate?.runId ?? state.live?.runId ?? '?'}): wait for its monitoring to finish, or roll it back`,
      }
    }
    state.phase = 'deploying'
    state.deploying = { runId: spec.runId, version: spec.image, startedAt: new Date().toISOString() }
    await deps.store.save(state)
    deps.log?.(`deploying ${spec.image} to ${t.repo}/${t.environment} (${spec.strategy})${previous ? `, replacing ${previous}` : ''}`)
    await STRATEGIES[spec.strategy](deps, t, state, spec)
    state.phase = 'monitoring'
    state.deploying = null
    noteEvent(state, { kind: 'deployed', version: spec.image, runId: spec.runId })
    await syncEdge(deps, state)
    return { ...base, previous, success: true, monitor: true, durationMs: Date.now() - started }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    if (state) {
      state.phase = 'idle'
      state.deploying = null
      noteEvent(state, { kind: 'failed', version: spec.image, runId: spec.runId, reason })
      await syncEdge(deps, state).catch(() => deps.store.save(state as EnvironmentState))
    }
    deps.log?.(`deploy failed: ${reason}`)
    return { ...base, previous: state?.live?.version ?? null, success: false, reason, durationMs: Date.now() - started }
  } finally {
    await release()
  }
}

type Strategy = (deps: DeployDeps, t: DeployTarget, s: EnvironmentState, spec: ReleaseSpec) => Promise<void>

/** Adds `rel` beside the live version with no traffic and waits until the proxy sees it up. */
async function addBeside(deps: DeployDeps, s: EnvironmentState, rel: Release): Promise<void> {
  s.candidate = rel
  s.canaryWeight = 0
  try {
    await syncEdge(deps, s)
    await proxySeesUp(deps, s, rel.containers)
  } catch (err) {
    s.candidate = null
    await syncEdge(deps, s).catch(() => undefined)
    await removeAll(deps, rel.containers, 0)
    throw err
  }
}

/** All traffic to the candidate at once; the old version stands by with none. */
async function switchToCandidate(deps: DeployDeps, s: EnvironmentState): Promise<void> {
  s.standby = s.live
  s.live = s.candidate
  s.candidate = null
  s.canaryWeight = 0
  await syncEdge(deps, s)
  deps.log?.(`traffic switched to ${s.live?.version}`)
}

async function fresh(deps: DeployDeps, t: DeployTarget, s: EnvironmentState, spec: ReleaseSpec): Promise<Release> {
  return newRelease(spec, await startContainers(deps, t, s, spec, t.config.replicas))
}

export const STRATEGIES: Record<ReleaseSpec['strategy'], Strategy> = {
  /** Replace: start the new version, switch, remove the old one right away. */
  immediate: async (deps, t, s, spec) => {
    await addBeside(deps, s, await fresh(deps, t, s, spec))
    await switchToCandidate(deps, s)
    const old = s.standby
    s.standby = null
    await syncEdge(deps, s)
    if (old) await removeAll(deps, old.containers)
  },
  /** Green beside blue, health-checked, then all traffic at once; blue stands by until validated. */
  'blue-green': async (deps, t, s, spec) => {
    await addBeside(deps, s, await fresh(deps, t, s, spec))
    await switchToCandidate(deps, s)
  },
  /** The canary takes the first weight; monitoring walks the next ones. */
  canary: async (deps, t, s, spec) => {
    await addBeside(deps, s, await fresh(deps, t, s, spec))
    if (!s.live) {
      deps.log?.('nothing live yet: the canary takes all traffic')
      await switchToCandidate(deps, s)
      return
    }
    s.canaryWeight = t.config.canary_steps[0] ?? 100
    await syncEdge(deps, s)
    deps.log?.(`canary ${spec.image} takes ${s.canaryWeight}% of the traffic`)
  },
  /**
   * One replica at a time, as Kubernetes' RollingUpdate with maxSurge 1 and maxUnavailable 0:
   * each new replica is health-checked and takes its share of the traffic, then one old replica
   * leaves the proxy and is removed. A failure part-way starts the old replicas that went again
   * (the others kept serving), then removes the new ones: the previous version serves as before.
   */
  rolling: async (deps, t, s, spec) => {
    const n = t.config.replicas
    const rel = newRelease(spec, [])
    const old = s.live
    const retired: Release['containers'] = []
    s.candidate = rel
    s.canaryWeight = 0
    try {
      for (let i = 1; i <= n; i++) {
        const [c] = await startContainers(deps, t, s, spec, 1)
        if (!c) throw new Error('no container started')
        rel.containers.push(c)
        await syncEdge(deps, s)
        await proxySeesUp(deps, s, [c])
        const gone = old?.containers.shift()
        if (gone) retired.push(gone)
        // new replicas' share: i of the replicas now running
        s.canaryWeight = old?.containers.length ? Math.round((100 * rel.containers.length) / (rel.containers.length + old.containers.length)) : 100
        await syncEdge(deps, s)
        if (gone) await removeAll(deps, [gone])
        deps.log?.(`replica ${i}/${n} of ${spec.image} up (${s.canaryWeight}% of the traffic)${gone ? `; ${gone.name} of ${old?.version} removed` : ''}`)
      }
    } catch (err) {
      s.candidate = null
      s.canaryWeight = 0
      if (old && retired.length) {
        deps.log?.(`starting ${retired.length} replica(s) of ${old.version} again`)
        const back = await startContainers(deps, t, s, { image: old.version, commit: old.commit, runId: old.runId, strategy: old.strategy }, retired.length).catch(() => [])
        old.containers.push(...back)
        await syncEdge(deps, s).catch(() => undefined)
        if (back.length) await proxySeesUp(deps, s, back).catch(() => undefined)
      }
      await syncEdge(deps, s).catch(() => undefined)
      await removeAll(deps, rel.containers, 0)
      throw err
    }
    await switchToCandidate(deps, s)
    const last = s.standby
    s.standby = null
    await syncEdge(deps, s)
    if (last) await removeAll(deps, last.containers)
  },
}
