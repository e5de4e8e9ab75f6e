/**
 * Import graph of a JS/TS repository, built without a compiler: a light tokenizer that skips
 * comments, strings, template literals and regex literals well enough to find the module
 * specifiers of
 *
 *   import x from '…' / import '…' / import type … from '…'
 *   export … from '…'
 *   import('…')              (non-literal arguments are recorded as unresolved)
 *   require('…'), require.resolve('…')
 *   vi.mock('…') / jest.mock('…') and friends (a test that mocks a module depends on it)
 *   new URL('./…', import.meta.url)
 *   /// <reference path="…" />
 *
 * Relative specifiers are resolved the way TypeScript (bundler/node16) and Node do: exact file,
 * added extensions, `/index.*`, a directory's package.json entry, and `.js`/`.mjs`/`.cjs`/`.jsx`
 * written for a `.ts`/`.mts`/`.cts`/`.tsx` file. Bare specifiers are resolved through the root
 * tsconfig/jsconfig `paths`/`baseUrl` and through the names of packages inside the repository
 * (workspaces); everything else is recorded in `bare`. Relative specifiers that resolve to nothing
 * are recorded in `unresolved` together with every path that was tried, so a caller can still
 * connect a deleted file to the modules that (now brokenly) import it.
 *
 * Every path is repo-relative with `/` separators.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'

const posix = path.posix

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const
export const DEFAULT_IGNORED_DIRS = ['node_modules', '.git', 'dist', 'build', 'coverage'] as const

/** Extensions tried, in order, after a specifier without a (known) extension. */
const RESOLVE_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mts', '.d.mts', '.mjs', '.cts', '.d.cts', '.cjs', '.json']
/** A specifier written with a JS extension may name the TS source it compiles from. */
const JS_TO_TS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
}
const KNOWN_MODULE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.json', '.node', '.wasm'])
const MOCK_METHODS = new Set([
  'mock',
  'doMock',
  'unmock',
  'doUnmock',
  'importActual',
  'importMock',
  'requireActual',
  'requireMock',
  'createMockFromModule',
  'setMock',
])

export type ImportKind = 'import' | 'side-effect' | 'reexport' | 'dynamic' | 'require' | 'mock' | 'url' | 'reference'

/** One module reference found in a file. `specifier` is undefined for a non-literal `import(x)`/`require(x)`. */
export interface ImportReference {
  specifier: string | undefined
  kind: ImportKind
}

export interface ImportEdge {
  from: string
  to: string
  specifier: string
  kind: ImportKind
}

export type UnresolvedReason = 'not-found' | 'outside-root' | 'absolute' | 'non-literal'

export interface UnresolvedImport {
  from: string
  /** The specifier as written; undefined for a non-literal dynamic import/require. */
  specifier: string | undefined
  kind: ImportKind
  reason: UnresolvedReason
  /** Repo-relative paths that were tried (empty for non-literal/outside-root). */
  candidates: string[]
}

export interface BareImport {
  from: string
  specifier: string
  kind: ImportKind
}

export interface ImportGraph {
  readonly rootDir: string
  /** Every file in the checkout outside the ignored directories (sorted). */
  readonly files: readonly string[]
  /** The JS/TS files that were parsed (sorted). */
  readonly sourceFiles: readonly string[]
  readonly edges: readonly ImportEdge[]
  /** Relative (or aliased) specifiers that resolve to no file, and non-literal dynamic imports. */
  readonly unresolved: readonly UnresolvedImport[]
  /** Bare specifiers (packages, builtins) that are not part of this repository. */
  readonly bare: readonly BareImport[]
  /** Files larger than the parse limit: present as nodes, but their imports are unknown. */
  readonly unparsed: readonly string[]
  hasFile(file: string): boolean
  /** Files `file` imports directly (sorted). */
  importsOf(file: string): string[]
  /** Files that import `file` directly (sorted). */
  importersOf(file: string): string[]
  /** Files `file` imports, transitively (sorted, without `file`). */
  dependenciesOf(file: string): string[]
  /** Files that import `file`, transitively (sorted, without `file`). */
  dependentsOf(file: string): string[]
  /**
   * For each transitive dependent of `file`, one shortest import chain from the dependent to `file`:
   * `[dependent, …intermediates, file]`.
   */
  dependentChains(file: string): Map<string, string[]>
}

export interface BuildImportGraphOptions {
  /** Directory names skipped at any depth. Default: node_modules, .git, dist, build, coverage. */
  ignoreDirs?: readonly string[]
  /** Files bigger than this are not parsed (listed in `unparsed`). Default 4 MiB. */
  maxFileBytes?: number
}

export function toRepoPath(file: string): string {
  const p = posix.normalize(file.replace(/\\/g, '/'))
  return p.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '')
}

export function isSourceFile(file: string): boolean {
  return (SOURCE_EXTENSIONS as readonly string[]).includes(posix.extname(file).toLowerCase())
}

/** Lists every file under `rootDir` (repo-relative, sorted), skipping `ignoreDirs` and symlinked directories. */
export async function listRepoFiles(
  rootDir: string,
  ignoreDirs: readonly string[] = DEFAULT_IGNORED_DIRS,
): Promise<string[]> {
  const ignored = new Set(ignoreDirs)
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    const abs = rel ? path.join(rootDir, rel) : rootDir
    const entries = await readdir(abs, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!ignored.has(entry.name)) await walk(childRel)
      } else if (entry.isFile()) {
        out.push(childRel)
      } else if (entry.isSymbolicLink()) {
        // Follow links to files only: a linked directory could loop or leave the repository.
        const target = await stat(path.join(rootDir, childRel)).catch(() => undefined)
        if (target?.isFile()) out.push(childRel)
      }
    }
  }
  await walk('')
  return out.sort()
}

// ---------------------------------------------------------------------------------------------
// Tokenizer and specifier extraction

type Token =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'tpl' }
  | { t: 'p'; v: string }
  | { t: 'num' }
  | { t: 're' }

const REGEX_AFTER_KEYWORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
])

const ID_START = /[\p{ID_Start}$_]/u
const ID_CONTINUE = /[\p{ID_Continue}$\u200c\u200d]/u
const REFERENCE_PATH = /^\/\s*<reference\s+path\s*=\s*["']([^"']+)["']/

interface Scan {
  tokens: Token[]
  references: string[]
}

function tokenize(code: string): Scan {
  const tokens: Token[] = []
  const references: string[] = []
  /** Open `{` (false) and template substitutions `${` (true). */
  const braces: boolean[] = []
  const n = code.length
  let i = 0

  if (code.startsWith('#!')) {
    const nl = code.indexOf('\n')
    i = nl < 0 ? n : nl + 1
  }

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1]
    if (!prev) return true
    if (prev.t === 'p') return prev.v !== ')' && prev.v !== ']' && prev.v !== '}'
    if (prev.t === 'id') return REGEX_AFTER_KEYWORDS.has(prev.v)
    return false
  }

  /** Scans template text from `start` (just after '`' or a closing '}' of `${`). Returns the new index. */
  const scanTemplate = (start: number, continued: boolean): number => {
    let j = start
    let text = ''
    while (j < n) {
      const c = code[j]
      if (c === '\\') {
        text += code[j + 1] ?? ''
        j += 2
        continue
      }
      if (c === '`') {
        tokens.push(continued ? { t: 'tpl' } : { t: 'str', v: text })
        return j + 1
      }
      if (c === '$' && code[j + 1] === '{') {
        tokens.push({ t: 'tpl' })
        braces.push(true)
        return j + 2
      }
      text += c
      j++
    }
    return n
  }

  while (i < n) {
    const c = code[i] as string
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
      i++
      continue
    }
    if (c === '/') {
      const next = code[i + 1]
      if (next === '/') {
        let end = code.indexOf('\n', i)
        if (end < 0) end = n
        const ref = REFERENCE_PATH.exec(code.slice(i + 2, end))
        if (ref?.[1]) references.push(ref[1])
        i = end
        continue
      }
      if (next === '*') {
        const end = code.indexOf('*/', i + 2)
        i = end < 0 ? n : end + 2
        continue
      }
      if (regexAllowed()) {
        const end = scanRegex(code, i)
        if (end > 0) {
          tokens.push({ t: 're' })
          i = end
          continue
        }
      }
      tokens.push({ t: 'p', v: '/' })
      i++
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      let text = ''
      let closed = false
      while (j < n) {
        const d = code[j] as string
        if (d === '\\') {
          const e = code[j + 1]
          if (e === '\r' && code[j + 2] === '\n') j += 3
          else {
            if (e !== '\n' && e !== undefined) text += e
            j += 2
          }
          continue
        }
        if (d === c) {
          closed = true
          j++
          break
        }
        if (d === '\n') break // unterminated (e.g. an apostrophe in JSX text): give up on this line
        text += d
        j++
      }
      if (closed) tokens.push({ t: 'str', v: text })
      i = j
      continue
    }
    if (c === '`') {
      i = scanTemplate(i + 1, false)
      continue
    }
    if (c === '{') {
      braces.push(false)
      tokens.push({ t: 'p', v: '{' })
      i++
      continue
    }
    if (c === '}') {
      const top = braces.pop()
      if (top === true) {
        i = scanTemplate(i + 1, true)
        continue
      }
      tokens.push({ t: 'p', v: '}' })
      i++
      continue
    }
    if (isIdStart(c)) {
      let j = i + 1
      while (j < n && isIdContinue(code[j] as string)) j++
      tokens.push({ t: 'id', v: code.slice(i, j) })
      i = j
      continue
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      let j = i + 1
      while (j < n && /[0-9A-Za-z_.]/.test(code[j] as string)) j++
      tokens.push({ t: 'num' })
      i = j
      continue
    }
    tokens.push({ t: 'p', v: c })
    i++
  }
  return { tokens, references }
}

function isIdStart(c: string): boolean {
  if (c < '\u0080') return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$'
  return ID_START.test(c)
}

function isIdContinue(c: string): boolean {
  if (c < '\u0080') return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '$'
  return ID_CONTINUE.test(c)
}

/** Returns the index after a regex literal starting at `start`, or -1 if there is none on this line. */
function scanRegex(code: string, start: number): number {
  let j = start + 1
  let inClass = false
  while (j < code.length) {
    const c = code[j]
    if (c === '\n' || c === '\r') return -1
    if (c === '\\') {
      j += 2
      continue
    }
    if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) {
      if (j === start + 1) return -1
      j++
      while (j < code.length && /[a-z]/i.test(code[j] as string)) j++
      return j
    }
    j++
  }
  return -1
}

const isPunct = (tok: Token | undefined, v: string): boolean => tok?.t === 'p' && tok.v === v
const isId = (tok: Token | undefined, v: string): boolean => tok?.t === 'id' && tok.v === v
/** `x.import` / `x.require` / `x.from` are property accesses, not module syntax. */
const isMemberAccess = (tokens: readonly Token[], k: number): boolean => isPunct(tokens[k - 1], '.') && !isPunct(tokens[k - 2], '?')

/** The module references in a JS/TS source text, in order of appearance. */
export function parseImports(code: string): ImportReference[] {
  const { tokens, references } = tokenize(code)
  const out: ImportReference[] = []
  /** The literal argument of a call whose `(` is at `open`, if it is a lone string (or followed by `,`). */
  const literalArg = (open: number): string | undefined => {
    const arg = tokens[open + 1]
    const after = tokens[open + 2]
    if (arg?.t === 'str' && (isPunct(after, ')') || isPunct(after, ','))) return arg.v
    return undefined
  }
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token
    if (tok.t !== 'id') continue
    const next = tokens[k + 1]
    switch (tok.v) {
      case 'import': {
        if (isMemberAccess(tokens, k)) break
        if (next?.t === 'str') out.push({ specifier: next.v, kind: 'side-effect' })
        else if (isPunct(next, '(')) out.push({ specifier: literalArg(k + 1), kind: 'dynamic' })
        break
      }
      case 'from': {
        if (isMemberAccess(tokens, k) || next?.t !== 'str') break
        out.push({ specifier: next.v, kind: statementKeyword(tokens, k) === 'export' ? 'reexport' : 'import' })
        break
      }
      case 'require': {
        if (isMemberAccess(tokens, k)) break
        if (isPunct(next, '(')) out.push({ specifier: literalArg(k + 1), kind: 'require' })
        else if (isPunct(next, '.') && isId(tokens[k + 2], 'resolve') && isPunct(tokens[k + 3], '(')) {
          const spec = literalArg(k + 3)
          if (spec !== undefined) out.push({ specifier: spec, kind: 'require' })
        }
        break
      }
      case 'vi':
      case 'jest': {
        const method = tokens[k + 2]
        if (isMemberAccess(tokens, k) || !isPunct(next, '.') || method?.t !== 'id' || !MOCK_METHODS.has(method.v)) break
        if (!isPunct(tokens[k + 3], '(')) break
        const spec = literalArg(k + 3)
        if (spec !== undefined) out.push({ specifier: spec, kind: 'mock' })
        break
      }
      case 'URL': {
        // new URL('./x', import.meta.url)
        if (!isId(tokens[k - 1], 'new') || !isPunct(next, '(')) break
        const arg = tokens[k + 2]
        if (
          arg?.t === 'str' &&
          isPunct(tokens[k + 3], ',') &&
          isId(tokens[k + 4], 'import') &&
          isPunct(tokens[k + 5], '.') &&
          isId(tokens[k + 6], 'meta') &&
          /^\.\.?\//.test(arg.v)
        ) {
          out.push({ specifier: arg.v, kind: 'url' })
        }
        break
      }
      default:
        break
    }
  }
  for (const ref of references) out.push({ specifier: ref.startsWith('.') ? ref : `./${ref}`, kind: 'reference' })
  return out
}

/** Whether the `from` at index `k` belongs to an `import` or an `export` statement. */
function statementKeyword(tokens: readonly Token[], k: number): 'import' | 'export' | undefined {
  for (let j = k - 1; j >= 0 && j >= k - 4000; j--) {
    const tok = tokens[j] as Token
    if (tok.t === 'p' && tok.v === ';') return undefined
    if (tok.t === 'id' && (tok.v === 'import' || tok.v === 'export') && !isMemberAccess(tokens, j)) return tok.v
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Resolution

interface PackageInfo {
  dir: string
  name: string | undefined
  entries: string[]
}

interface PathAlias {
  prefix: string
  suffix: string
  wildcard: boolean
  targets: string[]
}

interface Resolver {
  files: ReadonlySet<string>
  packagesByDir: ReadonlyMap<string, PackageInfo>
  packagesByName: ReadonlyMap<string, PackageInfo>
  aliases: readonly PathAlias[]
  baseUrl: string | undefined
}

type Resolution =
  | { ok: true; file: string }
  | { ok: false; bare: true }
  | { ok: false; bare: false; reason: UnresolvedReason; candidates: string[] }

/** Candidate files for a repo-relative base path, in TS/Node resolution order. */
function fileCandidates(base: string, packagesByDir: ReadonlyMap<string, PackageInfo>): string[] {
  const out: string[] = []
  const ext = posix.extname(base)
  const substitutes = JS_TO_TS[ext]
  if (substitutes) for (const s of substitutes) out.push(base.slice(0, -ext.length) + s)
  out.push(base)
  // A specifier that already names a module file (`./x.js`, `./x.ts`, `./x.json`) is not extended further.
  if (substitutes || KNOWN_MODULE_EXTENSIONS.has(ext)) return out
  for (const e of RESOLVE_EXTENSIONS) out.push(base + e)
  const pkg = packagesByDir.get(base)
  if (pkg) for (const entry of pkg.entries) out.push(...entryCandidates(posix.join(base, entry)))
  for (const e of RESOLVE_EXTENSIONS) out.push(`${base}/index${e}`)
  return out
}

/** Candidates for a package entry point; a built entry (dist/lib/build) is also mapped back to src/. */
function entryCandidates(entry: string): string[] {
  const out: string[] = []
  const ext = posix.extname(entry)
  const substitutes = JS_TO_TS[ext]
  if (substitutes) for (const s of substitutes) out.push(entry.slice(0, -ext.length) + s)
  out.push(entry)
  for (const e of RESOLVE_EXTENSIONS) out.push(entry + e)
  for (const e of RESOLVE_EXTENSIONS) out.push(`${entry}/index${e}`)
  return out
}

function firstExisting(candidates: readonly string[], files: ReadonlySet<string>): string | undefined {
  return candidates.find((c) => files.has(c))
}

function resolveSpecifier(resolver: Resolver, from: string, rawSpecifier: string): Resolution {
  const specifier = rawSpecifier.replace(/\?.*$/, '')
  if (specifier === '') return { ok: false, bare: false, reason: 'not-found', candidates: [] }
  if (specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier) || specifier.startsWith('file:')) {
    return { ok: false, bare: false, reason: 'absolute', candidates: [] }
  }
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    const base = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\/+$/, '')
    if (base === '..' || base.startsWith('../')) return { ok: false, bare: false, reason: 'outside-root', candidates: [] }
    return resolveBase(resolver, base === '.' ? '' : base)
  }
  // tsconfig paths
  const aliasCandidates: string[] = []
  for (const alias of resolver.aliases) {
    const captured = matchAlias(alias, specifier)
    if (captured === undefined) continue
    for (const target of alias.targets) {
      const base = posix.normalize(target.replace('*', captured)).replace(/\/+$/, '')
      if (base === '..' || base.startsWith('../')) continue
      const r = resolveBase(resolver, base)
      if (r.ok) return r
      if (!r.bare) aliasCandidates.push(...r.candidates)
    }
  }
  // packages that live in this repository (workspaces, self-reference)
  const pkgMatch = matchPackage(resolver.packagesByName, specifier)
  if (pkgMatch) {
    const { pkg, subpath } = pkgMatch
    const candidates: string[] = []
    if (subpath === '') {
      for (const entry of pkg.entries) candidates.push(...entryCandidates(posix.join(pkg.dir, entry)))
      candidates.push(...fileCandidates(posix.join(pkg.dir, 'src/index'), resolver.packagesByDir))
      for (const e of RESOLVE_EXTENSIONS) candidates.push(posix.join(pkg.dir, `index${e}`))
    } else {
      candidates.push(...fileCandidates(posix.join(pkg.dir, subpath), resolver.packagesByDir))
      candidates.push(...fileCandidates(posix.join(pkg.dir, 'src', subpath), resolver.packagesByDir))
    }
    const found = firstExisting(candidates, resolver.files)
    if (found) return { ok: true, file: found }
    aliasCandidates.push(...candidates)
  }
  if (resolver.baseUrl !== undefined) {
    const r = resolveBase(resolver, posix.join(resolver.baseUrl, specifier))
    if (r.ok) return r
  }
  if (aliasCandidates.length > 0) return { ok: false, bare: false, reason: 'not-found', candidates: dedupe(aliasCandidates) }
  return { ok: false, bare: true }
}

function resolveBase(resolver: Resolver, base: string): Resolution {
  const candidates = fileCandidates(base, resolver.packagesByDir).map((c) => c.replace(/^\//, ''))
  const found = firstExisting(candidates, resolver.files)
  if (found) return { ok: true, file: found }
  return { ok: false, bare: false, reason: 'not-found', candidates: dedupe(candidates) }
}

function matchAlias(alias: PathAlias, specifier: string): string | undefined {
  if (!alias.wildcard) return specifier === alias.prefix ? '' : undefined
  if (specifier.length < alias.prefix.length + alias.suffix.length) return undefined
  if (!specifier.startsWith(alias.prefix) || !specifier.endsWith(alias.suffix)) return undefined
  return specifier.slice(alias.prefix.length, specifier.length - alias.suffix.length)
}

function matchPackage(
  byName: ReadonlyMap<string, PackageInfo>,
  specifier: string,
): { pkg: PackageInfo; subpath: string } | undefined {
  const parts = specifier.split('/')
  const nameLength = specifier.startsWith('@') ? 2 : 1
  const name = parts.slice(0, nameLength).join('/')
  const pkg = byName.get(name)
  if (!pkg) return undefined
  return { pkg, subpath: parts.slice(nameLength).join('/') }
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)]
}

// ---------------------------------------------------------------------------------------------
// Config readers (package.json, tsconfig paths)

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** JSON with comments and trailing commas, as tsconfig allows. */
export function parseJsonc(text: string): Json | undefined {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i)
      i = end < 0 ? text.length : end
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 2
    } else {
      out += c
      i++
    }
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as Json
  } catch {
    return undefined
  }
}

function packageEntries(pkg: Record<string, Json>): string[] {
  const out: string[] = []
  const visitExport = (v: Json | undefined): void => {
    if (typeof v === 'string') out.push(v)
    else if (Array.isArray(v)) v.forEach(visitExport)
    else if (isRecord(v)) {
      for (const key of ['types', 'import', 'module', 'node', 'require', 'default', 'source']) visitExport(v[key])
    }
  }
  const exp = pkg['exports']
  if (typeof exp === 'string' || Array.isArray(exp)) visitExport(exp)
  else if (isRecord(exp)) {
    const keys = Object.keys(exp)
    if (keys.some((k) => k.startsWith('.'))) visitExport(exp['.'])
    else visitExport(exp)
  }
  for (const key of ['source', 'module', 'main', 'types', 'typings']) {
    const v = pkg[key]
    if (typeof v === 'string') out.push(v)
  }
  const mapped: string[] = []
  for (const raw of out) {
    const entry = posix.normalize(raw.replace(/^\.\//, ''))
    mapped.push(entry)
    const built = /^(?:dist|lib|build|out|esm|cjs)\/(.*)$/.exec(entry)
    if (built?.[1]) mapped.push(`src/${built[1]}`)
  }
  return dedupe(mapped.filter((e) => !e.startsWith('../')))
}

async function readJsonFile(abs: string): Promise<Json | undefined> {
  try {
    return parseJsonc(await readFile(abs, 'utf8'))
  } catch {
    return undefined
  }
}

async function readPathAliases(
  rootDir: string,
  files: ReadonlySet<string>,
): Promise<{ aliases: PathAlias[]; baseUrl: string | undefined }> {
  const configName = ['tsconfig.json', 'jsconfig.json'].find((f) => files.has(f))
  if (!configName) return { aliases: [], baseUrl: undefined }
  let paths: Record<string, Json> | undefined
  let pathsDir = ''
  let baseUrl: string | undefined
  // Follow relative `extends` (nearest definition wins), a few levels deep.
  let current: string | undefined = configName
  for (let depth = 0; current && depth < 8; depth++) {
    const config = await readJsonFile(path.join(rootDir, current))
    if (!isRecord(config)) break
    const dir: string = posix.dirname(current) === '.' ? '' : posix.dirname(current)
    const options = config['compilerOptions']
    if (isRecord(options)) {
      const b = options['baseUrl']
      if (baseUrl === undefined && typeof b === 'string') baseUrl = toRepoPath(posix.join(dir, b)).replace(/^\.$/, '')
      const p = options['paths']
      if (paths === undefined && isRecord(p)) {
        paths = p
        pathsDir = dir
      }
    }
    const ext = config['extends']
    current =
      typeof ext === 'string' && ext.startsWith('.')
        ? toRepoPath(posix.join(dir, ext.endsWith('.json') ? ext : `${ext}.json`))
        : undefined
    if (current?.startsWith('../')) current = undefined
  }
  const aliases: PathAlias[] = []
  if (paths) {
    const targetBase = baseUrl ?? pathsDir
    for (const [key, value] of Object.entries(paths)) {
      if (!Array.isArray(value)) continue
      const star = key.indexOf('*')
      const targets = value.filter((t): t is string => typeof t === 'string').map((t) => toRepoPath(posix.join(targetBase, t)))
      aliases.push({
        prefix: star < 0 ? key : key.slice(0, star),
        suffix: star < 0 ? '' : key.slice(star + 1),
        wildcard: star >= 0,
        targets,
      })
    }
    // Longest prefix first, as TypeScript does.
    aliases.sort((a, b) => b.prefix.length - a.prefix.length)
  }
  return { aliases, baseUrl }
}

// ---------------------------------------------------------------------------------------------
// Graph

export async function buildImportGraph(rootDir: string, options: BuildImportGraphOptions = {}): Promise<ImportGraph> {
  const root = path.resolve(rootDir)
  const maxBytes = options.maxFileBytes ?? 4 * 1024 * 1024
  const files = await listRepoFiles(root, options.ignoreDirs ?? DEFAULT_IGNORED_DIRS)
  const fileSet = new Set(files)

  const packagesByDir = new Map<string, PackageInfo>()
  const packagesByName = new Map<string, PackageInfo>()
  for (const file of files) {
    if (posix.basename(file) !== 'package.json') continue
    const json = await readJsonFile(path.join(root, file))
    if (!isRecord(json)) continue
    const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file)
    const name = typeof json['name'] === 'string' ? json['name'] : undefined
    const info: PackageInfo = { dir, name, entries: packageEntries(json) }
    packagesByDir.set(dir, info)
    if (name && !packagesByName.has(name)) packagesByName.set(name, info)
  }
  const { aliases, baseUrl } = await readPathAliases(root, fileSet)
  const resolver: Resolver = { files: fileSet, packagesByDir, packagesByName, aliases, baseUrl }

  const sourceFiles = files.filter(isSourceFile)
  const edges: ImportEdge[] = []
  const unresolved: UnresolvedImport[] = []
  const bare: BareImport[] = []
  const unparsed: string[] = []

  const parsed = await mapLimit(sourceFiles, 32, async (file) => {
    const abs = path.join(root, file)
    const info = await lstat(abs).catch(() => undefined)
    if (info && info.size > maxBytes) return undefined
    const code = await readFile(abs, 'utf8').catch(() => undefined)
    return code === undefined ? undefined : parseImports(code)
  })

  sourceFiles.forEach((file, index) => {
    const refs = parsed[index]
    if (!refs) {
      unparsed.push(file)
      return
    }
    for (const ref of refs) {
      if (ref.specifier === undefined) {
        unresolved.push({ from: file, specifier: undefined, kind: ref.kind, reason: 'non-literal', candidates: [] })
        continue
      }
      const r = resolveSpecifier(resolver, file, ref.specifier)
      if (r.ok) {
        if (r.file !== file) edges.push({ from: file, to: r.file, specifier: ref.specifier, kind: ref.kind })
      } else if (r.bare) bare.push({ from: file, specifier: ref.specifier, kind: ref.kind })
      else unresolved.push({ from: file, specifier: ref.specifier, kind: ref.kind, reason: r.reason, candidates: r.candidates })
    }
  })

  return createGraph(root, files, sourceFiles, edges, unresolved, bare, unparsed)
}

function createGraph(
  rootDir: string,
  files: readonly string[],
  sourceFiles: readonly string[],
  edges: readonly ImportEdge[],
  unresolved: readonly UnresolvedImport[],
  bare: readonly BareImport[],
  unparsed: readonly string[],
): ImportGraph {
  const forward = new Map<string, Set<string>>()
  const reverse = new Map<string, Set<string>>()
  for (const e of edges) {
    getOrCreate(forward, e.from).add(e.to)
    getOrCreate(reverse, e.to).add(e.from)
  }
  const fileSet = new Set(files)
  const sorted = (s: Set<string> | undefined): string[] => (s ? [...s].sort() : [])

  const chains = (start: string, adjacency: Map<string, Set<string>>): Map<string, string[]> => {
    // BFS: parent pointers give one shortest chain per reached file.
    const parent = new Map<string, string>()
    const queue = [start]
    const seen = new Set([start])
    for (let q = 0; q < queue.length; q++) {
      const cur = queue[q] as string
      for (const next of [...(adjacency.get(cur) ?? [])].sort()) {
        if (seen.has(next)) continue
        seen.add(next)
        parent.set(next, cur)
        queue.push(next)
      }
    }
    const out = new Map<string, string[]>()
    for (const reached of [...parent.keys()].sort()) {
      const chain = [reached]
      let cur = parent.get(reached)
      while (cur !== undefined) {
        chain.push(cur)
        cur = parent.get(cur)
      }
      out.set(reached, chain)
    }
    return out
  }

  return {
    rootDir,
    files,
    sourceFiles,
    edges,
    unresolved,
    bare,
    unparsed,
    hasFile: (file) => fileSet.has(toRepoPath(file)),
    importsOf: (file) => sorted(forward.get(toRepoPath(file))),
    importersOf: (file) => sorted(reverse.get(toRepoPath(file))),
    dependenciesOf: (file) => [...chains(toRepoPath(file), forward).keys()],
    dependentsOf: (file) => [...chains(toRepoPath(file), reverse).keys()],
    dependentChains: (file) => chains(toRepoPath(file), reverse),
  }
}

function getOrCreate(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key)
  if (!set) {
    set = new Set()
    map.set(key, set)
  }
  return set
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
