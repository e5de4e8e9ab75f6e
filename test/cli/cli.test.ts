/** The `cicd` command as a user runs it: a real process, real git repositories. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeProject, TempRepo } from '../helpers/git-repo'

const ROOT = path.resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-cli-'))
const repos: TempRepo[] = []
afterAll(() => {
  for (const r of repos) r.remove()
  rmSync(tmp, { recursive: true, force: true })
})

function cicd(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/cicd.mjs'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CICD_CONFIG: path.join(tmp, 'none.yml'), ...env },
    timeout: 120_000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('cicd run', () => {
  it('runs a repository the config does not name, with a detected pipeline and per-stage progress', () => {
    const repo = new TempRepo()
    repos.push(repo)
    repo.commit(nodeProject())
    const r = cicd(['run', '--repo', repo.dir])
    expect(r.code, r.out + r.err).toBe(0)
    expect(r.out).toContain('detected pipeline')
    expect(r.out).toContain('▶ build')
    expect(r.out).toContain('✔ test')
    expect(r.out).toContain('✔ run succeeded')
  })

  it('exits 1 and names the failing test when tests fail; --json prints the run', () => {
    const repo = new TempRepo()
    repos.push(repo)
    repo.commit(nodeProject({ failing: true }))
    const r = cicd(['run', '--repo', repo.dir, '--json', '--quiet'])
    expect(r.code).toBe(1)
    const run = JSON.parse(r.out) as { status: string; reason: string; stages: Array<{ name: string; status: string }> }
    expect(run.status).toBe('failed')
    expect(run.reason).toContain('adds')
    expect(r.err).toContain('✖ run failed')
  })

  it('explains an unknown repository', () => {
    const r = cicd(['run', '--repo', 'nowhere'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('"nowhere" is neither a repository in')
  })

  it('refuses a --before or --commit that is not a sha, naming the option', () => {
    const r = cicd(['run', '--repo', 'nowhere', '--before', 'nothex'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('--before: "nothex" is not a commit sha')
    expect(cicd(['run', '--repo', 'nowhere', '--commit', 'HEAD~1']).err).toContain('--commit: "HEAD~1" is not a commit sha')
  })
})

describe('cicd validate-config', () => {
  it('names the file, the path and the allowed values of a bad setting', () => {
    const file = path.join(tmp, 'bad.yml')
    writeFileSync(file, 'repositories:\n  - name: web\n    path: .\n    deploy:\n      production:\n        strategy: bluegreen\n')
    const r = cicd(['validate-config', file])
    expect(r.code).toBe(1)
    expect(r.err).toContain(file)
    expect(r.err).toContain('repositories[0].deploy.production.strategy')
    expect(r.err).toContain('"blue-green"')
  })

  it('accepts the repository’s own config/cicd.yml', () => {
    const r = cicd(['validate-config', path.join(ROOT, 'config/cicd.yml')])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('valid, 1 repository (demo)')
  })
})

describe('cicd runs / status against a server', () => {
  it('says clearly when no server answers', () => {
    const r = cicd(['runs', '--server', 'http://127.0.0.1:9'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('no server answers at http://127.0.0.1:9')
  })

  it('rejects an unknown command with the usage', () => {
    const r = cicd(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('unknown command "frobnicate"')
  })
})
