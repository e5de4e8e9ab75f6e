import type { ApiRouteConfig } from 'motia'
import { checkHealth } from '../../shared/health/check'
import { sharedRedis } from '../../shared/redis/client'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'Health',
  description: 'Redis, Docker engine, LLM endpoint and config status',
  path: '/health',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
}

export const handler = async () => {
  const health = await checkHealth(sharedRedis())
  return { status: health.status === 'down' ? 503 : 200, body: health as unknown as Record<string, unknown> }
}
