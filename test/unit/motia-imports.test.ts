/**
 * Motia 0.17 compiles step files and follows only relative imports that name a file without its
 * extension (`./x` for `x.ts`): a `.js` suffix or a folder import (`./sns` for `sns/index.ts`) is
 * left unresolved and the server fails at start. Everything a step can reach must follow that rule.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { globSync } from 'glob'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')

describe('imports reachable from steps', () => {
  it('name .ts files without an extension, never folders or .js', () => {
    const bad: string[] = []
    for (const file of globSync('{steps,shared,agents,plugins}/**/*.ts', { cwd: ROOT })) {
      const text = readFileSync(path.join(ROOT, file), 'utf8')
      for (const m of text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
        const spec = m[1] as string
        const target = path.resolve(path.dirname(path.join(ROOT, file)), spec)
        if (spec.endsWith('.js')) bad.push(`${file}: ${spec} (drop .js)`)
        else if (!existsSync(`${target}.ts`) && existsSync(target) && statSync(target).isDirectory()) bad.push(`${file}: ${spec} (a folder: name the file)`)
      }
    }
    expect(bad).toEqual([])
  })
})
