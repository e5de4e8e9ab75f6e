import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changedFiles, type ChangedFile } from '../../shared/git/changes'
import { GitError } from '../../shared/git/git'
import { prepareWorkspace, removeWorkspace, resolveCommit, workspaceDir } from '../../shared/git/workspace'
import { ZERO_SHA } from '../../shared/github/push-event'

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
}

function sh(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=CI Test', '-c', 'user.email=ci@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    env: GIT_ENV,
    encoding: 'utf8',
  }).trim()
}

function write(dir: string, file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
  writeFileSync(path.join(dir, file), text)
}

function commit(dir: string, message: string): string {
  sh(dir, 'add', '-A')
  sh(dir, 'commit', '-q', '--allow-empty', '-m', message)
  return sh(dir, 'rev-parse', 'HEAD')
}

function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true })
  sh(dir, 'init', '-q', '-b', 'main')
}

const lines = (n: number, prefix = 'line') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n'

function byPath(files: ChangedFile[]): Record<string, ChangedFile> {
  return Object.fromEntries(files.map((f) => [f.path, f]))
}

let tmp: string
let repo: string
let c1: string // root: a.txt (3 lines), b.txt (2 lines), d.txt (20 lines), img.bin
let c2: string // a.txt modified (+2 -1), b.txt deleted, c.txt added, d.txt renamed to sub/e.txt (one line changed), spaced name added, img.bin changed
let c3: string // README changed

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cicd-git-'))
  repo = path.join(tmp, 'repo')
  initRepo(repo)
  write(repo, 'a.txt', 'one\ntwo\nthree\n')
  write(repo, 'b.txt', 'bee\nbuzz\n')
  write(repo, 'd.txt', lines(20))
  write(repo, 'img.bin', Buffer.from([0, 1, 2, 3, 0, 255, 254]))
  c1 = commit(repo, 'root')

  write(repo, 'a.txt', 'one\nTWO\nthree\nfour\n') // -two +TWO +four
  unlinkSync(path.join(repo, 'b.txt'))
  write(repo, 'c.txt', 'new\nfile\nhere\n')
  mkdirSync(path.join(repo, 'sub'))
  renameSync(path.join(repo, 'd.txt'), path.join(repo, 'sub/e.txt'))
  write(repo, 'sub/e.txt', lines(20).replace('line 7\n', 'line seven\n'))
  write(repo, 'dir with space/ü ñ.txt', 'x\n')
  write(repo, 'img.bin', Buffer.from([0, 9, 9, 9, 0, 255]))
  c2 = commit(repo, 'second')

  write(repo, 'README.md', '# hi\n')
  c3 = commit(repo, 'third')
})

afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('changedFiles', () => {
  it('a root commit lists every file as added, with line counts', async () => {
    const cs = await changedFiles(repo, c1)
    expect(cs.base).toBeNull()
    expect(cs.head).toBe(c1)
    expect(cs.note).toMatch(/root commit/)
    const f = byPath(cs.files)
    expect(Object.keys(f).sort()).toEqual(['a.txt', 'b.txt', 'd.txt', 'img.bin'])
    for (const file of cs.files) expect(file.kind).toBe('added')
    expect(f['a.txt']).toMatchObject({ additions: 3, deletions: 0 })
    expect(f['b.txt']).toMatchObject({ additions: 2, deletions: 0 })
    expect(f['d.txt']).toMatchObject({ additions: 20, deletions: 0 })
    expect(f['img.bin']).toMatchObject({ additions: 0, deletions: 0 }) // binary: git reports "-"
    expect(cs.additions).toBe(25)
    expect(cs.deletions).toBe(0)
  })

  it('a root commit with before = 40 zeros is still a root commit', async () => {
    const cs = await changedFiles(repo, c1, ZERO_SHA)
    expect(cs.base).toBeNull()
    expect(cs.note).toMatch(/root commit/)
    expect(cs.files).toHaveLength(4)
  })

  it('added, modified, deleted and renamed files with addition and deletion counts', async () => {
    const cs = await changedFiles(repo, c2, c1)
    expect(cs.base).toBe(c1)
    expect(cs.head).toBe(c2)
    expect(cs.note).toBeUndefined()
    const f = byPath(cs.files)
    expect(Object.keys(f).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'dir with space/ü ñ.txt', 'img.bin', 'sub/e.txt'])
    expect(f['a.txt']).toEqual({ path: 'a.txt', kind: 'modified', additions: 2, deletions: 1 })
    expect(f['b.txt']).toEqual({ path: 'b.txt', kind: 'deleted', additions: 0, deletions: 2 })
    expect(f['c.txt']).toEqual({ path: 'c.txt', kind: 'added', additions: 3, deletions: 0 })
    expect(f['sub/e.txt']).toEqual({ path: 'sub/e.txt', from: 'd.txt', kind: 'renamed', additions: 1, deletions: 1 })
    expect(f['dir with space/ü ñ.txt']).toEqual({ path: 'dir with space/ü ñ.txt', kind: 'added', additions: 1, deletions: 0 })
    expect(f['img.bin']).toEqual({ path: 'img.bin', kind: 'modified', additions: 0, deletions: 0 })
    expect(cs.additions).toBe(2 + 3 + 1 + 1)
    expect(cs.deletions).toBe(1 + 2 + 1)
  })

  it('a pure rename counts no lines', async () => {
    const dir = path.join(tmp, 'pure-rename')
    initRepo(dir)
    write(dir, 'old/name.ts', lines(5))
    const a = commit(dir, 'a')
    renameSync(path.join(dir, 'old'), path.join(dir, 'new'))
    const b = commit(dir, 'b')
    const cs = await changedFiles(dir, b, a)
    expect(cs.files).toEqual([{ path: 'new/name.ts', from: 'old/name.ts', kind: 'renamed', additions: 0, deletions: 0 }])
  })

  it('before = 40 zeros (a new branch) compares with the parent', async () => {
    const cs = await changedFiles(repo, c3, ZERO_SHA)
    expect(cs.base).toBe(c2)
    expect(cs.note).toMatch(/new branch/)
    expect(cs.files).toEqual([{ path: 'README.md', kind: 'added', additions: 1, deletions: 0 }])
  })

  it('no before compares with the parent', async () => {
    for (const before of [undefined, null, '']) {
      const cs = await changedFiles(repo, c3, before)
      expect(cs.base).toBe(c2)
      expect(cs.files.map((f) => f.path)).toEqual(['README.md'])
    }
  })

  it('a before that is not in the repository (force push) falls back to the parent with a note', async () => {
    const gone = 'deadbeef'.repeat(5)
    const cs = await changedFiles(repo, c3, gone)
    expect(cs.base).toBe(c2)
    expect(cs.note).toMatch(/not in the repository/)
    expect(cs.note).toContain('deadbee')
    expect(cs.files.map((f) => f.path)).toEqual(['README.md'])
  })

  it('a before further back covers every commit in between', async () => {
    const cs = await changedFiles(repo, c3, c1)
    expect(cs.base).toBe(c1)
    expect(cs.files.map((f) => f.path).sort()).toEqual(['README.md', 'a.txt', 'b.txt', 'c.txt', 'dir with space/ü ñ.txt', 'img.bin', 'sub/e.txt'])
  })

  it('works with refs and short shas', async () => {
    const cs = await changedFiles(repo, 'main', c2.slice(0, 8))
    expect(cs.base).toBe(c2.slice(0, 8))
    expect(cs.files.map((f) => f.path)).toEqual(['README.md'])
  })

  it('an unchanged tree (empty commit) has no files', async () => {
    const dir = path.join(tmp, 'empty-commit')
    initRepo(dir)
    write(dir, 'x', 'x\n')
    const a = commit(dir, 'a')
    const b = commit(dir, 'empty')
    const cs = await changedFiles(dir, b, a)
    expect(cs).toEqual({ base: a, head: b, files: [], additions: 0, deletions: 0 })
  })
})

describe('workspaceDir', () => {
  it('is the run id under the root, resolved', () => {
    expect(workspaceDir('/var/ws', 'run_01-abc')).toBe('/var/ws/run_01-abc')
    expect(workspaceDir('rel/ws', 'R1')).toBe(path.resolve('rel/ws', 'R1'))
  })

  it.each(['', '.', '..', '../etc', 'a/b', 'a\\b', 'a b', 'run;rm -rf', 'a.b', '~root', 'x\n'])('rejects the unsafe run id %j', (id) => {
    expect(() => workspaceDir('/var/ws', id)).toThrow(/unsafe run id/)
  })
})

describe('prepareWorkspace / removeWorkspace / resolveCommit', () => {
  let root: string
  beforeAll(() => {
    root = path.join(tmp, 'workspaces')
  })

  it('resolveCommit names the commit a ref points at', async () => {
    expect(await resolveCommit(repo)).toBe(c3)
    expect(await resolveCommit(repo, 'main')).toBe(c3)
    expect(await resolveCommit(repo, 'main~2')).toBe(c1)
    expect(await resolveCommit(repo, c2.slice(0, 10))).toBe(c2)
  })

  it('resolveCommit rejects an unknown ref', async () => {
    await expect(resolveCommit(repo, 'no-such-branch')).rejects.toBeInstanceOf(GitError)
  })

  it('checks out exactly the commit asked for, not the branch head', async () => {
    const ws = await prepareWorkspace(repo, c1, root, 'run-exact')
    expect(ws).toEqual({ dir: path.join(root, 'run-exact'), commit: c1, reused: false })
    expect(readFileSync(path.join(ws.dir, 'a.txt'), 'utf8')).toBe('one\ntwo\nthree\n')
    expect(existsSync(path.join(ws.dir, 'b.txt'))).toBe(true)
    expect(existsSync(path.join(ws.dir, 'README.md'))).toBe(false)
    expect(sh(ws.dir, 'rev-parse', 'HEAD')).toBe(c1)
    expect(sh(ws.dir, 'status', '--porcelain')).toBe('')
  })

  it('reuses an existing checkout of the same commit', async () => {
    const first = await prepareWorkspace(repo, c2, root, 'run-reuse')
    expect(first.reused).toBe(false)
    writeFileSync(path.join(first.dir, 'build-output.txt'), 'made by the build stage')
    const second = await prepareWorkspace(repo, c2, root, 'run-reuse')
    expect(second).toEqual({ dir: first.dir, commit: c2, reused: true })
    expect(readFileSync(path.join(second.dir, 'build-output.txt'), 'utf8')).toBe('made by the build stage')
    // a short sha of the same commit reuses too, and reports the full sha
    const third = await prepareWorkspace(repo, c2.slice(0, 7), root, 'run-reuse')
    expect(third).toEqual({ dir: first.dir, commit: c2, reused: true })
  })

  it('a different commit for the same run starts afresh', async () => {
    const ws = await prepareWorkspace(repo, c2, root, 'run-switch')
    writeFileSync(path.join(ws.dir, 'stale.txt'), 'x')
    const again = await prepareWorkspace(repo, c3, root, 'run-switch')
    expect(again).toEqual({ dir: ws.dir, commit: c3, reused: false })
    expect(existsSync(path.join(again.dir, 'stale.txt'))).toBe(false)
    expect(existsSync(path.join(again.dir, 'README.md'))).toBe(true)
  })

  it('a short sha is resolved to the full commit', async () => {
    const ws = await prepareWorkspace(repo, c2.slice(0, 9), root, 'run-short')
    expect(ws.commit).toBe(c2)
    expect(ws.reused).toBe(false)
  })

  it('accepts a file:// clone URL', async () => {
    const ws = await prepareWorkspace(`file://${repo}`, c3, root, 'run-url')
    expect(ws.commit).toBe(c3)
    expect(readFileSync(path.join(ws.dir, 'README.md'), 'utf8')).toBe('# hi\n')
  })

  it("a pull request's head that no branch reaches (refs/pull/N/head, as GitHub keeps forks' heads) is fetched", async () => {
    // a commit on a throwaway branch, then only refs/pull/7/head points at it
    sh(repo, 'checkout', '-q', '-b', 'fork-work')
    writeFileSync(path.join(repo, 'fork.txt'), 'from a fork\n')
    sh(repo, 'add', 'fork.txt')
    sh(repo, 'commit', '-q', '-m', 'fork change')
    const head = sh(repo, 'rev-parse', 'HEAD')
    sh(repo, 'update-ref', 'refs/pull/7/head', head)
    sh(repo, 'checkout', '-q', 'main')
    sh(repo, 'branch', '-q', '-D', 'fork-work')
    for (const [id, ref] of [['run-pr-full', head], ['run-pr-short', head.slice(0, 9)]] as const) {
      // file:// clones over git's transport (a path clone copies every object, reachable or not)
      const ws = await prepareWorkspace(`file://${repo}`, ref, root, id)
      expect(ws.commit).toBe(head)
      expect(readFileSync(path.join(ws.dir, 'fork.txt'), 'utf8')).toBe('from a fork\n')
    }
    sh(repo, 'update-ref', '-d', 'refs/pull/7/head')
  })

  it('an unknown commit is a clear error naming the commit, and leaves no directory', async () => {
    const missing = 'abcdef0123456789abcdef0123456789abcdef01'
    const err = await prepareWorkspace(repo, missing, root, 'run-missing').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitError)
    expect((err as GitError).message).toContain(missing)
    expect((err as GitError).message).toContain(repo)
    expect((err as GitError).message).toMatch(/is not in/)
    expect(existsSync(path.join(root, 'run-missing'))).toBe(false)
  })

  it('a source that is not a repository is a clone error', async () => {
    const nowhere = path.join(tmp, 'no-such-repo')
    const err = await prepareWorkspace(nowhere, c1, root, 'run-nosrc').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitError)
    expect((err as GitError).message).toMatch(/^cannot clone /)
    expect((err as GitError).message).toContain(nowhere)
    expect(existsSync(path.join(root, 'run-nosrc'))).toBe(false)
  })

  it('a broken checkout in the run directory is replaced', async () => {
    const dir = path.join(root, 'run-broken')
    mkdirSync(path.join(dir, '.git'), { recursive: true })
    writeFileSync(path.join(dir, 'junk'), 'x')
    const ws = await prepareWorkspace(repo, c1, root, 'run-broken')
    expect(ws).toEqual({ dir, commit: c1, reused: false })
    expect(existsSync(path.join(dir, 'junk'))).toBe(false)
  })

  it('rejects unsafe run ids before touching the disk', async () => {
    await expect(prepareWorkspace(repo, c1, root, '../escape')).rejects.toThrow(/unsafe run id/)
    expect(existsSync(path.join(tmp, 'escape'))).toBe(false)
    await expect(removeWorkspace(root, '../workspaces')).rejects.toThrow(/unsafe run id/)
    expect(existsSync(root)).toBe(true)
  })

  it('removeWorkspace deletes the run directory and is idempotent', async () => {
    const ws = await prepareWorkspace(repo, c1, root, 'run-remove')
    expect(existsSync(ws.dir)).toBe(true)
    await removeWorkspace(root, 'run-remove')
    expect(existsSync(ws.dir)).toBe(false)
    await expect(removeWorkspace(root, 'run-remove')).resolves.toBeUndefined()
  })
})
