import type { DeployDeps } from './deps'
import { routeOf } from './edge/route'

/**
 * After a reboot or a crash of the proxy: start it again from the stored environments (the
 * containers restart by themselves: restart policy unless-stopped).
 */
export async function restoreEdge(deps: DeployDeps): Promise<{ routes: number; running: boolean }> {
  const all = (await deps.store.list()).filter((s) => s.port > 0)
  if (!all.length) return { routes: 0, running: (await deps.edge.runningPid()) !== null }
  await deps.edge.apply(all.map(routeOf), [])
  return { routes: all.length, running: true }
}
