/**
 * Failures without a log (commit statuses, other apps' check runs) are classified by their names and
 * the failing commit's changed files, read with `GET /repos/{o}/{r}/commits/{sha}` (`files[].filename`,
 * the same lookup as `[skip-healer]`) from a local HTTP server speaking GitHub's REST endpoints
 * (fake-github). Real Redis (db 9, own key prefix).
 */
import { randomUUID } from 'node:crypto'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleCheckRun, handleStatus, type RemediationRecord } from '../../shared/healer/intake'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const gh = new FakeGitHub()
let redis: Redis
const saved: RemediationRecord[] = []
const prefix = `cicd:test:changed-files:${randomUUID()}:`
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const sha = (c: string) => c.repeat(40)

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(9))
  gh.commits.set(sha('a'), 'feat: the settings page')
  gh.commitFiles.set(sha('a'), ['web/src/Settings.tsx', 'web/src/settings.css', 'web/package.json'])
  gh.commits.set(sha('b'), 'chore: bump the base image')
  gh.commitFiles.set(sha('b'), ['deploy/Dockerfile', 'charts/api/values.yaml'])
  gh.commits.set(sha('c'), 'fix: nothing to see')
})
afterAll(async () => {
  await gh.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const deps = () => ({
  github: new Octokit({ baseUrl: gh.url, log: quiet }),
  ledger: new RemediationLedger(redis, prefix),
  branchWindowMs: 600_000,
  processBots: false,
  save: async (r: RemediationRecord) => void saved.push(r),
})

// a commit status from an external CI: its context names nothing a category owns
const status = (headSha: string, id: number, branch: string, message?: string) => ({
  id,
  sha: headSha,
  state: 'failure',
  context: 'ci/build',
  branches: [{ name: branch }],
  ...(message ? { commit: { commit: { message } } } : {}),
  repository: { full_name: 'acme/files' },
  sender: { login: 'dev' },
})

describe('changed files of the failing commit route failures without a log (fake-github commit with files)', () => {
  it('routes a failed commit status by the commit\'s changed .tsx/.css/package.json to Blaze, though the payload carries the message', async () => {
    const r = await handleStatus(status(sha('a'), 9101, 'files-a', 'feat: the settings page'), deps())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ agent: 'blaze', category: 'frontend', dedup_status: 'new' })
    expect(gh.calls).toContain(`GET /repos/acme/files/commits/${sha('a')}`)
    expect(saved.at(-1)?.decision.evidence.join('\n')).toContain('changed files: web/src/Settings.tsx')
    expect(r.body.warnings).toBeUndefined()
  })

  it("routes another app's failed check run by a Dockerfile and chart values to Bolt", async () => {
    const payload = {
      action: 'completed',
      check_run: { id: 9201, name: 'ci/build', head_sha: sha('b'), conclusion: 'failure', app: { slug: 'circleci' }, check_suite: { id: 9200, head_branch: 'files-b' }, pull_requests: [] },
      repository: { full_name: 'acme/files' },
      sender: { login: 'dev' },
    }
    const r = await handleCheckRun(payload, deps())
    expect(r.body).toMatchObject({ agent: 'bolt', category: 'infra' })
  })

  it('without changed files the same status has nothing to go on (Atlas), and a failed lookup says so', async () => {
    const none = await handleStatus(status(sha('c'), 9301, 'files-c', 'fix: nothing to see'), deps())
    expect(none.body).toMatchObject({ agent: 'atlas' })
    const missing = await handleStatus(status(sha('d'), 9302, 'files-d', 'fix: an unknown commit'), deps())
    expect(missing.body).toMatchObject({ agent: 'atlas' })
    expect(String((missing.body.warnings as string[])[0])).toContain(`could not read commit ${sha('d').slice(0, 12)}'s changed files`)
  })
})
