import { defineConfig, type Event, type MotiaPluginContext, type QueueConfig, type SubscriptionHandle } from 'motia'
import endpointPlugin from '@motiadev/plugin-endpoint/plugin'
import logsPlugin from '@motiadev/plugin-logs/plugin'
import observabilityPlugin from '@motiadev/plugin-observability/plugin'
import statesPlugin from '@motiadev/plugin-states/plugin'
import bullmqPlugin from '@motiadev/plugin-bullmq/plugin'
import { BullMQEventAdapter } from '@motiadev/adapter-bullmq-events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Redis } from 'ioredis'
import { inProcessApiPlugin } from './plugins/in-process-api'
import { apiBodyReader } from './shared/http/body-reader'
import { checkBearer } from './shared/ingress/bearer'
import { startBridge } from './shared/coordination/wiring'
import { redisConnectionFromUrl, redisUrlFromEnv, sharedRedis } from './shared/redis/client'
import { redisGate } from './shared/redis/availability'
import { RedisCronLocks } from './shared/redis/cron-locks'
import { keepRedisClientOpen, outageLogger, tolerateRedisOutages } from './shared/redis/keep-open'
import { queueLockOverride } from './shared/redis/queue-lock'

/**
 * Motia's own POST /emit would let anyone inject pipeline events, and the Workbench's state and
 * queue endpoints would let anyone forge or delete runs and drain queues: their writes need the
 * API token (reads stay open, as GET /api/cicd/runs is).
 */
function guardWrites(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next()
  const denied = checkBearer({ headers: req.headers, rawBody: '', body: null }, process.env.CICD_API_TOKEN)
  if (!denied) return next()
  res.statusCode = denied.status
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(denied.body))
}

/**
 * BullMQ events as Motia makes them, except that CICD_QUEUE_LOCK_SECONDS, when set, replaces every
 * step's `visibilityTimeout` (the job lock): how long the in-flight stage of a crashed instance
 * waits before another instance takes it over. The stalled-job check then runs at least every
 * half of it (BullMQ checks every 30 s by default).
 */
class EventAdapter extends BullMQEventAdapter {
  private readonly quiet = outageLogger('queues')

  constructor(config: ConstructorParameters<typeof BullMQEventAdapter>[0]) {
    super(config)
    // The adapter logs every error of every worker with a stack trace (hundreds a second while
    // Redis is down): one line a minute says the same. Its connection's listeners are its own
    // at this point (BullMQ adds its own later, and those stay).
    this.connection.removeAllListeners('error').removeAllListeners('close').on('error', this.quiet)
  }

  override async subscribe<TData>(topic: string, stepName: string, handler: (event: Event<TData>) => void | Promise<void>, options?: QueueConfig): Promise<SubscriptionHandle> {
    const lock = queueLockOverride()
    const handle = await super.subscribe(topic, stepName, handler, lock ? { ...(options ?? { type: 'standard', maxRetries: 2, visibilityTimeout: lock, delaySeconds: 0 }), visibilityTimeout: lock } : options)
    const worker = this.workerManager.getWorkerInfo(handle.id)?.worker
    this.queueManager.getQueue(this.queueManager.getQueueName(topic, stepName)).removeAllListeners('error').on('error', this.quiet)
    if (worker) {
      worker.removeAllListeners('error').on('error', this.quiet)
      if (lock) worker.opts.stalledInterval = Math.min(30_000, lock * 500)
    }
    return handle
  }
}

/** Motia's own Redis client (state, streams, logs) must survive a Redis outage: see keep-open.ts. */
const keepMotiaRedisOpen = (motia: MotiaPluginContext) => {
  if (motia.lockedData.redisClient) keepRedisClientOpen('motia', motia.lockedData.redisClient)
  return { workbench: [] }
}

const url = redisUrlFromEnv()
const redis = redisConnectionFromUrl(url)
tolerateRedisOutages(redis.port)

// Every instance given the same REDIS_URL shares state, events (BullMQ), cron locks and streams.
export default defineConfig({
  redis: { useMemoryServer: false, ...redis },
  adapters: {
    // One queue prefix for `motia dev` and `motia start` (they differ by default, and Motia's
    // queue browser crashes on queue keys made under the other prefix).
    events: new EventAdapter({ connection: redis, prefix: 'motia:events' }),
    // One run per cron tick across instances (Motia's adapter only prevents overlapping runs).
    cron: new RedisCronLocks(new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 }).on('error', () => undefined), {
      ...(process.env.CICD_INSTANCE_ID ? { instanceId: process.env.CICD_INSTANCE_ID } : {}),
    }),
  },
  app: (app) => {
    for (const path of ['/emit', '/__motia/state', '/__motia/bullmq']) app.use(path, guardWrites)
    // Redis down: API requests get a 503 JSON at once (/health says what is down).
    app.use(redisGate({ before: () => void sharedRedis() }))
    app.use(apiBodyReader())
    // Seed 000's plain `PUBLISH ci:events|ci:commands …` from outside agents: into the durable queues, once across instances.
    const bridgeTrouble = outageLogger('coordination bridge')
    startBridge({ onError: (err) => bridgeTrouble(err instanceof Error ? err : new Error(String(err))) }).catch((err: unknown) => bridgeTrouble(err instanceof Error ? err : new Error(String(err))))
  },
  plugins: [keepMotiaRedisOpen, inProcessApiPlugin, observabilityPlugin, statesPlugin, endpointPlugin, logsPlugin, bullmqPlugin],
})
