import os from 'node:os'
import type { Redis } from 'ioredis'
import { loadConfig } from '../config/load'
import type { CicdConfig } from '../config/schema'
import { githubClient } from '../github/actions-client'
import { sharedRedis } from '../redis/client'
import { PubSubBridge, type BridgeOutcome } from './bridge'
import type { Subscription } from './channels'
import { Coordinator } from './coordinator'
import { keysFromEnv } from './keys'
import { Publisher, type CoordinationDeps } from './publisher'
import { SmokeGate, type StartSmoke } from './smoke-gate'
import { CiWatcher } from './watcher'

/** This instance's name (CICD_INSTANCE_ID, else the host name): its consumer name and heartbeat. */
export function instanceId(env: NodeJS.ProcessEnv = process.env): string {
  return (env.CICD_INSTANCE_ID || os.hostname()).slice(0, 100)
}

/** The notify webhook: CICD_NOTIFY_WEBHOOK_URL, else `coordination.notify.webhook_url`. A secret. */
export function notifyUrl(config: CicdConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CICD_NOTIFY_WEBHOOK_URL || config.coordination.notify.webhook_url || undefined
}

export interface WiringOptions {
  redis?: Redis
  config?: () => CicdConfig
  env?: NodeJS.ProcessEnv
}

/** What every coordination object needs, from the environment (REDIS_URL, CICD_CONFIG, …). */
export function coordinationDeps(source: string, o: WiringOptions = {}): CoordinationDeps {
  const env = o.env ?? process.env
  return {
    redis: o.redis ?? sharedRedis(env),
    keys: keysFromEnv(env),
    config: o.config ?? (() => loadConfig(env).config),
    source,
    instance: instanceId(env), // stable: heartbeats of a process per cron tick must not pile up
  }
}

export function publisherFromEnv(source: string, o: WiringOptions = {}): Publisher {
  return new Publisher(coordinationDeps(source, o))
}

const publishers = new Map<string, Publisher>()
/** One publisher per source for a long-lived process (the server's API handlers). */
export function sharedPublisher(source: string): Publisher {
  let p = publishers.get(source)
  if (!p) publishers.set(source, (p = publisherFromEnv(source)))
  return p
}

export function coordinatorFromEnv(o: WiringOptions = {}): Coordinator {
  const env = o.env ?? process.env
  const deps = coordinationDeps('ci_coordinator', o)
  return new Coordinator({ ...deps, github: githubClient(env), notifyUrl: () => notifyUrl(deps.config(), env), consumer: `coordinator@${instanceId(env)}` })
}

export function watcherFromEnv(o: WiringOptions = {}): CiWatcher {
  const env = o.env ?? process.env
  return new CiWatcher({ ...coordinationDeps('ci_watcher', o), github: githubClient(env) })
}

/**
 * The pub/sub bridge of this instance (`coordination.bridge.enabled`, on by default): messages
 * outside agents PUBLISH on ci:events / ci:commands, into the durable queues once across instances.
 */
export async function startBridge(o: WiringOptions & { onOutcome?: (o: BridgeOutcome) => void; onError?: (err: unknown) => void } = {}): Promise<Subscription | null> {
  const deps = coordinationDeps('ci_bridge', o)
  if (!deps.config().coordination.bridge.enabled) return null
  return new PubSubBridge(new Publisher(deps)).start(o.onOutcome, o.onError)
}

/** The smoke gate of a server instance: `start` records and starts a smoke run (Motia's state and queue). */
export function smokeGateFromEnv(start: StartSmoke, o: WiringOptions = {}): SmokeGate {
  const env = o.env ?? process.env
  return new SmokeGate(new Publisher(coordinationDeps('ci_smoke', o)), start, `smoke@${instanceId(env)}`)
}
