/**
 * Test-file conventions: which files are tests, which category they belong to, and the naming
 * key used to pair a source file with its test (`src/foo.ts` ↔ `foo.test.ts`).
 *
 * JS/TS tests: `*.test.*`, `*.spec.*`, `*.cy.*`, or any JS/TS file under a `__tests__/` directory,
 * or under a `test/` or `tests/` directory at the root of the repository or of a package (a
 * directory with a package.json) — except shared support code there (fixtures, helpers, mocks,
 * setup files, declaration files), which is reached through the import graph instead.
 * Python: `test_*.py`, `*_test.py`. Go: `*_test.go`. Those are paired with sources by name only.
 */
import path from 'node:path'
import { firstMatchingGlob } from '../../shared/glob/match'
import { isSourceFile, listRepoFiles, toRepoPath, DEFAULT_IGNORED_DIRS } from './import-graph'

const posix = path.posix

export type TestCategory = 'unit' | 'integration' | 'e2e'
export type TestLanguage = 'js' | 'python' | 'go'

export interface TestFile {
  file: string
  category: TestCategory
  language: TestLanguage
}

const TEST_DIRS = new Set(['__tests__', 'test', 'tests'])
const ROOT_ONLY: ReadonlySet<string> = new Set([''])
/** Directories under a test directory that hold support code rather than tests. */
const SUPPORT_DIRS = new Set([
  'fixtures',
  '__fixtures__',
  'fixture',
  'helpers',
  '__helpers__',
  'helper',
  '__mocks__',
  'mocks',
  'support',
  'utils',
  'util',
  'setup',
  '__snapshots__',
  'data',
  'testdata',
])
/** File stems under a test directory that are support code rather than tests. */
const SUPPORT_STEMS = [
  /^(?:setup|teardown|global[-_.]?setup|global[-_.]?teardown)/i,
  /^(?:helpers?|utils?|fixtures?|mocks?|constants|types|env|test[-_.]?utils?|test[-_.]?helpers?)(?:[-_.].*)?$/i,
  /\.(?:setup|teardown|helpers?|fixtures?|mocks?)$/i,
]
const TEST_MARKER = /\.(?:test|spec|cy)\.[cm]?[jt]sx?$/i
const SPEC_STRIP = /(?:\.(?:test|spec|cy|e2e|int|integration|unit|it))+$/i

export function testLanguageOf(file: string): TestLanguage | undefined {
  const ext = posix.extname(file).toLowerCase()
  if (ext === '.py') return 'python'
  if (ext === '.go') return 'go'
  if (isSourceFile(file) && !file.toLowerCase().endsWith('.d.ts')) return 'js'
  return undefined
}

export interface TestFileConventions {
  /** Globs identifying JS/TS tests; they replace the JS/TS conventions (Python/Go ones always apply). */
  testGlobs?: readonly string[] | undefined
  /**
   * Directories holding a package.json (`''` is the root). A `test/` or `tests/` directory marks
   * tests only at the root of the repository or of such a package, so that source directories
   * that happen to be called `test` (`agents/test/select.ts`) are not mistaken for tests.
   * Default: the root only.
   */
  packageDirs?: ReadonlySet<string> | undefined
}

/** Directories containing a package.json among `files` (`''` for the root, always included). */
export function packageDirsOf(files: readonly string[]): Set<string> {
  const dirs = new Set([''])
  for (const f of files) {
    if (posix.basename(f) !== 'package.json') continue
    const dir = posix.dirname(f)
    dirs.add(dir === '.' ? '' : dir)
  }
  return dirs
}

/**
 * Whether `file` is a test by convention, or — when `testGlobs` is given — by those globs alone
 * (they replace the JS/TS conventions; the Python/Go conventions always apply).
 */
export function isTestFile(file: string, conventions: TestFileConventions = {}): boolean {
  const { testGlobs } = conventions
  const packageDirs = conventions.packageDirs ?? ROOT_ONLY
  const p = toRepoPath(file)
  const language = testLanguageOf(p)
  const base = posix.basename(p)
  if (language === 'python') return /^test_.+\.py$/i.test(base) || /^.+_test\.py$/i.test(base)
  if (language === 'go') return /_test\.go$/.test(base)
  if (testGlobs && testGlobs.length > 0) return firstMatchingGlob(p, testGlobs) !== undefined
  if (language !== 'js') return false
  if (TEST_MARKER.test(base)) return true
  const dirs = p.split('/').slice(0, -1)
  const testDirIndex = dirs.findIndex(
    (d, i) => d === '__tests__' || (TEST_DIRS.has(d) && packageDirs.has(dirs.slice(0, i).join('/'))),
  )
  if (testDirIndex < 0) return false
  if (dirs.slice(testDirIndex + 1).some((d) => SUPPORT_DIRS.has(d.toLowerCase()))) return false
  const stem = stripExtension(base)
  return !SUPPORT_STEMS.some((re) => re.test(stem))
}

/** e2e: a path token `e2e`/`playwright`/`cypress`/`cy`; integration: `integration…`/`int`; else unit. */
export function categorizeTest(file: string): TestCategory {
  const tokens = toRepoPath(file)
    .toLowerCase()
    .split(/[/._-]+/)
    .filter(Boolean)
  if (tokens.some((t) => t.startsWith('e2e') || t === 'playwright' || t === 'cypress' || t === 'cy')) return 'e2e'
  if (tokens.some((t) => t.startsWith('integration') || t === 'int')) return 'integration'
  return 'unit'
}

export function describeTestFile(file: string): TestFile | undefined {
  const p = toRepoPath(file)
  const language = testLanguageOf(p)
  if (!language) return undefined
  return { file: p, category: categorizeTest(p), language }
}

export interface FindTestFilesOptions {
  testGlobs?: readonly string[]
  /** Already-listed repo files (skips the directory walk). */
  files?: readonly string[]
  ignoreDirs?: readonly string[]
}

/** All test files of the checkout at `rootDir`, sorted by path. */
export async function findTestFiles(rootDir: string, options: FindTestFilesOptions = {}): Promise<TestFile[]> {
  const files = options.files ?? (await listRepoFiles(rootDir, options.ignoreDirs ?? DEFAULT_IGNORED_DIRS))
  const conventions: TestFileConventions = { testGlobs: options.testGlobs, packageDirs: packageDirsOf(files) }
  const out: TestFile[] = []
  for (const file of files) {
    if (!isTestFile(file, conventions)) continue
    const info = describeTestFile(file)
    if (info) out.push(info)
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

function stripExtension(base: string): string {
  const lower = base.toLowerCase()
  for (const dts of ['.d.ts', '.d.mts', '.d.cts']) if (lower.endsWith(dts)) return base.slice(0, -dts.length)
  const ext = posix.extname(base)
  return ext ? base.slice(0, -ext.length) : base
}

/**
 * Naming keys of a test file (lower-case): `test/foo.test.ts` → `foo`, `e2e/app.e2e.test.ts` → `app`,
 * `tests/test_foo.py` → `foo`, `pkg/foo_test.go` → `foo`.
 */
export function testNameKeys(file: string): string[] {
  const p = toRepoPath(file)
  const base = posix.basename(p)
  const language = testLanguageOf(p)
  if (language === 'python') {
    const stem = stripExtension(base)
    const m = /^test_(.+)$/i.exec(stem) ?? /^(.+)_test$/i.exec(stem)
    return m?.[1] ? [m[1].toLowerCase()] : []
  }
  if (language === 'go') {
    const m = /^(.+)_test\.go$/.exec(base)
    return m?.[1] ? [m[1].toLowerCase()] : []
  }
  const stem = stripExtension(base).replace(SPEC_STRIP, '')
  if (!stem) return []
  const keys = [stem.toLowerCase()]
  if (stem.toLowerCase() === 'index') {
    const parent = posix.basename(posix.dirname(p))
    if (parent && parent !== '.' && !TEST_DIRS.has(parent)) keys.push(parent.toLowerCase())
  }
  return keys
}

/**
 * Naming keys of a source file (lower-case): `src/foo.ts` → `foo`; an index file is keyed by its
 * directory (`src/foo/index.ts` → `foo`), likewise Python's `__init__.py`.
 */
export function sourceNameKeys(file: string): string[] {
  const p = toRepoPath(file)
  const base = posix.basename(p)
  const stem = stripExtension(base)
  const parent = posix.basename(posix.dirname(p))
  const generic = stem === 'index' || stem === '__init__' || stem === 'mod'
  if (generic) return parent && parent !== '.' ? [parent.toLowerCase()] : []
  return [stem.toLowerCase()]
}
