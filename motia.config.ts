import { defineConfig } from 'motia'
import endpointPlugin from '@motiadev/plugin-endpoint/plugin'
import logsPlugin from '@motiadev/plugin-logs/plugin'
import observabilityPlugin from '@motiadev/plugin-observability/plugin'
import statesPlugin from '@motiadev/plugin-states/plugin'
import bullmqPlugin from '@motiadev/plugin-bullmq/plugin'
import { inProcessApiPlugin } from './plugins/in-process-api'
export default defineConfig({
  redis: { useMemoryServer: false, host: '127.0.0.1', port: 6390 },
  plugins: [inProcessApiPlugin, observabilityPlugin, statesPlugin, endpointPlugin, logsPlugin, bullmqPlugin],
})
