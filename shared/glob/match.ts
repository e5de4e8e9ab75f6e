/**
 * A small glob matcher for repo-relative, `/`-separated paths.
 *
 *  - `**` as a whole path segment matches zero or more segments (`a/**\/b` matches `a/b` and `a/x/y/b`);
 *    `**` inside a segment behaves like `*`.
 *  - `*` matches any run of characters within one segment (dot-files included), `?` one character.
 *  - `{a,b}` alternatives (nestable, may contain other glob syntax), `[abc]` / `[!abc]` / `[a-z]` classes.
 *  - `\x` matches `x` literally.
 *  - A pattern without `/` matches the file name at any depth, as in .gitignore (`*.md` matches
 *    `docs/a.md`); anchor it with a leading `./` or `/` to match at the root only.
 *
 * Matching is case-sensitive and whole-path (the pattern must match the entire path).
 */
const cache = new Map<string, RegExp>()

const REGEX_SPECIAL = /[.+^$()|[\]{}\\*?/]/

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob)
  if (hit) return hit
  let pattern = glob
  let anchored = false
  if (pattern.startsWith('./')) {
    pattern = pattern.slice(2)
    anchored = true
  } else if (pattern.startsWith('/')) {
    pattern = pattern.slice(1)
    anchored = true
  }
  const body = translate(pattern, true)
  const source = !anchored && !hasUnescapedSlash(pattern) ? `^(?:.*/)?${body}$` : `^${body}$`
  const re = new RegExp(source)
  cache.set(glob, re)
  return re
}

/** True when `path` (repo-relative, `/` or `\` separated, optional leading `./`) matches `glob`. */
export function matchGlob(path: string, glob: string): boolean {
  return globToRegExp(glob).test(normalizeGlobPath(path))
}

/** The first pattern of `globs` that `path` matches, or undefined. */
export function firstMatchingGlob(path: string, globs: readonly string[]): string | undefined {
  const p = normalizeGlobPath(path)
  return globs.find((g) => globToRegExp(g).test(p))
}

export function matchAnyGlob(path: string, globs: readonly string[]): boolean {
  return firstMatchingGlob(path, globs) !== undefined
}

function normalizeGlobPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')
}

function hasUnescapedSlash(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') i++
    else if (c === '/') return true
  }
  return false
}

/**
 * Translates glob text to regex source. `segmentStart` tells whether `pattern` begins at the start
 * of a path segment (needed to recognise `**` inside `{...}` alternatives).
 */
function translate(pattern: string, segmentStart: boolean): string {
  let re = ''
  let atSegmentStart = segmentStart
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (c === '\\') {
      const next = pattern[i + 1]
      re += next === undefined ? '\\\\' : escapeChar(next)
      i += 2
      atSegmentStart = false
      continue
    }
    if (c === '*') {
      let j = i
      while (pattern[j] === '*') j++
      const stars = j - i
      const after = pattern[j]
      if (stars >= 2 && atSegmentStart && (after === '/' || after === undefined)) {
        if (after === '/') {
          re += '(?:.*/)?'
          i = j + 1
          atSegmentStart = true
        } else {
          re += '.*'
          i = j
        }
        continue
      }
      re += '[^/]*'
      i = j
      atSegmentStart = false
      continue
    }
    if (c === '?') {
      re += '[^/]'
      i++
      atSegmentStart = false
      continue
    }
    if (c === '[') {
      const cls = readClass(pattern, i)
      if (cls) {
        re += cls.source
        i = cls.end
        atSegmentStart = false
        continue
      }
      re += '\\['
      i++
      atSegmentStart = false
      continue
    }
    if (c === '{') {
      const group = readBraces(pattern, i)
      if (group && group.alternatives.length > 1) {
        re += `(?:${group.alternatives.map((alt) => translate(alt, atSegmentStart)).join('|')})`
        i = group.end
        atSegmentStart = false
        continue
      }
      re += '\\{'
      i++
      atSegmentStart = false
      continue
    }
    re += escapeChar(c)
    atSegmentStart = c === '/'
    i++
  }
  return re
}

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c
}

/** Reads `[...]` starting at `start`; returns undefined when there is no closing bracket. */
function readClass(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1
  let negate = false
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true
    i++
  }
  let body = ''
  let first = true
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (c === ']' && !first) {
      if (body === '') return undefined
      return { source: negate ? `[^/${body}]` : `[${body}]`, end: i + 1 }
    }
    if (c === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) return undefined
      body += `\\${next}`
      i += 2
    } else {
      body += c === ']' || c === '[' || c === '^' ? `\\${c}` : c
      i++
    }
    first = false
  }
  return undefined
}

/** Reads a `{a,b,...}` group starting at `start`, honouring nesting and escapes. */
function readBraces(pattern: string, start: number): { alternatives: string[]; end: number } | undefined {
  let depth = 0
  let current = ''
  const alternatives: string[] = []
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '\\') {
      current += c + (pattern[i + 1] ?? '')
      i++
      continue
    }
    if (c === '{') {
      depth++
      if (depth === 1) continue
    } else if (c === '}') {
      depth--
      if (depth === 0) {
        alternatives.push(current)
        return { alternatives, end: i + 1 }
      }
    } else if (c === ',' && depth === 1) {
      alternatives.push(current)
      current = ''
      continue
    }
    current += c
  }
  return undefined
}
