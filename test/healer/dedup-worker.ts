// A second process for the dedup test: claims the same failure N times concurrently and prints
// the statuses as JSON. Usage: node --import tsx dedup-worker.ts <redisUrl> <n> <suffix>
import { Redis } from 'ioredis'
import { RemediationLedger } from '../../shared/healer/dedup'

const [url, n, suffix] = process.argv.slice(2)
const redis = new Redis(url ?? '')
const ledger = new RemediationLedger(redis, `cicd:healer:${suffix}:`)
const claims = await Promise.all(
  Array.from({ length: Number(n) }, (_, i) =>
    ledger.claim({ repo: 'acme/api', runId: 12345678, attempt: 1, branch: 'feat/x', name: `healer-ci-rex-${process.pid}-${i}`, branchWindowMs: 600_000, activeTtlMs: 3_600_000 }),
  ),
)
console.log(JSON.stringify(claims.map((c) => c.status)))
redis.disconnect()
