import { defineConfig } from 'motia'
import endpointPlugin from '@motiadev/plugin-endpoint/plugin'
import logsPlugin from '@motiadev/plugin-logs/plugin'
import observabilityPlugin from '@motiadev/plugin-observability/plugin'
import statesPlugin from '@motiadev/plugin-states/plugin'
import bullmqPlugin from '@motiadev/plugin-bullmq/plugin'
import { BullMQEventAdapter } from '@motiadev/adapter-bullmq-events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { inProcessApiPlugin } from './plugins/in-process-api'
import { apiBodyReader } from './shared/http/body-reader'
import { checkBearer } from './shared/ingress/bearer'
import { redisConnectionFromUrl, redisUrlFromEnv } from './shared/redis/client'

/** Motia's own POST /emit would let anyone inject pipeline events: it needs the API token. */
function guardEmit(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (req.method !== 'POST') return next()
  const denied = checkBearer({ headers: req.headers, rawBody: '', body: null }, process.env.CICD_API_TOKEN)
  if (!denied) return next()
  res.statusCode = denied.status
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(denied.body))
}

const redis = redisConnectionFromUrl(redisUrlFromEnv())

export default defineConfig({
  redis: { useMemoryServer: false, ...redis },
  // One queue prefix for `motia dev` and `motia start` (they differ by default, and Motia's
  // queue browser crashes on queue keys made under the other prefix).
  adapters: { events: new BullMQEventAdapter({ connection: redis, prefix: 'motia:events' }) },
  app: (app) => {
    app.use('/emit', guardEmit)
    app.use(apiBodyReader())
  },
  plugins: [inProcessApiPlugin, observabilityPlugin, statesPlugin, endpointPlugin, logsPlugin, bullmqPlugin],
})
