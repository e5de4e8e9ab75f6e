/**
 * Glob matching for repo-relative paths: `**` (any depth), `*` and `?` (within a segment),
 * `{a,b}` alternatives. A pattern without `/` matches the file name at any depth, as in
 * .gitignore.
 */
const cache = new Map<string, RegExp>()

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob)
  if (hit) return hit
  const pattern = glob.includes('/') ? glob.replace(/^\.?\//, '') : `**/${glob}`
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/'
        re += slash ? '(?:.*/)?' : '.*'
        i += slash ? 2 : 1
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '{') {
      const end = pattern.indexOf('}', i)
      if (end < 0) re += '\\{'
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`
        i = end
      }
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  const out = new RegExp(`^${re}$`)
  cache.set(glob, out)
  return out
}

export function matchesGlob(file: string, glob: string): boolean {
  return globToRegExp(glob).test(file)
}

export function matchesAny(file: string, globs: readonly string[]): boolean {
  return globs.some((g) => matchesGlob(file, g))
}
