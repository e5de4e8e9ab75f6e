import type { EnvironmentState, ServiceContainer } from '../model'
import { routeName } from '../model'

/** Server slots per backend: enough for a rolling deploy of 8 replicas (old and new side by side). */
export const SLOTS = 16

export interface EdgeServer {
  slot: number
  addr: string
  port: number
  /** 0..256 (haproxy weights); 0 = no new requests. */
  weight: number
}

/** One stable entrypoint: a frontend on bind:port in front of a backend of slots. */
export interface EdgeRoute {
  name: string
  bind: string
  port: number
  healthPath: string
  servers: EdgeServer[]
}

/** Splits a group's share of traffic (percent) over its containers, as haproxy weights. */
function weighted(containers: ServiceContainer[], sharePercent: number): EdgeServer[] {
  if (!containers.length) return []
  const each = sharePercent <= 0 ? 0 : Math.max(1, Math.min(256, Math.round((sharePercent * 2) / containers.length)))
  return containers.map((c) => ({ slot: c.slot, addr: c.addr, port: c.port, weight: each }))
}

/** The route an environment's state asks for. */
export function routeOf(s: EnvironmentState): EdgeRoute {
  const canary = s.candidate ? Math.max(0, Math.min(100, s.canaryWeight)) : 0
  const servers = [
    ...weighted(s.live?.containers ?? [], 100 - canary),
    ...weighted(s.candidate?.containers ?? [], canary),
    ...weighted(s.standby?.containers ?? [], 0),
  ]
  return { name: routeName(s.repo, s.environment), bind: s.bind, port: s.port, healthPath: s.healthPath, servers }
}

/** The lowest free slots, given the containers already placed. */
export function freeSlots(s: EnvironmentState, n: number): number[] {
  const used = new Set([s.live, s.candidate, s.standby].flatMap((r) => r?.containers ?? []).map((c) => c.slot))
  const out: number[] = []
  for (let i = 1; i <= SLOTS && out.length < n; i++) if (!used.has(i)) out.push(i)
  if (out.length < n) throw new Error(`no free proxy slot: ${SLOTS} containers at most per environment`)
  return out
}
