/**
 * Routing corrections by agent: the HealerAgent's model refinement (a scripted OpenAI-compatible
 * server on loopback), a person's `/healer fix <agent>` (GitHub's REST endpoints on a local server,
 * fake-github) and escalation, counted for the agent a remediation was first routed to, on
 * `GET /api/status`'s stats and `/metrics`. Real Redis (db 9, own key prefix).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { OpenAICompatibleClient } from '../../agents/runtime/openai-compatible-client'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleIssueComment, handleWorkflowJob, type RemediationRecord } from '../../shared/healer/intake'
import { agentNamedIn } from '../../shared/healer/routing'
import { statusEntry } from '../../shared/healer/status-entry'
import { healerStats } from '../../shared/healer/tracking'
import { renderMetrics } from '../../shared/metrics/prometheus'
import { FakeGitHub } from '../helpers/fake-github'
import { ScriptedOpenAIServer } from '../helpers/openai-server'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const CLIPPY = readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8')
const gh = new FakeGitHub()
const llm = new ScriptedOpenAIServer()
let redis: Redis
let model: ModelRuntime
const prefix = `cicd:test:routing:${randomUUID()}:`
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
/** Remediations by key (`id`), as Motia state keeps them. */
const store = new Map<string, RemediationRecord>()
/** The latest remediation with seed 001's name (several failures on a commit share it). */
const named = (name: string) => [...store.values()].filter((r) => r.name === name).at(-1)
const PR_SHA = 'abcd0000abcd0000abcd0000abcd0000abcd0000'

beforeAll(async () => {
  await Promise.all([gh.start(), llm.start()])
  redis = new Redis(testRedisUrl(9))
  model = { client: new OpenAICompatibleClient({ baseURL: llm.baseURL, model: 'qwen2.5:7b-instruct', timeoutMs: 3000, concurrency: 1, transportRetries: 0 }) }
  const clippyJob = (id: number) => ({ id, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure' as const, steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' as const }], log: CLIPPY })
  gh.runs.set(7100, [clippyJob(71001)])
  gh.runs.set(7200, [clippyJob(72001)])
  gh.pulls.set(21, { ref: 'feat/routing', sha: PR_SHA })
  gh.workflowRuns.push({ id: 7200, name: 'CI', sha: PR_SHA, branch: 'feat/routing', attempt: 1 })
})
afterAll(async () => {
  await Promise.all([gh.stop(), llm.stop()])
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const deps = (over: { model?: ModelRuntime; withLoad?: boolean } = {}) => ({
  github: new Octokit({ baseUrl: gh.url, log: quiet }),
  ledger: new RemediationLedger(redis, prefix),
  branchWindowMs: 600_000,
  processBots: false,
  commitLookupTimeoutMs: 500,
  save: async (r: RemediationRecord) => {
    store.set(r.id ?? r.name, r)
  },
  ...(over.withLoad === false ? {} : { load: async (id: string) => store.get(id) }),
  ...(over.model ? { model: over.model } : {}),
})

const comment = (body: string) => ({
  action: 'created',
  issue: { number: 21, pull_request: { url: 'https://api.github.com/repos/acme/routing/pulls/21' } },
  comment: { body, user: { login: 'maintainer' }, author_association: 'MEMBER' },
  repository: { full_name: 'acme/routing' },
})

describe('a hint names an agent', () => {
  it('names exactly one existing agent, or one a directive points at', () => {
    expect(agentNamedIn('bolt: the base image tag is gone')).toBe('bolt')
    expect(agentNamedIn('Blaze should look at the lockfile')).toBe('blaze')
    expect(agentNamedIn('@atlas permissions')).toBe('atlas')
    expect(agentNamedIn('not rex, give it to bolt')).toBe('bolt')
    expect(agentNamedIn('rex or bolt?')).toBeUndefined()
    expect(agentNamedIn('thunderbolt rexx atlases')).toBeUndefined()
    expect(agentNamedIn('give it to zeus')).toBeUndefined()
    expect(agentNamedIn(undefined)).toBeUndefined()
  })
})

describe('routing corrections by agent (fake-github REST server, scripted model server, real Redis)', () => {
  it("records the model's refinement that changed the classifier's agent as a correction for the classifier's agent", async () => {
    llm.answer({ content: JSON.stringify({ category: 'infra', agent: 'bolt', failureType: 'docker_build', confidence: 0.7, evidence: [], reasons: ['the toolchain image is broken'] }) })
    const r = await handleWorkflowJob(
      {
        action: 'completed',
        workflow_job: { id: 71001, run_id: 7100, run_attempt: 1, workflow_name: 'CI', name: 'lint / clippy', head_branch: 'feat/llm', head_sha: 'eeee0000eeee0000eeee0000eeee0000eeee0000', conclusion: 'failure', steps: [] },
        repository: { full_name: 'acme/routing' },
      },
      deps({ model }),
    )
    expect(r.body).toMatchObject({ status: 'accepted', agent: 'bolt', rerouted_from: 'rex', coderun_name: 'healer-ci-bolt-eeee0000' })
    const saved = named('healer-ci-bolt-eeee0000')
    expect(saved).toMatchObject({ source: 'llm', originalAgent: 'rex', decision: { agent: 'bolt', category: 'infra' } })
    expect(saved?.corrections).toEqual([expect.objectContaining({ from: 'rex', to: 'bolt', by: 'llm' })])
  })

  it('a model that agrees with the classifier is no correction', async () => {
    llm.answer({ content: JSON.stringify({ category: 'rust', agent: 'rex', failureType: 'rust_clippy', confidence: 0.95, evidence: [], reasons: ['clippy -D warnings'] }) })
    const r = await handleWorkflowJob(
      {
        action: 'completed',
        workflow_job: { id: 71001, run_id: 7100, run_attempt: 2, workflow_name: 'CI', name: 'lint / clippy', head_branch: 'feat/llm-agrees', head_sha: 'ffff0000ffff0000ffff0000ffff0000ffff0000', conclusion: 'failure', steps: [] },
        repository: { full_name: 'acme/routing' },
      },
      deps({ model }),
    )
    expect(r.body.rerouted_from).toBeUndefined()
    expect(named('healer-ci-rex-ffff0000')).toMatchObject({ source: 'llm', originalAgent: 'rex', corrections: [] })
  })

  it('/healer fix naming another agent routes a new remediation there, as a human correction', async () => {
    const r = await handleIssueComment(comment('/healer fix bolt: the rust image tag was deleted'), deps())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ status: 'accepted', agent: 'bolt', rerouted_from: 'rex', coderun_name: 'healer-ci-bolt-abcd0000', pull: 21 })
    const saved = named('healer-ci-bolt-abcd0000')
    expect(saved).toMatchObject({ originalAgent: 'rex', pull: 21, hint: 'bolt: the rust image tag was deleted', decision: { agent: 'bolt', category: 'rust', failureType: 'rust_clippy' } })
    expect(saved?.corrections).toEqual([expect.objectContaining({ from: 'rex', to: 'bolt', by: 'human' })])
    expect(saved?.decision.reasons.at(-1)).toContain("a person's /healer fix named bolt")
  })

  it('/healer fix naming another agent re-routes the remediation that already exists and delivers it again', async () => {
    store.set(named('healer-ci-bolt-abcd0000')?.id as string, { ...(named('healer-ci-bolt-abcd0000') as RemediationRecord), status: 'escalated', attempts: [{ at: new Date().toISOString(), agent: 'bolt', results: [] }] })
    const withoutLoad = await handleIssueComment(comment('/healer fix blaze'), deps({ withLoad: false }))
    expect(withoutLoad.body).toMatchObject({ status: 'duplicate', dedup_status: 'existing' })
    const r = await handleIssueComment(comment('/healer fix this is for blaze, the ts build'), deps())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ status: 'rerouted', agent: 'blaze', rerouted_from: 'bolt', dedup_status: 'existing', coderun_name: 'healer-ci-bolt-abcd0000' })
    const saved = named('healer-ci-bolt-abcd0000')
    expect(saved).toMatchObject({ status: 'dispatched', originalAgent: 'rex', hint: 'this is for blaze, the ts build', decision: { agent: 'blaze' } })
    expect(saved?.corrections?.map((c) => `${c.by}:${c.from}>${c.to}`)).toEqual(['human:rex>bolt', 'human:bolt>blaze'])
    expect(saved?.attempts).toHaveLength(1) // the history stays
    const same = await handleIssueComment(comment('/healer fix blaze again'), deps())
    expect(same.body.status).toBe('duplicate') // already with blaze: nothing to re-route
  })

  it('counts corrections per original agent on /api/status stats and /metrics, with records written before corrections were kept', () => {
    const at = new Date().toISOString()
    const legacy: RemediationRecord = {
      ...(named('healer-ci-rex-ffff0000') as RemediationRecord),
      name: 'legacy',
      originalAgent: undefined,
      corrections: undefined,
      status: 'escalated',
      attempts: [
        { at, agent: 'rex', results: [] },
        { at, agent: 'atlas', results: [] },
      ],
    }
    const fixed: RemediationRecord = { ...(named('healer-ci-rex-ffff0000') as RemediationRecord), name: 'fixed', status: 'fixed', fixedAt: new Date(Date.parse(at) + 60_000).toISOString(), createdAt: at }
    const all = [...store.values(), legacy, fixed]
    const s = healerStats(all)
    // rex first: llm (rex→bolt), human (rex→bolt, then bolt→blaze), legacy escalation, and two without corrections
    expect(s.routingCorrectionsByAgent.rex).toEqual({ routed: 5, corrected: 3, rate: 0.6, by: { escalation: 1, llm: 1, human: 2 } })
    expect(s.routingCorrections).toBe(3)
    expect(s.fixed).toBe(1)
    expect(s.timeToFixP50Ms).toBe(60_000)
    const text = renderMetrics([], all)
    expect(text).toContain('healer_routing_corrections_total{agent="rex",by="human"} 2')
    expect(text).toContain('healer_routing_corrections_total{agent="rex",by="llm"} 1')
    expect(text).toContain('healer_routing_corrections_total{agent="rex",by="escalation"} 1')
    expect(text).toContain('healer_rerouted_remediations_total{agent="rex"} 3')
    expect(text).toContain('healer_routing_correction_rate{agent="rex"} 0.6')
    expect(text).toContain('healer_time_to_fix_p50_seconds 60')
    const entry = statusEntry(named('healer-ci-bolt-abcd0000') as RemediationRecord)
    expect(entry).toMatchObject({ agent: 'blaze', original_agent: 'rex', pull: 21, status: 'dispatched' })
    expect(entry.corrections.map((c) => c.by)).toEqual(['human', 'human'])
    expect(statusEntry(legacy)).toMatchObject({ original_agent: 'rex', corrections: [{ from: 'rex', to: 'atlas', by: 'escalation' }] })
  })
})
