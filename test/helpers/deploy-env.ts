import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { Redis } from 'ioredis'
import { appSchema, environmentSchema, type EnvironmentName } from '../../shared/config/deploy'
import type { DeployDeps, DeployTarget } from '../../shared/deploy/deps'
import { HaproxyEdge } from '../../shared/deploy/edge/haproxy-edge'
import { EnvironmentStore } from '../../shared/deploy/environment-store'
import { listManaged } from '../../shared/deploy/containers'
import { freePort } from './server'
import { testRedisUrl } from './services'

/** A private edge proxy, a Redis db and a cleanup for the containers a suite starts. */
export async function deployHarness(docker: Docker, db: number) {
  const redis = new Redis(testRedisUrl(db))
  await redis.flushdb()
  const dir = await mkdtemp(join(tmpdir(), 'cicd-edge-'))
  const edge = new HaproxyEdge(dir)
  const lines: string[] = []
  const deps: DeployDeps = { docker, edge, store: new EnvironmentStore(redis), log: (l) => lines.push(l) }
  const repos = new Set<string>()
  return {
    deps,
    redis,
    edge,
    lines,
    async target(repo: string, environment: EnvironmentName, config: Record<string, unknown>, app: Record<string, unknown> = {}): Promise<DeployTarget> {
      repos.add(repo)
      const port = await freePort()
      return {
        repo,
        environment,
        app: appSchema.parse({ health_path: '/health/', metrics_path: '/metrics/', memory: '64m', cpus: 1, start_timeout: 20, ...app }),
        config: environmentSchema.parse({ port, ...config }),
      }
    },
    async close() {
      await edge.stop()
      for (const repo of repos) for (const c of await listManaged(docker, repo)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)
      await redis.quit()
    },
  }
}
