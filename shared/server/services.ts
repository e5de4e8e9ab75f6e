import { loadConfig } from '../config/load'
import { RedisDeliveryLedger, type DeliveryLedger } from '../ingress/deliveries'
import { sharedRedis } from '../redis/client'
import { RunStore, type KeyValueState } from '../runs/store'
import { createPipelineEnv, type PipelineEnv } from '../pipeline/env'

/** Wiring shared by the steps: what they need, built from the environment, nothing more. */
let ledger: DeliveryLedger | undefined
export function deliveryLedger(): DeliveryLedger {
  ledger ??= new RedisDeliveryLedger(sharedRedis())
  return ledger
}

export function currentConfig() {
  return loadConfig().config
}

export function pipelineEnvFor(state: KeyValueState): Promise<PipelineEnv> {
  return createPipelineEnv({ config: currentConfig(), runs: new RunStore(state) })
}

export const serverSettings = {
  webhookSecret: () => process.env.GITHUB_WEBHOOK_SECRET || undefined,
  insecureWebhooks: () => process.env.CICD_INSECURE_WEBHOOKS === '1',
  apiToken: () => process.env.CICD_API_TOKEN || undefined,
}
