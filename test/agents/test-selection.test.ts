/**
 * TestAgent selection against a real git repository: build a small project, commit it, change
 * it on a branch, take `git diff --name-only base HEAD` as the changed files, and select.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildImportGraph } from '../../agents/test/import-graph'
import { selectTests, type SelectTestsInput, type TestCause, type TestSelection } from '../../agents/test/select'
import { findTestFiles } from '../../agents/test/test-files'

/** Written as `${JS}` so that codemods rewriting `.js` import specifiers leave the fixture alone. */
const JS = '.js'

const FIXTURE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', private: true }, null, 2),
  'package-lock.json': JSON.stringify({ name: 'fixture', lockfileVersion: 3, packages: {} }, null, 2),
  'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
  'vitest.config.ts': "export default { test: { setupFiles: ['test/setup.ts'] } }\n",
  'README.md': '# fixture\n',
  'LICENSE': 'MIT\n',
  'docs/guide.md': '# guide\n',
  'src/leaf.ts': 'export const leaf = 1\n',
  'src/shared/helper.ts': 'export function help(n: number): number {\n  return n + 1\n}\n',
  'src/a.ts': [
    "// import { leaf } from './leaf'  <- a comment, not an import",
    `import { help } from './shared/helper${JS}'`,
    'const doc = "import { leaf } from \'./leaf\'"',
    "const quote = /['\"]/g",
    'export const a = (n: number): number => help(n) + doc.length + String(quote).length',
    '',
  ].join('\n'),
  'src/b.ts': [
    "import { a } from './a'",
    "import { help } from './shared/helper'",
    'export const b = (n: number): number => a(help(n))',
    'export async function lazyValue(): Promise<number> {',
    `  const mod = await import('./lazy${JS}')`,
    '  return mod.lazy',
    '}',
    '',
  ].join('\n'),
  'src/lazy.ts': 'export const lazy = 42\n',
  'src/legacy.cjs': 'module.exports = { legacy: true }\n',
  'src/format.ts': 'export const format = (s: string): string => s.trim()\n',
  'src/orphan.ts': 'export const orphan = 0\n',
  'test/setup.ts': 'process.env.TZ = "UTC"\n',
  'test/helpers/fixture.ts': 'export const fixture = { n: 1 }\n',
  'test/leaf.test.ts': "import { leaf } from '../src/leaf'\nimport { expect, test } from 'vitest'\ntest('leaf', () => expect(leaf).toBe(1))\n",
  'test/a.test.ts': [
    `import { a } from '../src/a${JS}'`,
    "import { fixture } from './helpers/fixture'",
    "import { expect, test } from 'vitest'",
    "test('a', () => expect(a(fixture.n)).toBeGreaterThan(0))",
    '',
  ].join('\n'),
  'test/b.test.ts': [
    "import { b, lazyValue } from '../src/b'",
    "import { fixture } from './helpers/fixture'",
    "import { expect, test } from 'vitest'",
    "test('b', async () => expect(b(fixture.n) + (await lazyValue())).toBeGreaterThan(0))",
    '',
  ].join('\n'),
  'test/legacy.test.ts': [
    "import { createRequire } from 'node:module'",
    "import { expect, test } from 'vitest'",
    'const require = createRequire(import.meta.url)',
    "const legacy = require('../src/legacy.cjs')",
    "test('legacy', () => expect(legacy.legacy).toBe(true))",
    '',
  ].join('\n'),
  // Exercises src/format.ts as a subprocess: no import edge, paired only by name.
  'test/format.test.ts': "import { execFileSync } from 'node:child_process'\nimport { test } from 'vitest'\ntest('format', () => { execFileSync('node', ['src/format.ts']) })\n",
  'test/unrelated.test.ts': "import { expect, test } from 'vitest'\ntest('unrelated', () => expect(1).toBe(1))\n",
  'test/integration/db.int.test.ts': "import { test } from 'vitest'\ntest('db', () => {})\n",
  'e2e/app.e2e.test.ts': "import { test } from '@playwright/test'\ntest('app', async ({ page }) => { await page.goto('/') })\n",
  'py/calc.py': 'def add(a, b):\n    return a + b\n',
  'py/test_calc.py': 'from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n',
  'go/mathx/add.go': 'package mathx\n\nfunc Add(a, b int) int { return a + b }\n',
  'go/mathx/sub.go': 'package mathx\n\nfunc Sub(a, b int) int { return a - b }\n',
  'go/mathx/add_test.go': 'package mathx\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {}\n',
}

const ALL_TESTS = [
  'e2e/app.e2e.test.ts',
  'go/mathx/add_test.go',
  'py/test_calc.py',
  'test/a.test.ts',
  'test/b.test.ts',
  'test/format.test.ts',
  'test/integration/db.int.test.ts',
  'test/leaf.test.ts',
  'test/legacy.test.ts',
  'test/unrelated.test.ts',
]

const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}

let repo: string

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: repo,
    env: GIT_ENV,
    encoding: 'utf8',
  })
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(repo, file)), { recursive: true })
  await writeFile(path.join(repo, file), text)
}

/** Starts a fresh branch at the base commit, applies `change`, commits, and returns the diff. */
async function change(name: string, apply: () => Promise<void>, diffArgs: string[] = ['--name-only']): Promise<string[]> {
  git('checkout', '-q', '-f', '-B', name, 'base')
  git('clean', '-q', '-fdx')
  await apply()
  git('add', '-A')
  git('commit', '-q', '--allow-empty', '-m', name)
  return git('diff', ...diffArgs, 'base', 'HEAD')
    .split('\n')
    .filter((l) => l.trim() !== '')
}

async function select(changedFiles: string[] | null, extra: Partial<SelectTestsInput> = {}): Promise<TestSelection> {
  return selectTests({ rootDir: repo, changedFiles, ...extra })
}

const files = (s: TestSelection): string[] => s.selected.map((t) => t.file)
const reasonsOf = (s: TestSelection, file: string): string[] => s.selected.find((t) => t.file === file)?.reasons ?? []
const causesOf = (s: TestSelection, file: string): TestCause[] => s.selected.find((t) => t.file === file)?.causes ?? []

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'test-selection-'))
  git('init', '-q', '-b', 'main')
  for (const [file, text] of Object.entries(FIXTURE)) await write(file, text)
  git('add', '-A')
  git('commit', '-q', '-m', 'base')
  git('tag', 'base')
})

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true })
})

describe('TestAgent selection on a real git repository', () => {
  it('finds and categorises every test file (support code is not a test)', async () => {
    const tests = await findTestFiles(repo)
    expect(tests.map((t) => t.file)).toEqual(ALL_TESTS)
    const category = Object.fromEntries(tests.map((t) => [t.file, t.category]))
    expect(category).toMatchObject({
      'e2e/app.e2e.test.ts': 'e2e',
      'test/integration/db.int.test.ts': 'integration',
      'test/leaf.test.ts': 'unit',
      'test/a.test.ts': 'unit',
      'py/test_calc.py': 'unit',
      'go/mathx/add_test.go': 'unit',
    })
  })

  it('builds the import graph: .js specifier → .ts, dynamic import and require edges, comments and strings ignored', async () => {
    const graph = await buildImportGraph(repo)
    expect(graph.importsOf('src/a.ts')).toEqual(['src/shared/helper.ts'])
    expect(graph.importsOf('test/a.test.ts')).toEqual(['src/a.ts', 'test/helpers/fixture.ts'])
    expect(graph.importsOf('src/b.ts')).toEqual(['src/a.ts', 'src/lazy.ts', 'src/shared/helper.ts'])
    expect(graph.edges).toContainEqual({ from: 'src/b.ts', to: 'src/lazy.ts', specifier: './lazy.js', kind: 'dynamic' })
    expect(graph.edges).toContainEqual({ from: 'test/legacy.test.ts', to: 'src/legacy.cjs', specifier: '../src/legacy.cjs', kind: 'require' })
    expect(graph.dependentsOf('src/shared/helper.ts')).toEqual(['src/a.ts', 'src/b.ts', 'test/a.test.ts', 'test/b.test.ts'])
    expect(graph.dependentsOf('src/leaf.ts')).toEqual(['test/leaf.test.ts'])
    expect(graph.bare.map((b) => b.specifier)).toContain('@playwright/test')
  })

  it('changing the leaf selects leaf.test, not a/b/unrelated', async () => {
    const changed = await change('leaf', () => write('src/leaf.ts', 'export const leaf = 2\n'))
    expect(changed).toEqual(['src/leaf.ts'])
    const s = await select(changed)
    expect(s.mode).toBe('affected')
    expect(files(s)).toContain('test/leaf.test.ts')
    expect(reasonsOf(s, 'test/leaf.test.ts')).toContain('imports src/leaf.ts directly')
    for (const f of ['test/a.test.ts', 'test/b.test.ts', 'test/unrelated.test.ts']) expect(files(s)).not.toContain(f)
    expect(s.skipped.find((t) => t.file === 'test/unrelated.test.ts')?.reason).toMatch(/^not affected/)

    // e2e tests are black-box: any source change selects them, unless turned off.
    expect(files(s)).toContain('e2e/app.e2e.test.ts')
    expect(reasonsOf(s, 'e2e/app.e2e.test.ts')[0]).toMatch(/^e2e test: .*src\/leaf\.ts/)
    expect(causesOf(s, 'e2e/app.e2e.test.ts')).toContainEqual({ kind: 'e2e' })
    const strict = await select(changed, { e2eOnSourceChange: false })
    expect(files(strict)).toEqual(['test/leaf.test.ts'])
  })

  it('changing the shared helper selects every test that imports it transitively, and names the chain', async () => {
    const changed = await change('helper', () => write('src/shared/helper.ts', 'export function help(n: number): number {\n  return n + 2\n}\n'))
    expect(changed).toEqual(['src/shared/helper.ts'])
    const s = await select(changed, { e2eOnSourceChange: false })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/a.test.ts', 'test/b.test.ts'])
    expect(reasonsOf(s, 'test/a.test.ts')).toEqual(['imports src/shared/helper.ts via src/a.ts'])
    expect(reasonsOf(s, 'test/b.test.ts')).toEqual(['imports src/shared/helper.ts via src/b.ts'])
    // the same causes as data: the import chain from the test's own import down to the changed file
    expect(causesOf(s, 'test/a.test.ts')).toEqual([{ kind: 'imports', chain: ['src/a.ts', 'src/shared/helper.ts'] }])
    expect(causesOf(s, 'test/b.test.ts')).toEqual([{ kind: 'imports', chain: ['src/b.ts', 'src/shared/helper.ts'] }])
    expect(s.reasons).toEqual(['src/shared/helper.ts: changed, reaches 2 tests'])
    expect(s.restated).toEqual(s.reasons) // the note only counts what the causes say
    expect(s.skipped.map((t) => t.file)).toEqual(expect.arrayContaining(['test/unrelated.test.ts', 'test/leaf.test.ts', 'test/legacy.test.ts']))
  })

  it('changing a module through its .js specifier, a dynamic import or a require reaches the tests', async () => {
    const viaJs = await select(await change('a', () => write('src/a.ts', `import { help } from './shared/helper${JS}'\nexport const a = help\n`)), {
      e2eOnSourceChange: false,
    })
    expect(files(viaJs)).toEqual(['test/a.test.ts', 'test/b.test.ts'])
    expect(reasonsOf(viaJs, 'test/a.test.ts')).toEqual(['imports src/a.ts directly'])
    expect(causesOf(viaJs, 'test/a.test.ts')).toEqual([{ kind: 'imports', chain: ['src/a.ts'] }])
    expect(reasonsOf(viaJs, 'test/b.test.ts')).toEqual(['imports src/a.ts via src/b.ts'])

    const dynamic = await select(await change('lazy', () => write('src/lazy.ts', 'export const lazy = 43\n')), { e2eOnSourceChange: false })
    expect(files(dynamic)).toEqual(['test/b.test.ts'])
    expect(reasonsOf(dynamic, 'test/b.test.ts')).toEqual(['imports src/lazy.ts via src/b.ts'])

    const required = await select(await change('legacy', () => write('src/legacy.cjs', 'module.exports = { legacy: false }\n')), {
      e2eOnSourceChange: false,
    })
    expect(files(required)).toEqual(['test/legacy.test.ts'])
  })

  it('changing a shared test helper selects the tests that import it', async () => {
    const s = await select(await change('fixture', () => write('test/helpers/fixture.ts', 'export const fixture = { n: 2 }\n')), {
      e2eOnSourceChange: false,
    })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/a.test.ts', 'test/b.test.ts'])
    expect(reasonsOf(s, 'test/a.test.ts')).toEqual(['imports test/helpers/fixture.ts directly'])
  })

  it('falls back to the naming convention when no import edge exists', async () => {
    const s = await select(await change('format', () => write('src/format.ts', 'export const format = (s: string): string => s\n')), {
      e2eOnSourceChange: false,
    })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/format.test.ts'])
    expect(reasonsOf(s, 'test/format.test.ts')).toEqual(['naming convention: src/format.ts ↔ test/format.test.ts'])
    expect(causesOf(s, 'test/format.test.ts')).toEqual([{ kind: 'name', source: 'src/format.ts' }])
  })

  it('maps Python and Go sources to their tests by name (and Go by package directory)', async () => {
    const py = await select(await change('py', () => write('py/calc.py', 'def add(a, b):\n    return b + a\n')), { e2eOnSourceChange: false })
    expect(files(py)).toEqual(['py/test_calc.py'])
    const go = await select(await change('go', () => write('go/mathx/sub.go', 'package mathx\n\nfunc Sub(a, b int) int { return b - a }\n')), {
      e2eOnSourceChange: false,
    })
    expect(files(go)).toEqual(['go/mathx/add_test.go'])
    expect(reasonsOf(go, 'go/mathx/add_test.go')).toEqual(['same Go package directory as go/mathx/sub.go'])
    expect(causesOf(go, 'go/mathx/add_test.go')).toEqual([{ kind: 'other', text: 'same Go package directory as go/mathx/sub.go' }])
  })

  it('a changed test file selects itself (and a test-only change does not pull in e2e)', async () => {
    const changed = await change('unrelated', () => write('test/unrelated.test.ts', "import { expect, test } from 'vitest'\ntest('u', () => expect(2).toBe(2))\n"))
    expect(changed).toEqual(['test/unrelated.test.ts'])
    const s = await select(changed)
    expect(s.mode).toBe('affected')
    expect(s.selected).toEqual([{ file: 'test/unrelated.test.ts', category: 'unit', reasons: ['changed test file'], causes: [{ kind: 'changed' }] }])
    expect(s.skipped).toHaveLength(ALL_TESTS.length - 1)
  })

  it('a new test file selects itself', async () => {
    const changed = await change('new-test', () => write('test/new.test.ts', "import { leaf } from '../src/leaf'\n"))
    const s = await select(changed)
    expect(files(s)).toEqual(['test/new.test.ts'])
  })

  it.each([
    ['package-lock.json', (text: string) => text.replace('"packages"', '"requires": true, "packages"'), /lockfile changed: package-lock\.json/],
    ['package.json', (text: string) => text.replace('"private"', '"version": "1.0.0", "private"'), /manifest or lockfile changed: package\.json/],
    ['tsconfig.json', () => '{ "compilerOptions": { "strict": false } }\n', /compiler configuration changed: tsconfig\.json/],
    ['vitest.config.ts', () => 'export default {}\n', /test runner configuration changed: vitest\.config\.ts/],
    ['test/setup.ts', () => 'process.env.TZ = "Europe/Paris"\n', /test setup file changed: test\/setup\.ts/],
  ])('changing %s selects all', async (file, edit, reason) => {
    const changed = await change(`all-${file}`, () => write(file, edit(FIXTURE[file] ?? '')))
    expect(changed).toEqual([file])
    const s = await select(changed)
    expect(s.mode).toBe('all')
    expect(files(s)).toEqual(ALL_TESTS)
    expect(s.skipped).toEqual([])
    expect(s.reasons.join('\n')).toMatch(reason)
    expect(s.selected.every((t) => t.reasons.some((r) => r.startsWith('select all: ')))).toBe(true)
    expect(s.selected.every((t) => t.causes.some((c) => c.kind === 'all'))).toBe(true)
    expect(s.restated).toEqual([])
  })

  it('a new .env file, or a file matching selectAllPatterns, selects all', async () => {
    const env = await select(await change('env', () => write('.env.test', 'API=http://localhost\n')))
    expect(env.mode).toBe('all')
    expect(env.reasons).toEqual(['environment file changed: .env.test'])

    const changed = await change('infra', async () => {
      await write('infra/main.tf', 'resource "x" "y" {}\n')
      await write('src/leaf.ts', 'export const leaf = 3\n')
    })
    const custom = await select(changed, { selectAllPatterns: ['infra/**'] })
    expect(custom.mode).toBe('all')
    expect(custom.reasons).toEqual(['infra/main.tf matches select-all pattern "infra/**"'])
    // The specific reason is kept next to the select-all one.
    expect(reasonsOf(custom, 'test/leaf.test.ts')[0]).toBe('imports src/leaf.ts directly')
  })

  it('a docs-only change selects nothing; docs next to code are ignored', async () => {
    const changed = await change('docs', async () => {
      await write('README.md', '# fixture\n\nMore words.\n')
      await write('docs/guide.md', '# guide\n\nMore.\n')
      await write('LICENSE', 'MIT License\n')
    })
    expect(changed).toEqual(['LICENSE', 'README.md', 'docs/guide.md'])
    const s = await select(changed)
    expect(s.mode).toBe('affected')
    expect(s.selected).toEqual([])
    expect(s.reasons[0]).toBe('docs-only change')
    expect(s.skipped.map((t) => t.file)).toEqual(ALL_TESTS)
    expect(s.skipped.every((t) => t.reason === 'docs-only change')).toBe(true)

    const mixed = await select(
      await change('docs-and-leaf', async () => {
        await write('README.md', '# fixture\n\nMore words.\n')
        await write('src/leaf.ts', 'export const leaf = 4\n')
      }),
      { e2eOnSourceChange: false },
    )
    expect(mixed.mode).toBe('affected')
    expect(files(mixed)).toEqual(['test/leaf.test.ts'])
    expect(mixed.reasons).toContain('ignored documentation changes: README.md')
  })

  it('a changed file that no test reaches (unknown impact) selects all', async () => {
    const s = await select(await change('orphan', () => write('src/orphan.ts', 'export const orphan = 1\n')))
    expect(s.mode).toBe('all')
    expect(s.reasons).toEqual(['unknown impact: nothing imports src/orphan.ts and no test matches it by name'])

    const asset = await select(await change('asset', () => write('public/logo.svg', '<svg/>\n')))
    expect(asset.mode).toBe('all')
    expect(asset.reasons[0]).toMatch(/unknown impact: nothing imports public\/logo\.svg/)

    // Markdown under a test directory is test data, not documentation.
    const fixtureDoc = await select(await change('fixture-md', () => write('test/fixtures/expected.md', '# expected\n')))
    expect(fixtureDoc.mode).toBe('all')
    expect(fixtureDoc.reasons[0]).toMatch(/unknown impact: nothing imports test\/fixtures\/expected\.md/)
  })

  it('no changed files, or an unknown list, selects all', async () => {
    const empty = await select([])
    expect(empty.mode).toBe('all')
    expect(files(empty)).toEqual(ALL_TESTS)
    const unknown = await select(null)
    expect(unknown.mode).toBe('all')
    expect(unknown.reasons[0]).toMatch(/unknown/)
  })

  it('a renamed module: the new path is judged through the graph', async () => {
    const apply = async (): Promise<void> => {
      git('mv', 'src/leaf.ts', 'src/leaf-node.ts')
      await write('test/leaf.test.ts', FIXTURE['test/leaf.test.ts']?.replace("'../src/leaf'", `'../src/leaf-node${JS}'`) ?? '')
    }
    // git's default rename detection lists only the new path.
    const changed = await change('rename', apply)
    expect(changed).toEqual(['src/leaf-node.ts', 'test/leaf.test.ts'])
    const s = await select(changed, { e2eOnSourceChange: false })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/leaf.test.ts'])
    expect(reasonsOf(s, 'test/leaf.test.ts')).toEqual(['imports src/leaf-node.ts directly', 'changed test file'])

    // Without rename detection the old path shows up as a deletion nothing references: unknown impact.
    const noRenames = await change('rename-no-detect', apply, ['--name-only', '--no-renames'])
    expect(noRenames).toEqual(['src/leaf-node.ts', 'src/leaf.ts', 'test/leaf.test.ts'])
    const blind = await select(noRenames)
    expect(blind.mode).toBe('all')
    expect(blind.reasons).toEqual(['unknown impact: src/leaf.ts was deleted and nothing references it any more'])

    // …unless the caller passes the renames it knows (git diff --name-status -M).
    const status = git('diff', '--name-status', '-M', 'base', 'HEAD')
    const renames = status
      .split('\n')
      .filter((l) => l.startsWith('R'))
      .map((l) => {
        const [, from = '', to = ''] = l.split('\t')
        return { from, to }
      })
    expect(renames).toEqual([{ from: 'src/leaf.ts', to: 'src/leaf-node.ts' }])
    const informed = await select(noRenames, { renames, e2eOnSourceChange: false })
    expect(informed.mode).toBe('affected')
    expect(files(informed)).toEqual(['test/leaf.test.ts'])
    expect(reasonsOf(informed, 'test/leaf.test.ts')).toContain('imports src/leaf-node.ts (renamed from src/leaf.ts) directly')
  })

  it('a deleted module still referenced selects the tests of the modules that import it', async () => {
    const changed = await change('delete-helper', () => unlink(path.join(repo, 'src/shared/helper.ts')))
    expect(changed).toEqual(['src/shared/helper.ts'])
    const s = await select(changed, { e2eOnSourceChange: false })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/a.test.ts', 'test/b.test.ts'])
    expect(reasonsOf(s, 'test/a.test.ts')[0]).toBe(
      "imports deleted src/shared/helper.ts ('./shared/helper.js' in src/a.ts no longer resolves); test reaches src/a.ts directly",
    )
    // rarer causes are kept as their sentence; a deleted file's note is not a restatement
    expect(causesOf(s, 'test/a.test.ts')[0]).toEqual({ kind: 'other', text: reasonsOf(s, 'test/a.test.ts')[0] })
    expect(s.restated).toEqual([])
  })

  it('a deleted test file leaves nothing to run for it', async () => {
    const s = await select(await change('delete-test', () => unlink(path.join(repo, 'test/unrelated.test.ts'))))
    expect(s.mode).toBe('affected')
    expect(s.selected).toEqual([])
    expect(s.reasons).toEqual(['test/unrelated.test.ts: deleted test file, nothing left to run for it'])
  })

  it('a deleted module nothing references any more selects all', async () => {
    const s = await select(await change('delete-orphan', () => unlink(path.join(repo, 'src/orphan.ts'))))
    expect(s.mode).toBe('all')
    expect(s.reasons).toEqual(['unknown impact: src/orphan.ts was deleted and nothing references it any more'])
  })

  it('normalises changed paths (./, backslashes, absolute paths, git quoting)', async () => {
    const s = await select(['./src\\leaf.ts', path.join(repo, 'src/lazy.ts'), '"src/\\154eaf.ts"', ''], { e2eOnSourceChange: false })
    expect(s.mode).toBe('affected')
    expect(files(s)).toEqual(['test/b.test.ts', 'test/leaf.test.ts'])
    const outside = await select(['../elsewhere/x.ts'])
    expect(outside.mode).toBe('all')
    expect(outside.reasons[0]).toMatch(/outside the repository/)
  })

  it('testGlobs replace the JS/TS conventions', async () => {
    git('checkout', '-q', '-f', 'base')
    const s = await select(['src/leaf.ts'], { testGlobs: ['test/*.test.ts'], e2eOnSourceChange: false })
    expect(files(s)).toEqual(['test/leaf.test.ts'])
    expect(s.skipped.map((t) => t.file)).not.toContain('e2e/app.e2e.test.ts')
    expect(s.skipped.map((t) => t.file)).toContain('py/test_calc.py')
  })
})
