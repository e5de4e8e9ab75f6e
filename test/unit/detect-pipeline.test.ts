import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repositorySchema } from '../../shared/config/schema'
import { detectPipeline, repoNameFromDir } from '../../shared/detect/pipeline'

let root: string
let n = 0

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cicd-detect-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A fresh project folder with the given files ("dir/" makes a folder). */
function project(files: Record<string, string>, name = `proj-${++n}`): string {
  const dir = path.join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) {
    if (file.endsWith('/')) mkdirSync(path.join(dir, file), { recursive: true })
    else {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      writeFileSync(path.join(dir, file), text)
    }
  }
  return dir
}

const pkg = (p: Record<string, unknown>) => JSON.stringify(p, null, 2)
const DEFAULT_REPORTS = ['**/junit*.xml', 'reports/**/*.xml']

describe('detectPipeline: Node', () => {
  it('dependencies + lockfile → npm ci, then the build script; the test script → npm test', () => {
    const dir = project({
      'package.json': pkg({ scripts: { build: 'tsc', test: 'vitest run' }, dependencies: { zod: '^4' }, devDependencies: { typescript: '^5' } }),
      'package-lock.json': '{}',
    })
    const { repo, notes } = detectPipeline(dir)
    expect(repo.build.commands).toEqual(['npm ci --no-audit --no-fund', 'npm run build'])
    expect(repo.test.commands).toEqual(['npm test'])
    expect(notes).toContain('package.json: dependencies, build script, test script')
    expect(repo.test.report.paths).toEqual(DEFAULT_REPORTS)
  })

  it('npm-shrinkwrap.json counts as a lockfile; no lockfile → npm install', () => {
    expect(detectPipeline(project({ 'package.json': pkg({ dependencies: { a: '1' } }), 'npm-shrinkwrap.json': '{}' })).repo.build.commands).toEqual([
      'npm ci --no-audit --no-fund',
    ])
    expect(detectPipeline(project({ 'package.json': pkg({ devDependencies: { a: '1' } }) })).repo.build.commands).toEqual(['npm install --no-audit --no-fund'])
  })

  it("ignores npm's placeholder test script", () => {
    const dir = project({ 'package.json': pkg({ name: 'x', scripts: { test: 'echo "Error: no test specified" && exit 1' } }) })
    const { repo, notes } = detectPipeline(dir)
    expect(repo.test.commands).toEqual([])
    expect(repo.build.commands).toEqual([])
    expect(notes).toContain('package.json: no build or test script')
  })

  it('the placeholder test script leaves room for a Makefile test target', () => {
    const dir = project({
      'package.json': pkg({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
      Makefile: 'build:\n\tcc main.c\n\ntest: build\n\t./run-tests\n',
    })
    expect(detectPipeline(dir).repo.test.commands).toEqual(['make test'])
  })

  it('a package.json that is not JSON is noted and ignored', () => {
    const { repo, notes } = detectPipeline(project({ 'package.json': '{ nope' }))
    expect(notes).toContain('package.json is not valid JSON: its scripts are ignored')
    expect(repo.build.commands).toEqual([])
    expect(repo.test.commands).toEqual([])
  })
})

describe('detectPipeline: other ecosystems', () => {
  it('Cargo.toml → cargo build and cargo test', () => {
    const { repo, notes } = detectPipeline(project({ 'Cargo.toml': '[package]\nname = "x"\n' }))
    expect(repo.build.commands).toEqual(['cargo build --all-targets'])
    expect(repo.test.commands).toEqual(['cargo test'])
    expect(notes).toContain('Cargo.toml: cargo build and cargo test')
  })

  it('go.mod → go build and go test', () => {
    const { repo, notes } = detectPipeline(project({ 'go.mod': 'module example.com/x\n\ngo 1.22\n' }))
    expect(repo.build.commands).toEqual(['go build ./...'])
    expect(repo.test.commands).toEqual(['go test ./...'])
    expect(notes).toContain('go.mod: go build and go test')
  })

  it.each([
    ['pyproject.toml', 'tests/'],
    ['requirements.txt', 'test/'],
    ['setup.py', 'pytest.ini'],
  ])('Python (%s + %s) → pytest writing a JUnit report', (manifest, tests) => {
    const { repo, notes } = detectPipeline(project({ [manifest]: '', [tests]: '' }))
    expect(repo.test.commands).toEqual(['python3 -m pytest --junitxml=reports/pytest.xml'])
    expect(repo.test.report).toEqual({ format: 'junit', paths: ['reports/pytest.xml'] })
    expect(notes).toContain('Python project with tests: pytest with a JUnit report')
  })

  it('Python without tests runs no pytest', () => {
    const { repo, notes } = detectPipeline(project({ 'pyproject.toml': '[project]\nname="x"\n' }))
    expect(repo.test.commands).toEqual([])
    expect(notes).toContain('nothing to build or test was recognised')
  })

  it('a Makefile test target → make test', () => {
    const { repo, notes } = detectPipeline(project({ Makefile: 'all:\n\techo hi\ntest:\n\techo testing\n' }))
    expect(repo.test.commands).toEqual(['make test'])
    expect(notes).toContain('Makefile: make test')
  })

  it('a Makefile without a test target (or with test only in another target name) is not a test command', () => {
    expect(detectPipeline(project({ Makefile: 'all:\n\techo hi\nunittest:\n\techo x\n' })).repo.test.commands).toEqual([])
  })

  it('a Makefile is not used when another test command was found', () => {
    const dir = project({ 'go.mod': 'module x\n', Makefile: 'test:\n\tgo test -race ./...\n' })
    expect(detectPipeline(dir).repo.test.commands).toEqual(['go test ./...'])
  })

  it('a Dockerfile is noted', () => {
    const { repo, notes } = detectPipeline(project({ Dockerfile: 'FROM alpine\n' }))
    expect(notes).toEqual(['Dockerfile: built as an image when a Docker engine answers'])
    expect(repo.build.commands).toEqual([])
    expect(repo.build.dockerfile).toBe('Dockerfile')
  })

  it('several ecosystems add up', () => {
    const dir = project({ 'package.json': pkg({ scripts: { build: 'vite build' } }), 'go.mod': 'module x\n', Dockerfile: 'FROM x\n' })
    const { repo, notes } = detectPipeline(dir)
    expect(repo.build.commands).toEqual(['npm run build', 'go build ./...'])
    expect(repo.test.commands).toEqual(['go test ./...'])
    expect(notes).toHaveLength(3)
  })

  it('an empty folder: nothing recognised, default report globs', () => {
    const dir = project({})
    const { repo, notes } = detectPipeline(dir)
    expect(notes).toEqual(['nothing to build or test was recognised'])
    expect(repo.build.commands).toEqual([])
    expect(repo.test.commands).toEqual([])
    expect(repo.test.report.paths).toEqual(DEFAULT_REPORTS)
  })
})

describe('detectPipeline: the repository entry', () => {
  it('is a valid repository config named after the folder, with its absolute path', () => {
    const dir = project({ 'go.mod': 'module x\n' }, 'My Service_v2')
    const { repo } = detectPipeline(dir)
    expect(repo.name).toBe('my-service_v2')
    expect(repo.path).toBe(dir)
    expect(repo.url).toBeUndefined()
    expect(repo.branches).toEqual(['main'])
    expect(repo.test.select).toBe('all')
    expect(repo.build.timeout).toBe(600_000)
    expect(repo.test.timeout).toBe(900_000)
    expect(repositorySchema.safeParse(repo).success).toBe(true)
  })

  it('resolves a relative directory', () => {
    const dir = project({}, 'relative-one')
    const rel = path.relative(process.cwd(), dir)
    expect(detectPipeline(rel).repo.path).toBe(dir)
  })
})

describe('repoNameFromDir', () => {
  it.each([
    ['/srv/git/My Repo!', 'my-repo-'],
    ['/srv/git/Web.App_v2', 'web.app_v2'],
    ['/srv/git/.hidden', 'hidden'],
    ['/srv/git/--weird--', 'weird--'],
    ['/srv/git/Ünïcödé Dir', 'n-c-d-dir'],
    ['/srv/git/___', 'repo'],
    ['/srv/git/日本語', 'repo'],
    ['/srv/git/project/', 'project'],
    ['/srv/git/a/../b', 'b'],
  ])('%s → %s', (dir, name) => {
    expect(repoNameFromDir(dir)).toBe(name)
  })

  it('always gives a name the config accepts', () => {
    for (const dir of ['/x/My Repo!', '/x/.git', '/x/%%%', '/x/ ', '/x/Ab-Cd.E_f', '/x/123', '/x/-_.']) {
      const name = repoNameFromDir(dir)
      expect(repositorySchema.safeParse({ name, path: '/x' }).success, `${dir} → ${name}`).toBe(true)
    }
  })
})
