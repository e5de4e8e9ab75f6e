import { describe, expect, it } from 'vitest'
import { globToRegExp, matchAnyGlob, matchGlob } from '../../shared/glob/match'

describe('shared/glob matchGlob', () => {
  it('* matches within one segment only', () => {
    expect(matchGlob('src/a.ts', 'src/*.ts')).toBe(true)
    expect(matchGlob('src/.ts', 'src/*.ts')).toBe(true)
    expect(matchGlob('src/deep/a.ts', 'src/*.ts')).toBe(false)
    expect(matchGlob('src/a.tsx', 'src/*.ts')).toBe(false)
    expect(matchGlob('src/a/b', 'src/*')).toBe(false)
    expect(matchGlob('src/a', 'src/*')).toBe(true)
  })

  it('? matches exactly one character, never a slash', () => {
    expect(matchGlob('src/ab.ts', 'src/a?.ts')).toBe(true)
    expect(matchGlob('src/a.ts', 'src/a?.ts')).toBe(false)
    expect(matchGlob('src/abc.ts', 'src/a?.ts')).toBe(false)
    expect(matchGlob('src/a/.ts', 'src/a?.ts')).toBe(false)
  })

  it('** matches any depth, including none', () => {
    expect(matchGlob('src/a.ts', 'src/**')).toBe(true)
    expect(matchGlob('src/x/y/z.ts', 'src/**')).toBe(true)
    expect(matchGlob('src', 'src/**')).toBe(false)
    expect(matchGlob('srcx/a.ts', 'src/**')).toBe(false)
    expect(matchGlob('a/b', 'a/**/b')).toBe(true)
    expect(matchGlob('a/x/y/b', 'a/**/b')).toBe(true)
    expect(matchGlob('a/xb', 'a/**/b')).toBe(false)
    expect(matchGlob('src/c.ts', 'src/**/*.ts')).toBe(true)
    expect(matchGlob('src/a/b/c.ts', 'src/**/*.ts')).toBe(true)
    expect(matchGlob('lib/c.ts', 'src/**/*.ts')).toBe(false)
    expect(matchGlob('README.md', '**/*.md')).toBe(true)
    expect(matchGlob('docs/a/b.md', '**/*.md')).toBe(true)
    expect(matchGlob('docs/a/b.mdx', '**/*.md')).toBe(false)
    expect(matchGlob('anything/at/all', '**')).toBe(true)
  })

  it('{a,b} alternatives', () => {
    expect(matchGlob('src/a.ts', 'src/*.{ts,tsx}')).toBe(true)
    expect(matchGlob('src/a.tsx', 'src/*.{ts,tsx}')).toBe(true)
    expect(matchGlob('src/a.js', 'src/*.{ts,tsx}')).toBe(false)
    expect(matchGlob('vitest.config.ts', '{vitest,jest}.config.*')).toBe(true)
    expect(matchGlob('jest.config.mjs', '{vitest,jest}.config.*')).toBe(true)
    expect(matchGlob('vite.config.ts', '{vitest,jest}.config.*')).toBe(false)
    expect(matchGlob('lib/x.ts', '{src,lib}/**/*.ts')).toBe(true)
    expect(matchGlob('src/deep/x.ts', '{src,lib}/**/*.ts')).toBe(true)
    expect(matchGlob('app/x.ts', '{src,lib}/**/*.ts')).toBe(false)
    expect(matchGlob('a.spec.ts', '*.{test,spec}.ts')).toBe(true)
    expect(matchGlob('a.test.ts', '*.{test,spec}.ts')).toBe(true)
    expect(matchGlob('a.unit.ts', '*.{test,spec}.ts')).toBe(false)
  })

  it('* inside {a,b} stays within a segment', () => {
    expect(matchGlob('src/a.gen.ts', 'src/{*.gen,x}.ts')).toBe(true)
    expect(matchGlob('src/a/b.gen.ts', 'src/{*.gen,x}.ts')).toBe(false)
  })

  it('? inside {a,b} is one character, not a regular-expression quantifier', () => {
    // BUG (shared/glob/match.ts:29): alternatives escape . + ^ $ ( ) | [ ] \ and convert *,
    // but leave `?` as is, so `{a?c,b}` becomes the RegExp `(?:a?c|b)`: "a" is optional.
    expect(matchGlob('abc', '{a?c,zz}')).toBe(true)
    expect(matchGlob('c', '{a?c,zz}')).toBe(false)
    expect(matchGlob('ac', '{a?c,zz}')).toBe(false)
  })

  it('** inside {a,b} matches any depth, like ** anywhere else', () => {
    // BUG (shared/glob/match.ts:29): inside braces `**` is turned into `[^/]*[^/]*`, so it
    // cannot cross a slash.
    expect(matchGlob('src/a/b/x.ts', '{src/**,lib}/*.ts')).toBe(true)
    expect(matchGlob('lib/x.ts', '{src/**,lib}/*.ts')).toBe(true)
  })

  it('a pattern without / matches the file name at any depth', () => {
    expect(matchGlob('package.json', 'package.json')).toBe(true)
    expect(matchGlob('a/b/package.json', 'package.json')).toBe(true)
    expect(matchGlob('a/b/package.json.bak', 'package.json')).toBe(false)
    expect(matchGlob('xpackage.json', 'package.json')).toBe(false)
    expect(matchGlob('deep/dir/notes.md', '*.md')).toBe(true)
    expect(matchGlob('Dockerfile.prod', 'Dockerfile*')).toBe(true)
    expect(matchGlob('ops/Dockerfile', 'Dockerfile*')).toBe(true)
    expect(matchGlob('x/y/a.ts', '?.ts')).toBe(true)
    expect(matchGlob('x/y/ab.ts', '?.ts')).toBe(false)
    expect(matchGlob('x/y/a.mdx', '*.{md,mdx}')).toBe(true)
  })

  it('a pattern with / is anchored at the repository root; a leading / or ./ is dropped', () => {
    expect(matchGlob('docs/a.md', 'docs/*.md')).toBe(true)
    expect(matchGlob('x/docs/a.md', 'docs/*.md')).toBe(false)
    expect(matchGlob('README.md', '/README.md')).toBe(true)
    expect(matchGlob('sub/README.md', '/README.md')).toBe(false)
    expect(matchGlob('src/a.ts', './src/*.ts')).toBe(true)
  })

  it('regular-expression characters are literal', () => {
    expect(matchGlob('a+b.txt', 'a+b.txt')).toBe(true)
    expect(matchGlob('aab.txt', 'a+b.txt')).toBe(false)
    expect(matchGlob('axtxt', 'a.txt')).toBe(false)
    expect(matchGlob('f(1).txt', 'f(1).txt')).toBe(true)
    expect(matchGlob('[x].md', '\\[x\\].md')).toBe(true) // escaped brackets are literal
    expect(matchGlob('x.md', '[x].md')).toBe(true) // unescaped brackets are a character class
    expect(matchGlob('$HOME^', '$HOME^')).toBe(true)
    expect(matchGlob('a|b', 'a|b')).toBe(true)
    expect(matchGlob('a', 'a|b')).toBe(false)
  })

  it('an unclosed { is a literal brace', () => {
    expect(matchGlob('a{b', 'a{b')).toBe(true)
    expect(matchGlob('x/a{b', 'a{b')).toBe(true)
  })

  it('globToRegExp is anchored and cached', () => {
    const re = globToRegExp('src/**/*.ts')
    expect(re.test('src/a.ts')).toBe(true)
    expect(re.test('xsrc/a.ts')).toBe(false)
    expect(re.test('src/a.tsx')).toBe(false)
    expect(globToRegExp('src/**/*.ts')).toBe(re)
  })

  it('matchAnyGlob is true when any glob matches', () => {
    expect(matchAnyGlob('src/a.ts', ['docs/**', 'src/**'])).toBe(true)
    expect(matchAnyGlob('lib/a.ts', ['docs/**', 'src/**'])).toBe(false)
    expect(matchAnyGlob('a.ts', [])).toBe(false)
  })
})
