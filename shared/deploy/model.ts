import type { EnvironmentName } from '../config/deploy'

export type DeployStrategyName = 'immediate' | 'blue-green' | 'canary' | 'rolling'

/** One running container of a release, and its proxy slot. */
export interface ServiceContainer {
  id: string
  name: string
  addr: string
  port: number
  slot: number
}

/** A version of a repo's image running in an environment. */
export interface Release {
  version: string
  commit: string
  runId: string
  strategy: DeployStrategyName
  deployedAt: string
  containers: ServiceContainer[]
}

export interface EnvironmentEvent {
  at: string
  kind: 'deployed' | 'validated' | 'rolled-back' | 'failed' | 'rollback-refused'
  version: string
  runId?: string
  reason?: string
}

export type EnvironmentPhase = 'idle' | 'deploying' | 'monitoring' | 'rolling-back'

/**
 * What is live where: kept in Redis so it survives a restart, and the proxy's configuration is
 * rendered from it.
 *  - live: the version that takes (100 - canaryWeight)% of the traffic;
 *  - candidate: a canary taking canaryWeight%;
 *  - standby: the previous version, still running with no traffic until the new one is validated
 *    (blue-green; canary after 100%): rolling back is one switch.
 */
export interface EnvironmentState {
  repo: string
  environment: EnvironmentName
  bind: string
  port: number
  healthPath: string
  phase: EnvironmentPhase
  /** While phase is deploying: which run's deploy, of what (an interrupted deploy is undone from this). */
  deploying?: { runId: string; version: string; startedAt: string } | null
  live: Release | null
  candidate: Release | null
  standby: Release | null
  canaryWeight: number
  /** Versions monitoring validated, newest first: what a rollback returns to when nothing stands by. */
  validated: { version: string; commit: string; runId: string; at: string }[]
  history: EnvironmentEvent[]
  updatedAt: string
}

export function emptyEnvironment(repo: string, environment: EnvironmentName, bind: string, port: number, healthPath: string): EnvironmentState {
  return {
    repo,
    environment,
    bind,
    port,
    healthPath,
    phase: 'idle',
    live: null,
    candidate: null,
    standby: null,
    canaryWeight: 0,
    validated: [],
    history: [],
    updatedAt: new Date().toISOString(),
  }
}

export function noteEvent(state: EnvironmentState, e: Omit<EnvironmentEvent, 'at'>): void {
  state.history.unshift({ at: new Date().toISOString(), ...e })
  state.history.length = Math.min(state.history.length, 30)
}

export function routeName(repo: string, environment: EnvironmentName): string {
  return `${repo.replace(/[^a-zA-Z0-9_-]/g, '_')}__${environment}`
}
