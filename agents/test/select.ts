/**
 * Deterministic test selection: given a checkout and the files a change touched, decide which
 * test files to run and why. The rule throughout is "when unsure, run more, never less":
 *
 *  - no / unknown changed-file list                         → all
 *  - manifests, lockfiles, tsconfig, test-runner configs,
 *    test setup files, .env*, `selectAllPatterns`           → all
 *  - a changed file no test reaches (by imports or by name)  → all ("unknown impact")
 *  - a deleted file nothing references any more              → all ("unknown impact")
 *  - a changed test file                                     → that test
 *  - a changed source/support file                           → every test importing it transitively,
 *                                                              plus tests paired by name
 *  - any non-test, non-doc change                            → every e2e test (black-box by nature;
 *                                                              `e2eOnSourceChange: false` turns it off)
 *  - documentation only (`*.md`, `docs/**`, LICENSE, …)      → nothing: the one case where fewer is safe
 */
import path from 'node:path'
import { firstMatchingGlob, matchAnyGlob } from '../../shared/glob/match'
import {
  buildImportGraph,
  DEFAULT_IGNORED_DIRS,
  toRepoPath,
  type ImportGraph,
  type UnresolvedImport,
} from './import-graph'
import {
  findTestFiles,
  isTestFile,
  packageDirsOf,
  sourceNameKeys,
  testLanguageOf,
  testNameKeys,
  type TestCategory,
  type TestFile,
} from './test-files'

const posix = path.posix

export interface SelectTestsInput {
  rootDir: string
  /** Repo-relative paths changed by the change (e.g. `git diff --name-only a b`); null/undefined = unknown. */
  changedFiles?: readonly string[] | null
  /** Globs identifying JS/TS test files; replaces the built-in conventions when given. */
  testGlobs?: readonly string[]
  /** Extra globs whose change selects every test. */
  selectAllPatterns?: readonly string[]
  /** Renames known to the caller (`git diff --name-status -M`): the old path is judged through the new one. */
  renames?: ReadonlyArray<{ from: string; to: string }>
  /** Select every e2e test when any non-test, non-doc file changes. Default true. */
  e2eOnSourceChange?: boolean
  /** A graph already built for `rootDir` (otherwise one is built). */
  graph?: ImportGraph
  /** Directories skipped when walking the checkout (default node_modules, .git, dist, build, coverage). */
  ignoreDirs?: readonly string[]
}

/**
 * Why a test is selected, as data; `reasons` say the same in sentences (capped for people).
 * `imports`: the test imports `chain[0]`, which imports `chain[1]`, … down to the changed file,
 * the last path (a test that imports a changed file directly has a chain of one).
 * `name`: `source` changed and is paired with the test by file name. `changed`: the test file
 * itself changed. `e2e`: an e2e test, run on any code change. `all`: every test runs (the
 * selection's reasons say why). `other`: a rarer cause (renames, deleted imports, Go packages),
 * as its sentence.
 */
export type TestCause =
  | { kind: 'imports'; chain: string[] }
  | { kind: 'name'; source: string }
  | { kind: 'changed' }
  | { kind: 'e2e' }
  | { kind: 'all' }
  | { kind: 'other'; text: string }

export interface SelectedTest {
  file: string
  category: TestCategory
  reasons: string[]
  /** Every cause, uncapped, in the order of `reasons`. */
  causes: TestCause[]
}

export interface SkippedTest {
  file: string
  category: TestCategory
  reason: string
}

export interface TestSelection {
  mode: 'all' | 'affected'
  selected: SelectedTest[]
  skipped: SkippedTest[]
  reasons: string[]
  /** The entries of `reasons` that only restate the selected tests' causes ("src/a.ts: changed, reaches 3 tests"). */
  restated: string[]
}

/** Why a test is skipped when no changed file reaches it. */
export const NOT_AFFECTED = 'not affected: no changed file reaches it through imports or by name'

interface SelectAllRule {
  label: string
  globs: readonly string[]
}

const CODE_EXT = '{ts,tsx,js,jsx,mjs,cjs,mts,cts,py,cfg,json}'

/** Changes to these files can affect any test. Patterns without `/` match at any depth. */
export const SELECT_ALL_RULES: readonly SelectAllRule[] = [
  {
    label: 'dependency manifest or lockfile',
    globs: [
      'package.json',
      'package-lock.json',
      'npm-shrinkwrap.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'yarn.lock',
      '.yarnrc',
      '.yarnrc.yml',
      '.pnpmfile.cjs',
      'bun.lock',
      'bun.lockb',
      '.npmrc',
      '.nvmrc',
      '.node-version',
      '.tool-versions',
      'go.mod',
      'go.sum',
      'go.work',
      'go.work.sum',
      'pyproject.toml',
      'requirements*.txt',
      'Pipfile',
      'Pipfile.lock',
      'poetry.lock',
      'uv.lock',
    ],
  },
  {
    label: 'compiler configuration',
    globs: ['tsconfig*.json', 'jsconfig*.json', '.babelrc', '.babelrc.*', 'babel.config.*', '.swcrc'],
  },
  {
    label: 'test runner configuration',
    globs: [
      '{vitest,vite,jest,playwright,cypress,karma,ava,wdio}.config.*',
      '{vitest,vite}.workspace.*',
      '.mocharc*',
      'jest.preset.*',
      'pytest.ini',
      'tox.ini',
      'conftest.py',
      'noxfile.py',
    ],
  },
  {
    label: 'test setup file',
    globs: [`setup*.${CODE_EXT}`, `*.setup.${CODE_EXT}`, `teardown*.${CODE_EXT}`, `*.teardown.${CODE_EXT}`, `global{-,_,}{setup,teardown,Setup,Teardown}*.${CODE_EXT}`],
  },
  { label: 'environment file', globs: ['.env', '.env.*', '.envrc'] },
]

/** Files whose change cannot affect a test outcome (unless a test imports them, which is checked). */
export const DOCS_GLOBS: readonly string[] = [
  '*.md',
  '*.mdx',
  '*.markdown',
  '*.rst',
  '*.adoc',
  'docs/**',
  'doc/**',
  'LICENSE',
  'LICENSE.*',
  'LICENCE',
  'LICENCE.*',
  'COPYING',
  'COPYING.*',
  'NOTICE',
  'NOTICE.*',
  'AUTHORS',
  'AUTHORS.*',
  'CODEOWNERS',
  '.github/ISSUE_TEMPLATE/**',
  '.github/PULL_REQUEST_TEMPLATE*',
]

/** Markdown inside these directories is likely test data (fixtures, snapshots), not documentation. */
const TEST_DATA_DIRS = new Set(['test', 'tests', '__tests__', 'e2e', 'fixtures', '__fixtures__', '__snapshots__', 'testdata', 'test-data'])

export function isDocumentation(file: string): boolean {
  const p = toRepoPath(file)
  if (!matchAnyGlob(p, DOCS_GLOBS)) return false
  return !p.split('/').slice(0, -1).some((d) => TEST_DATA_DIRS.has(d.toLowerCase()))
}

const MAX_TOP_REASONS = 50
const MAX_TEST_REASONS = 8
const JS_LANGUAGE_EXTS = /\.(?:[cm]?[jt]sx?)$/i

export async function selectTests(input: SelectTestsInput): Promise<TestSelection> {
  const rootDir = path.resolve(input.rootDir)
  const ignoreDirs = input.ignoreDirs ?? DEFAULT_IGNORED_DIRS
  const graph = input.graph ?? (await buildImportGraph(rootDir, { ignoreDirs }))
  const tests = await findTestFiles(rootDir, { files: graph.files, testGlobs: input.testGlobs })
  const testByFile = new Map(tests.map((t) => [t.file, t]))
  const conventions = { testGlobs: input.testGlobs, packageDirs: packageDirsOf(graph.files) }
  const isTest = (file: string): boolean => testByFile.has(file) || isTestFile(file, conventions)

  if (input.changedFiles === undefined || input.changedFiles === null) {
    return selectAll(tests, ['changed files unknown: running every test'])
  }
  const changed = [...new Set(input.changedFiles.map((f) => normalizeChangedPath(f, rootDir)).filter((f) => f !== ''))].sort()
  if (changed.length === 0) return selectAll(tests, ['no changed files reported: running every test'])

  const renamedTo = new Map<string, string>()
  for (const r of input.renames ?? []) {
    const from = normalizeChangedPath(r.from, rootDir)
    const to = normalizeChangedPath(r.to, rootDir)
    if (from && to) renamedTo.set(from, to)
  }

  const selected = new Map<string, string[]>()
  const causes = new Map<string, TestCause[]>()
  const add = (test: string, reason: string, cause: TestCause = { kind: 'other', text: reason }): void => {
    const reasons = selected.get(test) ?? []
    if (reasons.includes(reason)) return
    reasons.push(reason)
    selected.set(test, reasons)
    causes.set(test, [...(causes.get(test) ?? []), cause])
  }
  const allReasons: string[] = []
  const notes: string[] = []
  /** Notes that only restate what the selected tests' causes say. */
  const restated: string[] = []
  const docs: string[] = []
  const codeChanges: string[] = []

  /** Tests reached by imports for the changed file being examined (the naming fallback skips them). */
  let reachedTests = new Set<string>()
  /** Adds every test that imports `target` transitively; returns how many were reached. */
  const addDependents = (target: string, describe: (chainText: string) => string, structured = true): number => {
    let n = 0
    for (const [dependent, chain] of graph.dependentChains(target)) {
      if (!testByFile.has(dependent)) continue
      const reason = describe(chainText(chain))
      add(dependent, reason, structured ? { kind: 'imports', chain: chain.slice(1) } : { kind: 'other', text: reason })
      reachedTests.add(dependent)
      n++
    }
    return n
  }
  /** Importers whose (now unresolvable) specifier would have resolved to the deleted `file`. */
  const brokenReferences = (file: string): UnresolvedImport[] => graph.unresolved.filter((u) => u.candidates.includes(file))
  const addBrokenReferences = (file: string): number => {
    let n = 0
    for (const ref of brokenReferences(file)) {
      const broken = `imports deleted ${file} ('${ref.specifier ?? ''}' in ${ref.from} no longer resolves)`
      if (testByFile.has(ref.from)) {
        add(ref.from, broken)
        reachedTests.add(ref.from)
        n++
      }
      n += addDependents(ref.from, (via) => `${broken}; test reaches ${ref.from} ${via}`, false)
    }
    return n
  }

  for (const file of changed) {
    reachedTests = new Set()
    const userPattern = input.selectAllPatterns ? firstMatchingGlob(file, input.selectAllPatterns) : undefined
    if (userPattern !== undefined) {
      allReasons.push(`${file} matches select-all pattern "${userPattern}"`)
      continue
    }
    const rule = SELECT_ALL_RULES.find((r) => matchAnyGlob(file, r.globs))
    if (rule) {
      allReasons.push(`${rule.label} changed: ${file}`)
      continue
    }
    if (file === '..' || file.startsWith('../') || posix.isAbsolute(file)) {
      allReasons.push(`unknown impact: changed path ${file} is outside the repository`)
      continue
    }
    const exists = graph.hasFile(file)

    if (isTest(file)) {
      if (exists) {
        add(file, 'changed test file', { kind: 'changed' })
        addDependents(file, (via) => `imports changed test file ${file} ${via}`)
        notes.push(`${file}: changed test file`)
        restated.push(`${file}: changed test file`)
      } else if (addBrokenReferences(file) === 0) {
        notes.push(`${file}: deleted test file, nothing left to run for it`)
      }
      continue
    }

    if (isDocumentation(file) && graph.importersOf(file).length === 0 && brokenReferences(file).length === 0) {
      docs.push(file)
      continue
    }

    codeChanges.push(file)
    const ignoredDir = file.split('/').slice(0, -1).find((d) => ignoreDirs.includes(d))
    if (!exists && ignoredDir !== undefined) {
      allReasons.push(`unknown impact: ${file} is inside an ignored directory (${ignoredDir}/) that is not analysed`)
      continue
    }

    let reached = 0
    if (exists) {
      reached += addDependents(file, (via) => `imports ${file} ${via}`)
    } else {
      reached += addBrokenReferences(file)
      const to = renamedTo.get(file)
      if (to !== undefined && graph.hasFile(to)) {
        reached += addDependents(to, (via) => `imports ${to} (renamed from ${file}) ${via}`, false)
        if (testByFile.has(to)) {
          add(to, `renamed from ${file}`)
          reachedTests.add(to)
          reached++
        }
      }
    }
    // For a deleted file the naming pairs are still run, but they do not make its impact known:
    // with no import left pointing at it, whatever used it did so by a path we cannot see.
    const byName = addByName(file, tests, reachedTests, add)
    if (exists) reached += byName.length
    const to = renamedTo.get(file)
    if (to !== undefined) reached += addByName(to, tests, reachedTests, add).length

    if (reached > 0) {
      const n = new Set([...reachedTests, ...byName]).size
      const note = `${file}: ${exists ? 'changed' : 'deleted'}, reaches ${n} test${n === 1 ? '' : 's'}`
      notes.push(note)
      if (exists) restated.push(note)
    } else if (exists) {
      const importers = graph.importersOf(file)
      allReasons.push(
        importers.length > 0
          ? `unknown impact: no test reaches ${file} through imports (imported by ${importers.slice(0, 3).join(', ')}${importers.length > 3 ? ', …' : ''}) or by name`
          : `unknown impact: nothing imports ${file} and no test matches it by name`,
      )
    } else {
      allReasons.push(`unknown impact: ${file} was deleted and nothing references it any more`)
    }
  }

  if (allReasons.length > 0) {
    return selectAll(tests, allReasons, selected, causes)
  }

  if (docs.length === changed.length) {
    return {
      mode: 'affected',
      selected: [],
      skipped: tests.map((t) => ({ file: t.file, category: t.category, reason: 'docs-only change' })),
      reasons: ['docs-only change', ...capped(docs.map((d) => `documentation changed: ${d}`), MAX_TOP_REASONS)],
      restated: [],
    }
  }

  if (codeChanges.length > 0 && input.e2eOnSourceChange !== false) {
    const shown = codeChanges.slice(0, 3).join(', ') + (codeChanges.length > 3 ? `, and ${codeChanges.length - 3} more` : '')
    for (const t of tests) {
      if (t.category === 'e2e') add(t.file, `e2e test: exercises the application as a whole, and non-test code changed (${shown})`, { kind: 'e2e' })
    }
  }

  const reasons = [...notes]
  if (docs.length > 0) reasons.push(`ignored documentation changes: ${docs.join(', ')}`)
  const top = capped(reasons, MAX_TOP_REASONS)
  return {
    mode: 'affected',
    selected: tests
      .filter((t) => selected.has(t.file))
      .map((t) => ({ file: t.file, category: t.category, reasons: capped(selected.get(t.file) ?? [], MAX_TEST_REASONS), causes: causes.get(t.file) ?? [] })),
    skipped: tests.filter((t) => !selected.has(t.file)).map((t) => ({ file: t.file, category: t.category, reason: NOT_AFFECTED })),
    reasons: top,
    restated: restated.filter((r) => top.includes(r)),
  }
}

function selectAll(
  tests: readonly TestFile[],
  reasons: readonly string[],
  specific?: ReadonlyMap<string, string[]>,
  specificCauses?: ReadonlyMap<string, TestCause[]>,
): TestSelection {
  const first = reasons[0] ?? 'select all'
  const extra = reasons.length > 1 ? ` (and ${reasons.length - 1} more reason${reasons.length > 2 ? 's' : ''})` : ''
  return {
    mode: 'all',
    selected: tests.map((t) => ({
      file: t.file,
      category: t.category,
      reasons: capped([...(specific?.get(t.file) ?? []), `select all: ${first}${extra}`], MAX_TEST_REASONS),
      causes: [...(specificCauses?.get(t.file) ?? []), { kind: 'all' }],
    })),
    skipped: [],
    reasons: capped([...reasons], MAX_TOP_REASONS),
    restated: [],
  }
}

/** Adds the tests paired with `file` by name (same language only; Go: every test of the package directory) and returns them. */
function addByName(
  file: string,
  tests: readonly TestFile[],
  alreadyReached: ReadonlySet<string>,
  add: (test: string, reason: string, cause?: TestCause) => void,
): string[] {
  const keys = new Set(sourceNameKeys(file))
  const language = testLanguageOf(file) ?? (JS_LANGUAGE_EXTS.test(file) ? 'js' : undefined)
  if (!language || keys.size === 0) return []
  const dir = posix.dirname(file)
  const found: string[] = []
  for (const t of tests) {
    if (t.language !== language || t.file === file || alreadyReached.has(t.file)) continue
    if (testNameKeys(t.file).some((k) => keys.has(k))) {
      add(t.file, `naming convention: ${file} ↔ ${t.file}`, { kind: 'name', source: file })
      found.push(t.file)
    } else if (language === 'go' && posix.dirname(t.file) === dir) {
      add(t.file, `same Go package directory as ${file}`)
      found.push(t.file)
    }
  }
  return found
}

/** `[test, …via, target]` → "directly" / "via a.ts -> b.ts". */
function chainText(chain: readonly string[]): string {
  const via = chain.slice(1, -1)
  return via.length === 0 ? 'directly' : `via ${via.join(' -> ')}`
}

function capped(items: readonly string[], max: number): string[] {
  if (items.length <= max) return [...items]
  return [...items.slice(0, max - 1), `… and ${items.length - max + 1} more`]
}

/**
 * Normalises one changed path: trims, undoes git's C-style quoting (`"a\303\251.ts"`), converts
 * `\` to `/`, drops a leading `./`, and makes absolute paths inside `rootDir` repo-relative.
 */
export function normalizeChangedPath(raw: string, rootDir: string): string {
  let p = raw.trim()
  if (p === '') return ''
  if (p.length >= 2 && p.startsWith('"') && p.endsWith('"')) p = unquoteGitPath(p.slice(1, -1))
  if (path.isAbsolute(p)) {
    const rel = path.relative(rootDir, p)
    p = rel === '' ? '.' : rel
  }
  const normal = toRepoPath(p)
  return normal === '.' ? '' : normal
}

function unquoteGitPath(s: string): string {
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'))
      continue
    }
    const next = s[i + 1] ?? ''
    const octal = /^[0-7]{3}/.exec(s.slice(i + 1, i + 4))
    if (octal) {
      bytes.push(parseInt(octal[0], 8))
      i += 3
      continue
    }
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' }
    bytes.push(...Buffer.from(simple[next] ?? next, 'utf8'))
    i++
  }
  return Buffer.from(bytes).toString('utf8')
}
