import os from 'node:os'
import { loadConfig } from '../config/load'
import type { LlmConfig } from '../config/schema'
import { RedisDeliveryLedger, type DeliveryLedger } from '../ingress/deliveries'
import { RemediationLedger } from '../healer/dedup'
import type { RemediateDeps, RemediationRecord } from '../healer/intake'
import { markFixed, REMEDIATIONS_GROUP } from '../healer/tracking'
import { healerLlmFor } from '../healer/models'
import type { HealerAgent } from '../../agents/healer/schema'
import { recordKey } from '../healer/record'
import { githubClient } from '../github/actions-client'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { ModelRuntimeCache } from '../../agents/runtime/runtime'
import { FallbackSlots, LocalSlots } from '../../agents/runtime/slots'
import { sharedRedis } from '../redis/client'
import { RedisProbeCache } from '../redis/probe-cache'
import { RedisCounterArchive } from '../redis/counter-archive'
import type { CounterArchive } from '../metrics/archive'
import { RedisSemaphore } from '../redis/semaphore'
import { RunStore, type KeyValueState } from '../runs/store'
import { createPipelineEnv, type PipelineEnv } from '../pipeline/env'
import { dockerFromEnv } from '../executors/docker/client'
import { ApprovalStore } from '../deploy/approvals'
import type { DeployDeps } from '../deploy/deps'
import { HaproxyEdge } from '../deploy/edge/haproxy-edge'
import { EnvironmentStore } from '../deploy/environment-store'

/** Wiring shared by the steps: what they need, built from the environment, nothing more. */
let ledger: DeliveryLedger | undefined
export function deliveryLedger(): DeliveryLedger {
  ledger ??= new RedisDeliveryLedger(sharedRedis())
  return ledger
}

let remediations: RemediationLedger | undefined
export function remediationLedger(): RemediationLedger {
  remediations ??= new RemediationLedger(sharedRedis())
  return remediations
}

/** Counters of pruned runs (defaults.run_retention), on the shared Redis. */
export function counterArchive(): CounterArchive {
  return new RedisCounterArchive(sharedRedis())
}

export function currentConfig() {
  return loadConfig().config
}

export function pipelineEnvFor(state: KeyValueState): Promise<PipelineEnv> {
  const config = currentConfig()
  return createPipelineEnv({ config, runs: new RunStore(state), model: modelRuntime(config.defaults.llm) })
}

export const serverSettings = {
  webhookSecret: () => process.env.GITHUB_WEBHOOK_SECRET || undefined,
  insecureWebhooks: () => process.env.CICD_INSECURE_WEBHOOKS === '1',
  apiToken: () => process.env.CICD_API_TOKEN || undefined,
}

/** How many build (and test) stages run at once per server process. */
export function stageConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CICD_STAGE_CONCURRENCY ?? 2)
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 2
}

/**
 * Pipeline stages run in their own child process (Motia's model): lowering its CPU priority
 * (and so that of git, builds and tests it starts, which inherit it) keeps the server answering
 * webhooks quickly while pipelines run. CICD_STAGE_NICE=0 turns it off.
 */
export function lowerStagePriority(env: NodeJS.ProcessEnv = process.env): void {
  const nice = Number(env.CICD_STAGE_NICE ?? 10)
  if (!Number.isInteger(nice) || nice <= 0) return
  try {
    os.setPriority(0, Math.min(19, nice))
  } catch {
    /* not permitted: run at normal priority */
  }
}

/** Where every process and instance that shares Redis keeps the model slots of one endpoint. */
export function modelSlotsKey(endpoint: string): string {
  return `cicd:llm:slots:${endpoint}`
}

/**
 * `defaults.llm.concurrency` across processes and instances: a Redis semaphore per endpoint
 * (Motia runs each event step in its own child process, and instances share one Ollama); this
 * process's own limit while Redis does not answer.
 */
const slotsFor = (llm: LlmConfig, endpoint: string) =>
  new FallbackSlots(new RedisSemaphore(sharedRedis(), { key: modelSlotsKey(endpoint), limit: llm.concurrency }), new LocalSlots(llm.concurrency))
const probeCache = new RedisProbeCache(() => sharedRedis())
const models = new ModelRuntimeCache({ slotsFor, probeCache })

/** The LLM runtime of this process: one client and limiter, one probe (a failed probe is repeated at most once a minute). */
export function modelRuntime(llm: LlmConfig = currentConfig().defaults.llm): Promise<ModelRuntime> {
  return models.get(llm)
}

/** One runtime per specialist model (`healer.models`): each is probed once, and shares the endpoint's Redis slots. */
const specialistModels = new Map<string, ModelRuntimeCache>()
function healerModelRuntime(agent: HealerAgent): Promise<ModelRuntime> {
  const config = currentConfig()
  const llm = healerLlmFor(config.defaults.llm, config.healer.models, agent)
  if (llm === config.defaults.llm) return modelRuntime(llm)
  const model = llm.models.healer ?? llm.model
  let cache = specialistModels.get(model)
  if (!cache) specialistModels.set(model, (cache = new ModelRuntimeCache({ slotsFor, probeCache })))
  return cache.get(llm)
}

/** What the Healer's intakes need: GitHub, the dedup ledger, its settings, the LLM, and where a new remediation goes. */
export async function healerDeps(state: KeyValueState, emit: (e: { topic: string; data: unknown }) => Promise<void>): Promise<Omit<RemediateDeps, 'token'>> {
  const healer = currentConfig().healer
  return {
    model: await modelRuntime(),
    modelFor: healerModelRuntime,
    github: githubClient(),
    ledger: remediationLedger(),
    branchWindowMs: healer.branch_window,
    activeTtlMs: healer.active_ttl,
    fixBranch: healer.fix_branch,
    allowedAssociations: healer.allowed_associations,
    processBots: healer.process_bots,
    load: (id) => state.get<RemediationRecord>(REMEDIATIONS_GROUP, id),
    save: async (record) => {
      await state.set(REMEDIATIONS_GROUP, recordKey(record), record)
      await emit({ topic: 'ci.remediation.dispatched', data: { name: record.name, id: recordKey(record) } })
    },
    // a fixed remediation frees its branch (after branch_window)
    onSuccess: (repo, branch, of) => markFixed(state, repo, branch, of ?? {}, new Date(), (r) => remediationLedger().finish(r, recordKey(r))),
  }
}

/** Where the edge proxy keeps its config, pid and runtime socket (CICD_EDGE_DIR, default .cicd/edge). */
export function edgeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CICD_EDGE_DIR || '.cicd/edge'
}

/** What deploys, monitoring and rollbacks work with in a server process. */
export function deployDeps(): DeployDeps {
  return {
    docker: dockerFromEnv(),
    edge: new HaproxyEdge(edgeDir()),
    store: new EnvironmentStore(sharedRedis()),
    ...(process.env.CICD_DEPLOY_NETWORK ? { network: process.env.CICD_DEPLOY_NETWORK } : {}),
  }
}

export function approvalStore(): ApprovalStore {
  return new ApprovalStore(sharedRedis())
}
