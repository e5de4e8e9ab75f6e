import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { EnvironmentStore } from '../../shared/deploy/environment-store'
import { sharedRedis } from '../../shared/redis/client'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'ListEnvironments',
  description: 'What is live where: each environment\'s entrypoint, live/canary/standby versions, phase and history',
  path: '/api/cicd/environments',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
}

export const handler = async (_req: ApiRequest, _ctx: FlowContext) => {
  const all = await new EnvironmentStore(sharedRedis()).list()
  return { status: 200, body: { environments: all.sort((a, b) => `${a.repo}/${a.environment}`.localeCompare(`${b.repo}/${b.environment}`)) } }
}
