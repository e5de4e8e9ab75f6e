import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A real git repository in a temp dir, for pipelines to clone. */
export class TempRepo {
  readonly dir: string
  constructor(prefix = 'cicd-repo-') {
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix))
    this.git('init', '-q', '-b', 'main')
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: this.dir, encoding: 'utf8' }).trim()
  }

  write(files: Record<string, string>): this {
    for (const [rel, text] of Object.entries(files)) {
      const p = path.join(this.dir, rel)
      mkdirSync(path.dirname(p), { recursive: true })
      writeFileSync(p, text)
    }
    return this
  }

  /** Writes the files, commits everything, returns the new commit's SHA. */
  commit(files: Record<string, string>, message = 'change'): string {
    this.write(files)
    this.git('add', '-A')
    this.git('commit', '-q', '-m', message)
    return this.git('rev-parse', 'HEAD')
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** A tiny Node project whose tests pass, or fail when `failing` is set; JUnit via node:test. */
export function nodeProject(opts: { failing?: boolean; dockerfile?: string; buildScript?: string } = {}): Record<string, string> {
  return {
    'package.json': JSON.stringify(
      {
        name: 'tiny',
        version: '1.0.0',
        type: 'module',
        scripts: {
          build: opts.buildScript ?? 'node -e "console.log(\'built\')"',
          test: 'mkdir -p reports && node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml',
        },
      },
      null,
      2,
    ),
    'src/math.mjs': 'export const add = (a, b) => a + b\n',
    'src/other.mjs': 'export const other = () => 42\n',
    'test/math.test.mjs': `import test from 'node:test'\nimport assert from 'node:assert/strict'\nimport { add } from '../src/math.mjs'\ntest('adds', () => assert.equal(add(2, 2), ${opts.failing ? 5 : 4}))\ntest('adds zero', () => assert.equal(add(2, 0), 2))\n`,
    'test/other.test.mjs': `import test from 'node:test'\nimport assert from 'node:assert/strict'\nimport { other } from '../src/other.mjs'\ntest('other', () => assert.equal(other(), 42))\n`,
    ...(opts.dockerfile ? { Dockerfile: opts.dockerfile } : {}),
  }
}
