/**
 * A coordinator in a process of its own, for the crash test: drains once against `githubUrl`
 * (which never answers, so it is mid-command when the test kills it with SIGKILL).
 * argv: redis url, namespace, github url, lease ms.
 */
import { Redis } from 'ioredis'
import { CoordinationKeys } from '../../shared/coordination/keys'
import { coordinatorFor, testConfig } from './setup'

const [url = '', namespace = '', githubUrl = '', lease = '1000'] = process.argv.slice(2)
const redis = new Redis(url)
const coordinator = coordinatorFor(redis, new CoordinationKeys(namespace), testConfig(), githubUrl, { consumer: 'doomed', timings: { leaseMs: Number(lease), reclaimAfterMs: Number(lease), maxAttempts: 3 } })
process.stdout.write('draining\n')
await coordinator.drainOnce({ budgetMs: 60_000 })
process.stdout.write('drained\n')
redis.disconnect()
