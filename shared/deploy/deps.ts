import type Docker from 'dockerode'
import type { AppConfig, EnvironmentConfig, EnvironmentName } from '../config/deploy'
import type { HaproxyEdge } from './edge/haproxy-edge'
import { routeOf } from './edge/route'
import type { EnvironmentStore } from './environment-store'
import { emptyEnvironment, routeName, type EnvironmentState } from './model'

/** What deploy, monitor and rollback work with. */
export interface DeployDeps {
  docker: Docker
  edge: HaproxyEdge
  store: EnvironmentStore
  /** Progress lines for the run's log. */
  log?: (line: string) => void
  /** Docker network for service containers (default: the engine's bridge). */
  network?: string
}

/** A repo's environment as cicd.yml describes it. */
export interface DeployTarget {
  repo: string
  environment: EnvironmentName
  app: AppConfig
  config: EnvironmentConfig
}

/** Saves the state and brings the proxy in line with every stored environment. */
export async function syncEdge(deps: DeployDeps, state: EnvironmentState): Promise<void> {
  await deps.store.save(state)
  const all = await deps.store.list()
  await deps.edge.apply(
    all.filter((s) => s.port > 0).map(routeOf),
    [routeName(state.repo, state.environment)],
  )
}

/** The stored state, or a fresh one, with the entrypoint from cicd.yml. */
export async function loadEnvironment(deps: DeployDeps, t: DeployTarget): Promise<EnvironmentState> {
  if (!t.config.port) throw new Error(`deploy.${t.environment}.port is not set for ${t.repo} in cicd.yml: the environment has no entrypoint (give it a free TCP port)`)
  const s = (await deps.store.get(t.repo, t.environment)) ?? emptyEnvironment(t.repo, t.environment, t.config.bind, t.config.port, t.app.health_path)
  s.bind = t.config.bind
  s.port = t.config.port
  s.healthPath = t.app.health_path
  return s
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The environment's lock, waiting up to `waitMs` for whoever holds it. */
export async function lockEnvironment(deps: DeployDeps, repo: string, env: EnvironmentName, holder: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const got = await deps.store.lock(repo, env, holder)
    if ('release' in got) return got.release
    if (Date.now() > deadline) throw new Error(`${repo}/${env} is busy (${got.heldBy}); try again when it finishes`)
    await sleep(100)
  }
}
