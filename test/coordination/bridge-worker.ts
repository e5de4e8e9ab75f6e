/**
 * A server instance's coordination in a process of its own, for the bridge test: the pub/sub
 * bridge listening, and the coordinator draining every 100 ms, until SIGTERM.
 * argv: redis url, namespace, github url, slack url, instance name.
 */
import { Redis } from 'ioredis'
import { PubSubBridge } from '../../shared/coordination/bridge'
import { CoordinationKeys } from '../../shared/coordination/keys'
import { Publisher } from '../../shared/coordination/publisher'
import { coordinatorFor, sleep, testConfig } from './setup'

const [url = '', namespace = '', githubUrl = '', slackUrl = '', name = 'i1'] = process.argv.slice(2)
const redis = new Redis(url)
const keys = new CoordinationKeys(namespace)
const config = testConfig('  notify: { on: [pr_failure] }')
const publisher = new Publisher({ redis, keys, config: () => config, source: 'ci_bridge', instance: name })
const sub = await new PubSubBridge(publisher).start((o) => process.stdout.write(`${JSON.stringify(o)}\n`))
const coordinator = coordinatorFor(redis, keys, config, githubUrl, { consumer: name, notifyUrl: slackUrl, timings: { leaseMs: 2000, reclaimAfterMs: 2000, maxAttempts: 3 } })
let running = true
process.on('SIGTERM', () => (running = false))
process.stdout.write('ready\n')
while (running) {
  await coordinator.drainOnce({ budgetMs: 500 })
  await sleep(100)
}
await sub.close()
redis.disconnect()
