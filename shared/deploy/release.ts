import { parseMemory } from '../config/deploy'
import { LABEL, removeContainer, sleep, startContainer, waitHealthy } from './containers'
import type { DeployDeps, DeployTarget } from './deps'
import { freeSlots } from './edge/route'
import type { DeployStrategyName, EnvironmentState, Release, ServiceContainer } from './model'
import { routeName } from './model'

export interface ReleaseSpec {
  image: string
  commit: string
  runId: string
  strategy: DeployStrategyName
}

function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 40) || 'x'
}

/** Starts `n` containers of the image in free slots and waits for their health checks. */
export async function startContainers(deps: DeployDeps, t: DeployTarget, state: EnvironmentState, spec: ReleaseSpec, n: number): Promise<ServiceContainer[]> {
  const slots = freeSlots(state, n)
  const started: ServiceContainer[] = []
  try {
    await Promise.all(
      slots.map(async (slot) => {
        const name = `cicd-${safe(t.repo)}-${t.environment}-${safe(spec.image.split(':').pop() ?? spec.image)}-s${slot}-${Math.random().toString(36).slice(2, 6)}`
        const c = await startContainer(deps.docker, {
          image: spec.image,
          name,
          labels: { [LABEL.repo]: t.repo, [LABEL.environment]: t.environment, [LABEL.version]: spec.image, [LABEL.run]: spec.runId, [LABEL.commit]: spec.commit },
          env: { ...t.app.env, PORT: String(t.app.container_port) },
          memoryBytes: parseMemory(t.app.memory),
          cpus: t.app.cpus,
          containerPort: t.app.container_port,
          ...(deps.network ? { network: deps.network } : {}),
        })
        started.push({ ...c, slot })
        deps.log?.(`started ${c.name} (${c.addr}:${c.port})`)
        await waitHealthy(deps.docker, c, t.app.health_path, t.app.start_timeout)
        deps.log?.(`${c.name} answers ${t.app.health_path}`)
      }),
    )
    return started.sort((a, b) => a.slot - b.slot)
  } catch (err) {
    await removeAll(deps, started, 0)
    throw err
  }
}

export function newRelease(spec: ReleaseSpec, containers: ServiceContainer[]): Release {
  return { version: spec.image, commit: spec.commit, runId: spec.runId, strategy: spec.strategy, deployedAt: new Date().toISOString(), containers }
}

/** Removes containers after a short drain (they already receive no new requests). */
export async function removeAll(deps: DeployDeps, containers: ServiceContainer[], drainMs = 1000): Promise<void> {
  if (!containers.length) return
  if (drainMs > 0) await sleep(drainMs)
  await Promise.all(containers.map((c) => removeContainer(deps.docker, c.id, 5).then(() => deps.log?.(`removed ${c.name}`))))
}

/** Waits until the proxy's own health checks see these containers up. */
export function proxySeesUp(deps: DeployDeps, state: EnvironmentState, containers: ServiceContainer[]): Promise<void> {
  return deps.edge.waitUp(
    routeName(state.repo, state.environment),
    containers.map((c) => c.slot),
  )
}
