/**
 * Seed 001's "a model per agent?": `healer.models` in cicd.yml picks the model of the HealerAgent's
 * call by the specialist the classifier routed the failure to, else `defaults.llm.models.healer`,
 * else `defaults.llm.model`. The model is a real HTTP server on loopback speaking OpenAI's
 * chat-completions protocol (ScriptedOpenAIServer, standing in for Ollama), which records the model
 * each request names; the dedup ledger is the real Redis (db 9, own prefix).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createModelRuntime } from '../../agents/runtime/runtime'
import { ConfigError } from '../../shared/config/errors'
import { parseConfig } from '../../shared/config/load'
import { cicdConfigSchema, type CicdConfig } from '../../shared/config/schema'
import { RemediationLedger } from '../../shared/healer/dedup'
import { triageFailure, type RemediateDeps } from '../../shared/healer/intake'
import { healerLlmFor } from '../../shared/healer/models'
import { ScriptedOpenAIServer } from '../helpers/openai-server'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const llm = new ScriptedOpenAIServer()
const prefix = `cicd:test:specialist-models:${randomUUID()}:`
let redis: Redis

beforeAll(async () => {
  await llm.start()
  redis = new Redis(testRedisUrl(9))
})
afterAll(async () => {
  await llm.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const config = (healer: Record<string, unknown>, models: Record<string, string> = {}): CicdConfig =>
  cicdConfigSchema.parse({ defaults: { llm: { enabled: 'on', base_url: llm.baseURL, model: 'general:7b', models, timeout: 5, transport_retries: 0 } }, healer })

const deps = (cfg: CicdConfig): Omit<RemediateDeps, 'token'> => ({
  github: new Octokit({ baseUrl: 'http://127.0.0.1:9' }), // never called: the logs are given
  ledger: new RemediationLedger(redis, prefix),
  branchWindowMs: 1000,
  processBots: false,
  save: async () => {},
  modelFor: (agent) => createModelRuntime(healerLlmFor(cfg.defaults.llm, cfg.healer.models, agent), {}),
})

let run = 0
/** Triages a fixture log; returns the model the HealerAgent's request named. */
async function modelAsked(cfg: CicdConfig, log: string, workflow: string): Promise<{ model: string | undefined; agent: unknown }> {
  const before = llm.requests.length
  const answer = await triageFailure({ repo: 'acme/models', runId: ++run, attempt: 1, branch: `b${run}`, sha: randomUUID().replace(/-/g, '').padEnd(40, '0'), workflow, conclusion: 'failure', log: { text: readFileSync(path.join(FIX, log), 'utf8'), job: 'job' } }, deps(cfg))
  const asked = llm.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'))
  expect(asked).toHaveLength(1)
  return { model: asked[0]?.body.model, agent: answer.body.agent }
}

describe('healer.models: a model per specialist (scripted OpenAI-compatible server on loopback)', () => {
  it("asks healer.models.rex for a failure routed to Rex, and defaults.llm.models.healer for Blaze's (not named)", async () => {
    const cfg = config({ models: { rex: 'rex-coder:14b', bolt: 'bolt:7b' } }, { healer: 'healer-default:7b' })
    expect(await modelAsked(cfg, 'ci-0010.log', 'CI')).toEqual({ model: 'rex-coder:14b', agent: 'rex' })
    expect(await modelAsked(cfg, 'ci-0003.log', 'Build & Deploy')).toEqual({ model: 'healer-default:7b', agent: 'blaze' })
    expect(await modelAsked(cfg, 'ci-0004.log', 'Terraform')).toEqual({ model: 'bolt:7b', agent: 'bolt' })
  })

  it('falls back to defaults.llm.model when neither names one', async () => {
    expect(await modelAsked(config({}), 'ci-0010.log', 'CI')).toEqual({ model: 'general:7b', agent: 'rex' })
  })

  it('names the field of a bad healer.models entry', () => {
    const bad = (yaml: string) => {
      try {
        parseConfig(yaml, 'cicd.yml')
      } catch (err) {
        return err instanceof ConfigError ? err.message : String(err)
      }
      return 'accepted'
    }
    expect(bad('healer:\n  models: { rex: "" }\n')).toContain('healer.models.rex')
    expect(bad('healer:\n  models: { rexx: "qwen" }\n')).toContain('healer.models')
    expect(bad('healer:\n  models: { blaze: 7 }\n')).toContain('healer.models.blaze')
    expect(cicdConfigSchema.parse({}).healer.models).toEqual({})
  })
})
