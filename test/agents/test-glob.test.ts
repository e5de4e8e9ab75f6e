import { describe, expect, it } from 'vitest'
import { firstMatchingGlob, globToRegExp, matchAnyGlob, matchGlob } from '../../shared/glob/match'

describe('agents/test glob matcher', () => {
  it('matches * and ? within one segment only', () => {
    expect(matchGlob('src/a.ts', 'src/*.ts')).toBe(true)
    expect(matchGlob('src/deep/a.ts', 'src/*.ts')).toBe(false)
    expect(matchGlob('src/ab.ts', 'src/a?.ts')).toBe(true)
    expect(matchGlob('src/a.ts', 'src/a?.ts')).toBe(false)
    expect(matchGlob('src/a/.ts', 'src/a?.ts')).toBe(false)
  })

  it('matches ** across any number of segments, including none', () => {
    expect(matchGlob('a/b', 'a/**/b')).toBe(true)
    expect(matchGlob('a/x/y/b', 'a/**/b')).toBe(true)
    expect(matchGlob('a/xb', 'a/**/b')).toBe(false)
    expect(matchGlob('test/helpers/db.ts', 'test/**')).toBe(true)
    expect(matchGlob('test', 'test/**')).toBe(false)
    expect(matchGlob('x.test.ts', '**/*.test.ts')).toBe(true)
    expect(matchGlob('a/b/x.test.ts', '**/*.test.ts')).toBe(true)
    expect(matchGlob('src/a/b/c.ts', 'src/**/*.ts')).toBe(true)
    expect(matchGlob('src/c.ts', 'src/**/*.ts')).toBe(true)
    expect(matchGlob('lib/c.ts', 'src/**/*.ts')).toBe(false)
  })

  it('treats ** inside a segment like *', () => {
    expect(matchGlob('src/ab.ts', 'src/a**.ts')).toBe(true)
    expect(matchGlob('src/a/b.ts', 'src/a**.ts')).toBe(false)
  })

  it('expands {a,b} alternatives, nested and with glob syntax inside', () => {
    expect(matchGlob('vitest.config.ts', '{vitest,jest}.config.*')).toBe(true)
    expect(matchGlob('jest.config.mjs', '{vitest,jest}.config.*')).toBe(true)
    expect(matchGlob('vite.config.ts', '{vitest,jest}.config.*')).toBe(false)
    expect(matchGlob('a.test.tsx', '*.{test,spec}.{ts,tsx}')).toBe(true)
    expect(matchGlob('a.spec.js', '*.{test,spec}.{ts,{js,jsx}}')).toBe(true)
    expect(matchGlob('src/x/y.ts', '{src/**,lib}/*.ts')).toBe(true)
    expect(matchGlob('lib/y.ts', '{src/**,lib}/*.ts')).toBe(true)
    expect(matchGlob('globalSetup.ts', 'global{-,_,}{setup,Setup}.ts')).toBe(true)
    expect(matchGlob('global-setup.ts', 'global{-,_,}{setup,Setup}.ts')).toBe(true)
  })

  it('keeps an unmatched { or [ literal', () => {
    expect(matchGlob('a{b.ts', 'a{b.ts')).toBe(true)
    expect(matchGlob('a[b.ts', 'a[b.ts')).toBe(true)
    expect(matchGlob('a{b}.ts', 'a{b}.ts')).toBe(true)
  })

  it('supports character classes and escapes', () => {
    expect(matchGlob('v1.ts', 'v[0-9].ts')).toBe(true)
    expect(matchGlob('va.ts', 'v[0-9].ts')).toBe(false)
    expect(matchGlob('va.ts', 'v[!0-9].ts')).toBe(true)
    expect(matchGlob('a*.ts', 'a\\*.ts')).toBe(true)
    expect(matchGlob('ab.ts', 'a\\*.ts')).toBe(false)
  })

  it('escapes regex metacharacters', () => {
    expect(matchGlob('a+b(1).ts', 'a+b(1).ts')).toBe(true)
    expect(matchGlob('axts', 'a.ts')).toBe(false)
    expect(matchGlob('a$^|.ts', 'a$^|.ts')).toBe(true)
  })

  it('matches a slash-less pattern against the file name at any depth, unless anchored', () => {
    expect(matchGlob('package.json', 'package.json')).toBe(true)
    expect(matchGlob('packages/x/package.json', 'package.json')).toBe(true)
    expect(matchGlob('packages/x/package.json', './package.json')).toBe(false)
    expect(matchGlob('packages/x/package.json', '/package.json')).toBe(false)
    expect(matchGlob('package.json', '/package.json')).toBe(true)
    expect(matchGlob('docs/a.md', '*.md')).toBe(true)
    expect(matchGlob('config/.env.local', '.env.*')).toBe(true)
  })

  it('normalises the path it matches', () => {
    expect(matchGlob('./src/a.ts', 'src/*.ts')).toBe(true)
    expect(matchGlob('src\\a.ts', 'src/*.ts')).toBe(true)
  })

  it('lets * match dot-files', () => {
    expect(matchGlob('.env', '*')).toBe(true)
    expect(matchGlob('a/.hidden/b.ts', 'a/**/b.ts')).toBe(true)
  })

  it('reports which pattern matched, and caches compiled patterns', () => {
    expect(firstMatchingGlob('infra/main.tf', ['*.md', 'infra/**'])).toBe('infra/**')
    expect(firstMatchingGlob('src/a.ts', ['*.md', 'infra/**'])).toBeUndefined()
    expect(matchAnyGlob('README.md', ['*.md'])).toBe(true)
    expect(globToRegExp('src/**/*.ts')).toBe(globToRegExp('src/**/*.ts'))
  })
})
