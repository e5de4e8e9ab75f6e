import type Docker from 'dockerode'
import type { HealthCheck } from '../../../agents/monitor/schema'
import { containerUsage, type ContainerUsage } from '../containers'
import type { ServiceContainer } from '../model'
import { parsePrometheusText } from './prometheus-text'
import { addTraffic, quantileMs, successRate, trafficDelta, trafficOf, type Traffic } from './traffic'

export interface CheckTarget {
  containers: ServiceContainer[]
  healthPath: string
  metricsPath: string | null
  cpus: number
}

/** What a check remembers for the next one (counters are cumulative: checks use deltas). */
export interface CheckMemory {
  traffic: Map<string, Traffic>
  usage: Map<string, ContainerUsage['sample']>
}

export function newCheckMemory(): CheckMemory {
  return { traffic: new Map(), usage: new Map() }
}

async function get(url: string, timeoutMs: number): Promise<{ ok: boolean; text: string } | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    return { ok: res.ok, text: await res.text() }
  } catch {
    return null
  }
}

/**
 * One health check of a release: its health endpoint on every container, the requests it served
 * since the last check (success rate, p95/p99 from its Prometheus metrics), and CPU and memory
 * from the engine, as fractions of the container's limits.
 */
export async function takeCheck(docker: Docker, target: CheckTarget, memory: CheckMemory): Promise<HealthCheck> {
  const per = await Promise.all(
    target.containers.map(async (c) => {
      const base = `http://${c.addr}:${c.port}`
      const [health, metrics, usage] = await Promise.all([
        get(`${base}${target.healthPath}`, 2000),
        target.metricsPath ? get(`${base}${target.metricsPath}`, 2000) : Promise.resolve(null),
        containerUsage(docker, c.id, target.cpus, memory.usage.get(c.id) ?? null),
      ])
      let delta: Traffic | null = null
      if (metrics?.ok) {
        const now = trafficOf(parsePrometheusText(metrics.text))
        delta = trafficDelta(now, memory.traffic.get(c.id))
        memory.traffic.set(c.id, now)
      }
      if (usage.sample) memory.usage.set(c.id, usage.sample)
      return { up: Boolean(health?.ok), delta, usage }
    }),
  )
  const deltas = per.map((p) => p.delta).filter((d): d is Traffic => d !== null)
  const traffic = deltas.length ? deltas.reduce(addTraffic) : null
  const max = (xs: (number | null)[]) => (xs.some((x) => x !== null) ? Math.max(...xs.filter((x): x is number => x !== null)) : null)
  return {
    at: new Date().toISOString(),
    up: per.length > 0 && per.every((p) => p.up),
    requests: traffic ? traffic.requests : null,
    successRate: traffic ? successRate(traffic) : null,
    p95Ms: traffic && traffic.requests > 0 ? quantileMs(traffic, 0.95) : null,
    p99Ms: traffic && traffic.requests > 0 ? quantileMs(traffic, 0.99) : null,
    cpu: max(per.map((p) => p.usage.cpu)),
    memory: max(per.map((p) => p.usage.memory)),
  }
}
