import type Docker from 'dockerode'
import { dockerErrorMessage, dockerStatusCode } from '../executors/docker/client'

export const LABEL = {
  managed: 'dev.cicd.managed',
  repo: 'dev.cicd.repo',
  environment: 'dev.cicd.environment',
  version: 'dev.cicd.version',
  run: 'dev.cicd.run',
  commit: 'dev.cicd.commit',
} as const

export interface ContainerSpec {
  image: string
  name: string
  labels: Record<string, string>
  env: Record<string, string>
  memoryBytes: number
  cpus: number
  containerPort: number
  /** A Docker network to attach to (default: the engine's bridge). */
  network?: string
}

export interface StartedContainer {
  id: string
  name: string
  addr: string
  port: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Creates and starts a service container with limits and labels; answers where it listens. */
export async function startContainer(docker: Docker, spec: ContainerSpec, init = true): Promise<StartedContainer> {
  let container: Docker.Container
  try {
    container = await docker.createContainer({
      Image: spec.image,
      name: spec.name,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...spec.labels, [LABEL.managed]: 'true' },
      ExposedPorts: { [`${spec.containerPort}/tcp`]: {} },
      HostConfig: {
        Memory: spec.memoryBytes,
        NanoCpus: Math.round(spec.cpus * 1e9),
        PidsLimit: 1024,
        // A tiny init as PID 1: the app gets SIGTERM on stop (and stops in ms, not after the grace period).
        Init: init,
        RestartPolicy: { Name: 'unless-stopped' },
        ...(spec.network ? { NetworkMode: spec.network } : {}),
      },
    })
  } catch (err) {
    if (dockerStatusCode(err) === 404) throw new Error(`image ${spec.image} is not on the Docker engine: build it first (a run's build stage tags it)`)
    throw new Error(`cannot create container ${spec.name}: ${dockerErrorMessage(err)}`)
  }
  try {
    await container.start()
    // Wait for an address; a process that exits at once (and its restart loop) fails here, with its output.
    let info = await container.inspect()
    let addr: string | undefined
    for (let i = 0; ; i++) {
      const exited = !info.State.Running || info.State.Restarting || info.RestartCount > 0
      if (exited) {
        const [code, tail] = await Promise.all([exitCodeOf(container, info), containerLogTail(docker, container.id)])
        throw new Error(`it exited right after starting (code ${code})${tail ? `: ${tail.slice(-300)}` : ''}`)
      }
      const legacy = (info.NetworkSettings as { IPAddress?: string }).IPAddress
      addr = legacy || Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress
      if (addr) break
      if (i >= 20) throw new Error('it has no IP address on a Docker network')
      await sleep(100)
      info = await container.inspect()
    }
    return { id: info.Id, name: spec.name, addr, port: spec.containerPort }
  } catch (err) {
    await removeContainer(docker, container.id, 0)
    if (init && /docker-init/.test(dockerErrorMessage(err))) return startContainer(docker, spec, false)
    throw new Error(`cannot start container ${spec.name}: ${err instanceof Error ? err.message : dockerErrorMessage(err)}`)
  }
}

/**
 * The exit code of a container that exits at once. With the restart policy it may already be
 * running again (its exit code then reads 0): wait for the next exit, briefly, to read the real one.
 */
async function exitCodeOf(container: Docker.Container, info: Docker.ContainerInspectInfo): Promise<number | string> {
  let cur = info
  for (let i = 0; i < 40; i++) {
    if (!cur.State.Running || cur.State.Restarting) return cur.State.ExitCode
    await sleep(50)
    const next = await container.inspect().catch(() => null)
    if (!next) break
    cur = next
  }
  return cur.State.ExitCode || 'unknown: it keeps restarting'
}

/** Stops (with a grace period for in-flight requests) and removes; a missing container is fine. */
export async function removeContainer(docker: Docker, id: string, graceSeconds = 5): Promise<void> {
  const c = docker.getContainer(id)
  try {
    await c.stop({ t: graceSeconds })
  } catch {
    /* not running or gone */
  }
  try {
    await c.remove({ force: true })
  } catch (err) {
    if (dockerStatusCode(err) !== 404) throw new Error(`cannot remove container ${id.slice(0, 12)}: ${dockerErrorMessage(err)}`)
  }
}

/** The last lines of a container's output (for "why did it not become healthy"). */
export async function containerLogTail(docker: Docker, id: string, lines = 20): Promise<string> {
  try {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer
    // Multiplexed stream frames: 8-byte headers; strip them.
    const out: string[] = []
    let i = 0
    while (i + 8 <= buf.length) {
      const size = buf.readUInt32BE(i + 4)
      out.push(buf.subarray(i + 8, i + 8 + size).toString('utf8'))
      i += 8 + size
    }
    return (out.length ? out.join('') : buf.toString('utf8')).trim()
  } catch {
    return ''
  }
}

/** Polls http://addr:port/path until 2xx (redirects followed), or throws with why it did not. */
export async function waitHealthy(docker: Docker, c: StartedContainer, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  for (;;) {
    try {
      const res = await fetch(`http://${c.addr}:${c.port}${path}`, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.ok) return
      last = `HTTP ${res.status}`
    } catch (err) {
      last = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
    }
    const info = await docker
      .getContainer(c.id)
      .inspect()
      .catch(() => null)
    // Not running, or running again after exiting (the restart policy brings it back in a loop).
    if (info && (!info.State.Running || info.State.Restarting || info.RestartCount > 0)) {
      const [code, tail] = await Promise.all([exitCodeOf(docker.getContainer(c.id), info), containerLogTail(docker, c.id)])
      throw new Error(`container ${c.name} exited (code ${code}) before its health check passed${tail ? `: ${tail.slice(-400)}` : ''}`)
    }
    if (Date.now() > deadline) throw new Error(`container ${c.name} did not answer ${path} with 2xx within ${Math.round(timeoutMs / 1000)} s (last: ${last})`)
    await sleep(200)
  }
}

export interface ContainerUsage {
  /** CPU time used since the previous sample over the limit's capacity (0..1), null on the first. */
  cpu: number | null
  /** Memory in use over the limit (0..1). */
  memory: number | null
  sample: { cpuNs: number; atNs: number } | null
}

/** One-shot stats (no 1 s wait); CPU from the delta to the previous sample. */
export async function containerUsage(docker: Docker, id: string, cpus: number, previous: ContainerUsage['sample']): Promise<ContainerUsage> {
  try {
    const s = (await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as {
      cpu_stats?: { cpu_usage?: { total_usage?: number } }
      memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; cache?: number } }
    }
    const cpuNs = s.cpu_stats?.cpu_usage?.total_usage ?? 0
    const atNs = Number(process.hrtime.bigint())
    const sample = { cpuNs, atNs }
    const cpu = previous && atNs > previous.atNs ? Math.max(0, (cpuNs - previous.cpuNs) / (atNs - previous.atNs) / cpus) : null
    const used = (s.memory_stats?.usage ?? 0) - (s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0)
    const memory = s.memory_stats?.limit ? Math.max(0, used) / s.memory_stats.limit : null
    return { cpu, memory, sample }
  } catch {
    return { cpu: null, memory: null, sample: null }
  }
}

/** Containers this product started for a repo/environment (for cleanup of leftovers). */
export async function listManaged(docker: Docker, repo?: string, environment?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`${LABEL.managed}=true`, ...(repo ? [`${LABEL.repo}=${repo}`] : []), ...(environment ? [`${LABEL.environment}=${environment}`] : [])]
  return docker.listContainers({ all: true, filters: { label } })
}

export { sleep }
