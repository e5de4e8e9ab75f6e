/**
 * A deployer in its own process, to be killed (SIGKILL) in the middle of a deploy:
 *   node --import tsx test/helpers/deploy-child.ts <redisUrl> <edgeDir> <target JSON> <spec JSON>
 * Its environment lock lives 1.5 s (refreshed while it runs), so it frees soon after the kill.
 */
import { Redis } from 'ioredis'
import { deployRelease } from '../../shared/deploy/deploy'
import type { DeployTarget } from '../../shared/deploy/deps'
import { HaproxyEdge } from '../../shared/deploy/edge/haproxy-edge'
import { EnvironmentStore } from '../../shared/deploy/environment-store'
import type { ReleaseSpec } from '../../shared/deploy/release'
import { dockerFromEnv } from '../../shared/executors/docker/client'

const [redisUrl, edgeDir, targetJson, specJson] = process.argv.slice(2)
const redis = new Redis(redisUrl as string)
const out = await deployRelease(
  { docker: dockerFromEnv(), edge: new HaproxyEdge(edgeDir as string), store: new EnvironmentStore(redis, { lockTtlMs: 1500 }), log: (l) => process.stdout.write(`${l}\n`) },
  JSON.parse(targetJson as string) as DeployTarget,
  JSON.parse(specJson as string) as ReleaseSpec,
)
process.stdout.write(`${JSON.stringify(out)}\n`)
await redis.quit()
