/** project(): what an agent needs from real GitHub webhook payloads, and nothing else. */
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { decode, encode, project, PURPOSES, type JsonValue } from '../../shared/sns/index'
import { mergeFileChanges, truncate } from '../../shared/sns/project'
import { countText } from '../../shared/sns/tokens'

interface Definition {
  name: string
  examples: Array<Record<string, unknown>>
}
const require = createRequire(import.meta.url)
const definitions = require('@octokit/webhooks-examples') as Definition[]
const examples = (name: string) => definitions.find((d) => d.name === name)?.examples ?? []

/** Every string anywhere in a value. */
function strings(v: JsonValue): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v)) return v.flatMap(strings)
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings)
  return []
}

describe('project(push)', () => {
  it('keeps repo, branch, short SHAs, pusher, message, commit count and files', () => {
    const [tagCreated, , , , branchCreated] = examples('push')
    expect(project(branchCreated, 'push')).toEqual({
      repo: 'Codertocat/Hello-World',
      branch: 'master',
      before: null,
      after: '6113728',
      created: true,
      forced: false,
      pusher: 'Codertocat',
      commits: 1,
      message: 'Initial commit',
      author: 'Codertocat',
      added: ['README.md'],
    })
    // A tag push without commits: the tag, and the head commit's files.
    expect(project(tagCreated, 'push')).toMatchObject({ tag: 'simple-tag', commits: 0, added: ['.gitignore'] })
  })

  it('merges files across commits, truncates the message and drops everything else', () => {
    const base = examples('push')[4] as Record<string, unknown>
    const commit = (id: string, added: string[], modified: string[], removed: string[], message = 'x') => ({ ...(base.head_commit as object), id, message, added, modified, removed })
    const long = `fix(build): ${'a very long explanation of the change, '.repeat(20)}`
    const payload = {
      ...base,
      ref: 'refs/heads/feature/x',
      forced: true,
      before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      commits: [
        commit('a'.repeat(40), ['src/new.ts', 'tmp/scratch.ts'], ['README.md'], ['old/gone.ts']),
        commit('b'.repeat(40), ['old/gone.ts'], ['src/new.ts', 'src/app.ts'], ['tmp/scratch.ts']),
        commit('c'.repeat(40), [], ['docs/a.md'], ['lib/legacy.ts'], long),
      ],
      head_commit: commit('c'.repeat(40), [], ['docs/a.md'], ['lib/legacy.ts'], long),
    }
    const p = project(payload, 'push') as Record<string, JsonValue>
    expect(p).toMatchObject({ branch: 'feature/x', before: '6113728', forced: true, commits: 3, author: 'Codertocat' })
    expect(p.added).toEqual(['src/new.ts'])
    expect(p.modified).toEqual(['README.md', 'docs/a.md', 'old/gone.ts', 'src/app.ts'])
    expect(p.removed).toEqual(['lib/legacy.ts'])
    expect(typeof p.message).toBe('string')
    expect(Array.from(p.message as string).length).toBeLessThanOrEqual(200)
    expect(p.message).toMatch(/^fix\(build\): a very long explanation.*…$/)
    expect(Object.keys(p).sort()).toEqual(['added', 'after', 'author', 'before', 'branch', 'commits', 'created', 'forced', 'message', 'modified', 'pusher', 'removed', 'repo'])
    // None of the API URLs, node ids, avatars or e-mail addresses of the raw payload survive.
    for (const s of strings(p)) expect(s).not.toMatch(/api\.github\.com|avatars|@users\.noreply|MDEw/)
  })
})

describe('project(workflow_job)', () => {
  it('keeps run, job, workflow, conclusion, branch, sha, failed steps and the page to open', () => {
    const failed = examples('workflow_job')[1]
    expect(project(failed, 'workflow_job')).toEqual({
      repo: 'Codertocat/Hello-World',
      action: 'completed',
      workflow: 'CodeQL',
      job: 'linters',
      runId: 2202229078,
      attempt: 1,
      status: 'completed',
      conclusion: 'failure',
      branch: 'main',
      sha: '3484a3f',
      durationSec: 198,
      runner: 'GitHub Actions 5',
      labels: ['ubuntu-latest'],
      steps: 12,
      failedSteps: [{ n: 8, name: 'Run yarn run format-check' }],
      url: 'https://github.com/octo-org/octo-repo/runs/1291536064',
    })
  })

  it('keeps null for a job still running and leaves out what is not there', () => {
    const running = project(examples('workflow_job')[0], 'workflow_job') as Record<string, JsonValue>
    expect(running.conclusion).toBeNull()
    expect(running).not.toHaveProperty('failedSteps')
    expect(running).not.toHaveProperty('durationSec')
  })
})

describe('project() in general', () => {
  it('is much smaller than the raw payload and round-trips through the notation', () => {
    for (const purpose of PURPOSES) {
      const list = examples(purpose)
      expect(list.length, purpose).toBeGreaterThan(0)
      for (const e of list) {
        const p = project(e, purpose)
        const text = encode(p)
        expect(decode(text)).toEqual(p)
        expect(countText(text)).toBeLessThan(countText(JSON.stringify(e)) * 0.1)
      }
    }
  })

  it('summarises check runs, pull requests and comments', () => {
    expect(project(examples('check_run')[1], 'check_run')).toMatchObject({ name: 'Octocoders-linter', conclusion: 'failure', sha: 'ec26c3e', branch: 'changes', pullRequests: [2] })
    expect(project(examples('pull_request')[0], 'pull_request')).toMatchObject({ action: 'opened', number: 2, base: 'master', head: 'changes', author: 'Codertocat', changedFiles: 1 })
    expect(project(examples('issue_comment')[0], 'issue_comment')).toMatchObject({ issue: 1, author: 'Codertocat', body: "You are totally right! I'll get this fixed right away." })
  })

  it('throws on an unknown purpose or a payload that is not an object', () => {
    expect(() => project({}, 'release' as never)).toThrow(/unknown purpose "release"/)
    expect(() => project([], 'push')).toThrow(/not a JSON object/)
  })

  it('helpers: truncation by code points, file merging', () => {
    expect(truncate('😀'.repeat(300))).toBe(`${'😀'.repeat(199)}…`)
    expect(truncate('short\r\n')).toBe('short')
    expect(mergeFileChanges([{ added: ['a'], removed: ['b'] }, { removed: ['a'], added: ['b'] }])).toEqual({ added: [], modified: ['b'], removed: [] })
  })
})
