import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { repositorySchema, type RepositoryConfig } from '../config/schema'

export interface DetectedPipeline {
  repo: RepositoryConfig
  /** What was found and what it implies, for the user. */
  notes: string[]
}

const NPM_PLACEHOLDER = /no test specified/

/** A repository name from a directory name (cicd.yml's name rules). */
export function repoNameFromDir(dir: string): string {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '')
  return base || 'repo'
}

/**
 * A pipeline for a repository the config does not name, from what the checkout holds:
 * package.json scripts, a Dockerfile, Cargo.toml, go.mod, pytest, a Makefile.
 */
export function detectPipeline(dir: string): DetectedPipeline {
  const has = (f: string) => existsSync(path.join(dir, f))
  const notes: string[] = []
  const build: string[] = []
  const test: string[] = []
  const reports: string[] = []

  if (has('package.json')) {
    let pkg: { scripts?: Record<string, string>; dependencies?: object; devDependencies?: object } = {}
    try {
      pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    } catch {
      notes.push('package.json is not valid JSON: its scripts are ignored')
    }
    const deps = Object.keys(pkg.dependencies ?? {}).length + Object.keys(pkg.devDependencies ?? {}).length
    if (deps > 0) build.push(has('package-lock.json') || has('npm-shrinkwrap.json') ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund')
    if (pkg.scripts?.build) build.push('npm run build')
    if (pkg.scripts?.test && !NPM_PLACEHOLDER.test(pkg.scripts.test)) test.push('npm test')
    notes.push(`package.json: ${[deps ? 'dependencies' : '', pkg.scripts?.build ? 'build script' : '', test.length ? 'test script' : ''].filter(Boolean).join(', ') || 'no build or test script'}`)
  }
  if (has('Cargo.toml')) {
    build.push('cargo build --all-targets')
    test.push('cargo test')
    notes.push('Cargo.toml: cargo build and cargo test')
  }
  if (has('go.mod')) {
    build.push('go build ./...')
    test.push('go test ./...')
    notes.push('go.mod: go build and go test')
  }
  if ((has('pyproject.toml') || has('requirements.txt') || has('setup.py')) && (has('tests') || has('test') || has('pytest.ini'))) {
    test.push('python3 -m pytest --junitxml=reports/pytest.xml')
    reports.push('reports/pytest.xml')
    notes.push('Python project with tests: pytest with a JUnit report')
  }
  if (test.length === 0 && has('Makefile') && /^test:/m.test(readFileSync(path.join(dir, 'Makefile'), 'utf8'))) {
    test.push('make test')
    notes.push('Makefile: make test')
  }
  if (has('Dockerfile')) notes.push('Dockerfile: built as an image when a Docker engine answers')
  if (build.length === 0 && test.length === 0 && !has('Dockerfile')) notes.push('nothing to build or test was recognised')

  const repo = repositorySchema.parse({
    name: repoNameFromDir(dir),
    path: path.resolve(dir),
    build: { commands: build },
    test: { commands: test, report: { paths: reports.length ? reports : ['**/junit*.xml', 'reports/**/*.xml'] } },
  })
  return { repo, notes }
}
