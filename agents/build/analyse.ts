import { matchAnyGlob } from '../../shared/glob/match'

/** Files whose change alters dependencies (and so the cached dependency layers). */
const MANIFESTS = [
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb',
  'Cargo.toml', 'Cargo.lock', 'go.mod', 'go.sum', 'requirements.txt', 'pyproject.toml', 'poetry.lock',
  'uv.lock', 'Pipfile.lock', 'Gemfile.lock', 'composer.lock', 'pom.xml', 'build.gradle', 'build.gradle.kts',
]
const DOCS = ['**/*.md', '**/*.mdx', '**/*.rst', '**/*.txt', 'docs/**', 'LICENSE*', '.github/ISSUE_TEMPLATE/**', '**/.gitignore']

export interface BuildFacts {
  changed: string[]
  dockerfile: string
  dockerfileChanged: boolean
  dockerfileStages: number
  manifestsChanged: string[]
  docsOnly: boolean
  scope: string[]
  historyMs: number[]
}

export interface BuildAnalysisInput {
  /** Repo-relative paths changed by the push (empty when unknown). */
  changed: string[]
  /** Dockerfile path relative to the repo root, and its text when the repo has one. */
  dockerfile: string
  dockerfileText: string | null
  domains: Record<string, string[]>
  /** Durations (ms) of recent successful builds of this repo, newest first. */
  historyMs: number[]
}

export function analyseBuild(input: BuildAnalysisInput): BuildFacts {
  const base = (p: string) => p.split('/').pop() ?? p
  const dockerBits = [input.dockerfile, '.dockerignore']
  const scope = Object.entries(input.domains)
    .filter(([, globs]) => input.changed.some((f) => matchAnyGlob(f, globs)))
    .map(([name]) => name)
  const unscoped = input.changed.some((f) => !Object.values(input.domains).some((g) => matchAnyGlob(f, g)))
  return {
    changed: input.changed,
    dockerfile: input.dockerfile,
    dockerfileChanged: input.changed.some((f) => dockerBits.includes(f)),
    dockerfileStages: input.dockerfileText ? (input.dockerfileText.match(/^\s*FROM\s/gim) ?? []).length : 0,
    manifestsChanged: input.changed.filter((f) => MANIFESTS.includes(base(f))),
    docsOnly: input.changed.length > 0 && input.changed.every((f) => matchAnyGlob(f, DOCS)),
    scope: input.changed.length === 0 || unscoped || scope.length === 0 ? ['*', ...scope] : scope,
    historyMs: input.historyMs,
  }
}
