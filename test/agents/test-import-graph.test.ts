import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildImportGraph, parseImports, parseJsonc, type ImportGraph } from '../../agents/test/import-graph'
import { categorizeTest, isTestFile, packageDirsOf, sourceNameKeys, testNameKeys } from '../../agents/test/test-files'

/** Written as `${JS}` so that codemods rewriting `.js` import specifiers leave the fixtures alone. */
const JS = '.js'

const specs = (code: string): string[] => parseImports(code).map((r) => `${r.kind}:${r.specifier ?? '<non-literal>'}`)

describe('parseImports', () => {
  it('finds static, type-only, side-effect and re-export specifiers', () => {
    expect(
      specs(`
        import a, { b as c } from './one'
        import * as ns from "./two${JS}"
        import type { T } from './three'
        import './side-effect.css'
        export * from './four'
        export * as five from './five'
        export { x as y } from './six'
        export type { Z } from './seven'
        import json from './data.json' with { type: 'json' }
      `),
    ).toEqual([
      'import:./one',
      'import:./two.js',
      'import:./three',
      'side-effect:./side-effect.css',
      'reexport:./four',
      'reexport:./five',
      'reexport:./six',
      'reexport:./seven',
      'import:./data.json',
    ])
  })

  it('finds dynamic imports, require, require.resolve, test-runner mocks and new URL()', () => {
    expect(
      specs(`
        const a = await import('./dyn')
        const b = await import(\`./dyn-template\`)
        const c = await import(\`./locale/\${lang}.js\`)
        const d = await import(name)
        const e = require('./req')
        const f = require.resolve('./resolved')
        const g = import('./with-options', { with: { type: 'json' } })
        import h = require('./ts-require')
        vi.mock('../mocked', () => ({}))
        jest.requireActual('../actual')
        const w = new Worker(new URL('./worker.ts', import.meta.url))
      `),
    ).toEqual([
      'dynamic:./dyn',
      'dynamic:./dyn-template',
      'dynamic:<non-literal>',
      'dynamic:<non-literal>',
      'require:./req',
      'require:./resolved',
      'dynamic:./with-options',
      'require:./ts-require',
      'mock:../mocked',
      'mock:../actual',
      'url:./worker.ts',
    ])
  })

  it('ignores comments, strings, templates, regex literals and property accesses', () => {
    expect(
      specs(`#!/usr/bin/env node
        // import a from './line-comment'
        /* import b from './block-comment'
           require('./block-comment-2') */
        const s1 = "import c from './double-quoted'"
        const s2 = 'require("./single-quoted")'
        const t = \`import d from './template' \${ "import('./in-substitution-string')" } \${ \`nested \${'x'}\` }\`
        const re = /['"\`]import e from '.\\/regex'/g
        const cls = /[/'"]/
        const ratio = total / count / 2
        const m = import.meta.url
        const o = loader.import('./method-call')
        const p = obj.require('./method-require')
        const q = { from: './object-key' }
        const r = Array.from('./array-from')
        function tpl() { return x > 1 ? /regex'quote/ : \`\${a}\${\`nested \${b}\`}\` }
        const after = require("./after-everything")
      `),
    ).toEqual(['require:./after-everything'])
  })

  it('survives an apostrophe in JSX text and keeps reading later lines', () => {
    expect(
      specs(`
        import React from 'react'
        export const C = () => <p>Don't panic</p>
        export const L = () => <a href="http://x">it's a link</a>
        const lazy = React.lazy(() => import('./Page'))
      `),
    ).toEqual(['import:react', 'dynamic:./Page'])
  })

  it('reads import clauses that contain the word "from" and multi-line clauses', () => {
    expect(
      specs(`
        import { from } from './a'
        import {
          x,
          y as from,
        } from './b'
        import from from './c'
      `),
    ).toEqual(['import:./a', 'import:./b', 'import:./c'])
  })

  it('reads triple-slash path references', () => {
    expect(specs('/// <reference path="./globals.d.ts" />\nexport {}')).toEqual(['reference:./globals.d.ts'])
  })
})

describe('parseJsonc', () => {
  it('accepts comments and trailing commas but keeps // inside strings', () => {
    expect(parseJsonc('{ /* c */ "a": "http://x", // c\n "b": [1, 2,], }')).toEqual({ a: 'http://x', b: [1, 2] })
    expect(parseJsonc('{ nope')).toBeUndefined()
  })
})

describe('buildImportGraph resolution', () => {
  let root: string
  let graph: ImportGraph

  const write = async (file: string, text: string): Promise<void> => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true })
    await writeFile(path.join(root, file), text)
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'import-graph-'))
    await write(
      'tsconfig.json',
      `{
        // comments and trailing commas, as tsconfig allows
        "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"], "~config": ["config/index.ts"], }, },
      }`,
    )
    await write('src/main.ts', `import { a } from './a${JS}'\nimport { b } from './dir'\nimport cfg from '~config'\nimport { c } from '@/c'\nimport { d } from './d.mjs'\nimport data from './data.json'\nimport 'left-pad'\nimport fs from 'node:fs'\nimport { gone } from './gone${JS}'\nimport { up } from '../../outside'\n`)
    await write('src/a.ts', 'export const a = 1\n')
    await write('src/a.js', 'compiled output next to the source; the .ts wins\n')
    await write('src/dir/index.tsx', "export { b } from '../b'\n")
    await write('src/b.ts', "export const b = require('./legacy.cjs')\n")
    await write('src/legacy.cjs', "module.exports = require('./legacy-dep')\n")
    await write('src/legacy-dep.js', 'module.exports = 1\n')
    await write('src/c.ts', 'export const c = 3\n')
    await write('src/d.mts', 'export const d = 4\n')
    await write('src/data.json', '{}\n')
    await write('config/index.ts', 'export default {}\n')
    await write('src/cycle-a.ts', "import './cycle-b'\n")
    await write('src/cycle-b.ts', "import './cycle-a'\n")
    await write('packages/ui/package.json', JSON.stringify({ name: '@acme/ui', main: 'dist/index.js' }))
    await write('packages/ui/src/index.ts', "export * from './button'\n")
    await write('packages/ui/src/button.ts', 'export const button = 1\n')
    await write('packages/app/src/app.ts', "import { button } from '@acme/ui'\nimport { button as b2 } from '@acme/ui/src/button'\n")
    await write('node_modules/left-pad/index.js', "import '../../src/a'\n")
    await write('dist/out.js', "import '../src/a'\n")
    await write('build/out.js', "import '../src/a'\n")
    await write('coverage/x.js', "import '../src/a'\n")
    await mkdir(path.join(root, 'linked'), { recursive: true })
    await symlink(path.join(root, 'src'), path.join(root, 'linked', 'src-dir'))
    graph = await buildImportGraph(root)
  })

  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('resolves relative specifiers like TypeScript: .js → .ts, /index, .mjs → .mts, json, cjs', () => {
    expect(graph.importsOf('src/main.ts')).toEqual(
      expect.arrayContaining(['src/a.ts', 'src/dir/index.tsx', 'src/d.mts', 'src/data.json']),
    )
    expect(graph.importsOf('src/main.ts')).not.toContain('src/a.js')
    expect(graph.importsOf('src/dir/index.tsx')).toEqual(['src/b.ts'])
    expect(graph.importsOf('src/b.ts')).toEqual(['src/legacy.cjs'])
    expect(graph.importsOf('src/legacy.cjs')).toEqual(['src/legacy-dep.js'])
  })

  it('resolves tsconfig paths and in-repo workspace packages', () => {
    expect(graph.importsOf('src/main.ts')).toEqual(expect.arrayContaining(['config/index.ts', 'src/c.ts']))
    expect(graph.importsOf('packages/app/src/app.ts')).toEqual(['packages/ui/src/button.ts', 'packages/ui/src/index.ts'])
  })

  it('records bare and unresolved specifiers separately, with the paths that were tried', () => {
    expect(graph.bare.filter((b) => b.from === 'src/main.ts').map((b) => b.specifier)).toEqual(['left-pad', 'node:fs'])
    const gone = graph.unresolved.find((u) => u.specifier === './gone.js')
    expect(gone).toMatchObject({ from: 'src/main.ts', reason: 'not-found' })
    expect(gone?.candidates).toEqual(expect.arrayContaining(['src/gone.ts', 'src/gone.js']))
    expect(graph.unresolved.find((u) => u.specifier === '../../outside')).toMatchObject({ reason: 'outside-root' })
  })

  it('computes transitive dependents with one shortest chain each, and survives cycles', () => {
    expect(graph.dependentsOf('src/legacy-dep.js')).toEqual(['src/b.ts', 'src/dir/index.tsx', 'src/legacy.cjs', 'src/main.ts'])
    expect(graph.dependentChains('src/b.ts').get('src/main.ts')).toEqual(['src/main.ts', 'src/dir/index.tsx', 'src/b.ts'])
    expect(graph.dependentsOf('src/cycle-a.ts')).toEqual(['src/cycle-b.ts'])
    expect(graph.dependenciesOf('src/main.ts')).toEqual(expect.arrayContaining(['src/legacy-dep.js', 'config/index.ts']))
    expect(graph.dependentsOf('./src/b.ts')).toEqual(graph.dependentsOf('src/b.ts'))
  })

  it('skips node_modules, dist, build, coverage and symlinked directories', () => {
    expect(graph.files.some((f) => /^(?:node_modules|dist|build|coverage|linked)\//.test(f))).toBe(false)
    expect(graph.dependentsOf('src/a.ts')).toEqual(['src/main.ts'])
  })
})

describe('test file conventions', () => {
  it('recognises test files by name and directory, but not support code in test directories', () => {
    for (const f of [
      'src/a.test.ts',
      'src/a.spec.tsx',
      'src/__tests__/a.ts',
      'test/a.ts',
      'tests/deep/a.mjs',
      'packages/x/src/__tests__/a.js',
      'cypress/e2e/login.cy.ts',
      'tests/test_calc.py',
      'calc_test.py',
      'pkg/add_test.go',
    ]) {
      expect(isTestFile(f), f).toBe(true)
    }
    for (const f of [
      'src/a.ts',
      'test/helpers/db.ts',
      'test/fixtures/repo/index.ts',
      'test/__mocks__/fs.ts',
      'test/setup.ts',
      'test/global-setup.ts',
      'test/setupTests.ts',
      'test/utils.ts',
      'test/types.d.ts',
      'test/data.json',
      'tests/conftest.py',
      'tests/calc.py',
      'pkg/add.go',
      'latest/a.ts',
      'agents/test/select.ts',
      'packages/x/test/a.js',
    ]) {
      expect(isTestFile(f), f).toBe(false)
    }
  })

  it('treats test/ and tests/ as test directories only at the root of the repository or of a package', () => {
    const packageDirs = packageDirsOf(['package.json', 'packages/x/package.json', 'packages/x/test/a.js', 'agents/test/select.ts'])
    expect([...packageDirs].sort()).toEqual(['', 'packages/x'])
    expect(isTestFile('packages/x/test/a.js', { packageDirs })).toBe(true)
    expect(isTestFile('packages/x/tests/deep/a.ts', { packageDirs })).toBe(true)
    expect(isTestFile('test/a.ts', { packageDirs })).toBe(true)
    expect(isTestFile('agents/test/select.ts', { packageDirs })).toBe(false)
    expect(isTestFile('packages/y/test/a.js', { packageDirs })).toBe(false)
  })

  it('lets testGlobs replace the JS/TS conventions', () => {
    const conventions = { testGlobs: ['**/*.check.ts'] }
    expect(isTestFile('checks/a.check.ts', conventions)).toBe(true)
    expect(isTestFile('src/a.test.ts', conventions)).toBe(false)
    expect(isTestFile('tests/test_a.py', conventions)).toBe(true)
  })

  it('categorises tests by path and name', () => {
    expect(categorizeTest('e2e/app.test.ts')).toBe('e2e')
    expect(categorizeTest('src/app.e2e.test.ts')).toBe('e2e')
    expect(categorizeTest('tests/playwright/login.spec.ts')).toBe('e2e')
    expect(categorizeTest('cypress/e2e/login.cy.ts')).toBe('e2e')
    expect(categorizeTest('test/login.cy.ts')).toBe('e2e')
    expect(categorizeTest('test/integration/db.test.ts')).toBe('integration')
    expect(categorizeTest('test/db.int.test.ts')).toBe('integration')
    expect(categorizeTest('integration-tests/db.test.ts')).toBe('integration')
    expect(categorizeTest('test/internal.test.ts')).toBe('unit')
    expect(categorizeTest('test/interest.test.ts')).toBe('unit')
    expect(categorizeTest('src/a.test.ts')).toBe('unit')
    expect(categorizeTest('tests/test_calc.py')).toBe('unit')
  })

  it('derives naming keys for sources and tests', () => {
    expect(testNameKeys('test/foo.test.ts')).toEqual(['foo'])
    expect(testNameKeys('e2e/app.e2e.test.ts')).toEqual(['app'])
    expect(testNameKeys('src/__tests__/Button.tsx')).toEqual(['button'])
    expect(testNameKeys('tests/test_calc.py')).toEqual(['calc'])
    expect(testNameKeys('calc_test.py')).toEqual(['calc'])
    expect(testNameKeys('pkg/add_test.go')).toEqual(['add'])
    expect(sourceNameKeys('src/foo.ts')).toEqual(['foo'])
    expect(sourceNameKeys('src/Button.tsx')).toEqual(['button'])
    expect(sourceNameKeys('src/foo/index.ts')).toEqual(['foo'])
    expect(sourceNameKeys('lib/calc/__init__.py')).toEqual(['calc'])
    expect(sourceNameKeys('src/types.d.ts')).toEqual(['types'])
  })
})
