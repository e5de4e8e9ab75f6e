/**
 * Routing from names alone, for failures that come without a log (commit statuses, other apps' check runs) or whose
 * log shows nothing at all. The workflow, job and step names and the changed files vote for a category; the failure
 * kind is read from the same names (`clippy`, `test`, `build`, ...). A log with any output never comes here: there,
 * names only break near-ties (classify.ts), because they are generic or misleading in about a third of real jobs.
 */
import type { RootCategory } from './rules'
import type { FailureType, HealerFacts } from './schema'

interface NameRoute {
  category: RootCategory
  /** Words in a name that say the category. */
  name: RegExp
  /** Changed files that belong to the category. */
  file: RegExp
  /** Failure kinds by words in the names, first match wins; then by changed files; then `fallback`. */
  types: ReadonlyArray<readonly [RegExp, FailureType]>
  fileTypes?: ReadonlyArray<readonly [RegExp, FailureType]>
  fallback: FailureType
}

const ROUTES: readonly NameRoute[] = [
  {
    category: 'rust',
    name: /\b(?:rust|rustc|cargo|clippy|rustfmt|rustdoc|nextest|msrv|crates?)\b/i,
    file: /\.rs$|(?:^|\/)Cargo\.(?:toml|lock)$|rust-toolchain(?:\.toml)?$|(?:^|\/)(?:deny|clippy|rustfmt)\.toml$/,
    types: [
      [/\bclippy\b/i, 'rust_clippy'],
      [/\b(?:rustfmt|fmt|format(?:ting)?)\b/i, 'rust_fmt'],
      [/\b(?:tests?|nextest|doctests?|unit|integration)\b/i, 'rust_test'],
      [/\b(?:deny|audit|udeps|machete|msrv|deps|dependencies|lockfile|outdated)\b/i, 'rust_deps'],
    ],
    fileTypes: [[/(?:^|\/)(?:Cargo\.lock|deny\.toml)$/, 'rust_deps']],
    fallback: 'rust_build',
  },
  {
    category: 'frontend',
    name: /\b(?:npm|pnpm|yarn|bun|node(?:js)?|frontend|web|ui|js|ts|typescript|tsc|typecheck|eslint|prettier|stylelint|jest|vitest|playwright|cypress|storybook|vite|webpack|esbuild|next(?:js)?|react|vue|angular|svelte)\b/i,
    file: /\.(?:[cm]?[jt]sx?|vue|svelte|astro|css|scss|less)$|(?:^|\/)(?:package(?:-lock)?\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lockb?|tsconfig[\w.-]*\.json|\.eslintrc[\w.]*|eslint\.config\.[cm]?js|\.prettierrc[\w.]*)$/,
    types: [
      [/\bstylelint\b/i, 'stylelint'],
      [/\b(?:eslint|lint(?:ing)?)\b/i, 'eslint'],
      [/\b(?:prettier|format(?:ting)?|fmt)\b/i, 'prettier'],
      [/\b(?:tsc|typecheck|type-check|types)\b/i, 'ts_typecheck'],
      [/\b(?:tests?|jest|vitest|playwright|cypress|e2e|unit|mocha)\b/i, 'js_test'],
      [/\b(?:install|deps|dependencies|audit)\b/i, 'npm_install'],
    ],
    fileTypes: [[/(?:^|\/)(?:package-lock\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lockb?)$/, 'npm_install']],
    fallback: 'frontend_build',
  },
  {
    category: 'infra',
    // `deploy`/`release` are not here: seed 001's matrix gives deploy-* and *-release to Atlas
    name: /\b(?:docker|dockerfile|image|container|buildx|compose|helm|charts?|k8s|kubernetes|kubectl|kustomize|manifests?|kubeconform|kubeval|terraform|tf|tofu|opentofu|tflint|terragrunt|infra(?:structure)?|gitops|argocd|yamllint)\b/i,
    file: /(?:^|\/)(?:[\w.-]*Dockerfile[\w.-]*|\.dockerignore|docker-compose[\w.-]*\.ya?ml|compose[\w.-]*\.ya?ml|Chart\.yaml|values[\w.-]*\.ya?ml|kustomization\.ya?ml)$|\.(?:tf|tfvars|hcl)$|(?:^|\/)(?:k8s|kubernetes|manifests|charts|helm|overlays)\//,
    types: [
      [/\b(?:helm|charts?)\b/i, 'helm'],
      [/\b(?:terraform|tf|tofu|opentofu|tflint|terragrunt)\b/i, 'terraform'],
      [/\b(?:k8s|kubernetes|kubectl|kustomize|manifests?|kubeconform|kubeval|gitops|argocd)\b/i, 'k8s_manifest'],
      [/\byamllint\b/i, 'yaml_syntax'],
    ],
    fileTypes: [
      [/(?:^|\/)(?:Chart\.yaml|values[\w.-]*\.ya?ml)$|(?:^|\/)(?:charts|helm)\//, 'helm'],
      [/\.(?:tf|tfvars|hcl)$/, 'terraform'],
      [/(?:^|\/)kustomization\.ya?ml$|(?:^|\/)(?:k8s|kubernetes|manifests|overlays)\//, 'k8s_manifest'],
    ],
    fallback: 'docker_build',
  },
  {
    category: 'github',
    name: /\b(?:actionlint|workflows?|release|deploy(?:ment)?|publish|pages|dependabot|renovate)\b/i,
    file: /^\.github\/(?:workflows|actions)\/|(?:^|\/)(?:CODEOWNERS|dependabot\.ya?ml)$/,
    types: [[/\b(?:actionlint|workflows?)\b/i, 'workflow_syntax']],
    fileTypes: [[/^\.github\/(?:workflows|actions)\//, 'workflow_syntax']],
    fallback: 'permissions',
  },
]

/** A name counts 1 for each category it names; changed files count up to 2, by the share that belongs to a category. */
const FILE_WEIGHT = 2
/** Below this the names say too little (one generic word with no files, say): `unknown`. */
const MIN_NAME_SCORE = 1

export interface NameDecision {
  category: RootCategory
  type: FailureType
  /** The score of the winner and of the runner-up. */
  score: number
  second: number
  /** What decided, as `workflow: ...`, `job: ...`, `step: ...`, `changed files: ...`. */
  evidence: string[]
  scores: Record<RootCategory, number>
}

function typeOf(route: NameRoute, names: readonly string[], files: readonly string[]): FailureType {
  for (const [re, type] of route.types) if (names.some((n) => re.test(n))) return type
  const mine = files.filter((f) => route.file.test(f))
  for (const [re, type] of route.fileTypes ?? []) if (mine.length && mine.filter((f) => re.test(f)).length * 2 >= mine.length) return type
  return route.fallback
}

/** The category the names and changed files point at, when they agree clearly enough; else null. */
export function routeByNames(facts: Pick<HealerFacts, 'workflow' | 'job' | 'step' | 'changedFiles'>): NameDecision | null {
  const named: Array<[string, string]> = []
  if (facts.workflow) named.push(['workflow', facts.workflow])
  if (facts.job) named.push(['job', facts.job])
  if (facts.step) named.push(['step', facts.step])
  const files = (facts.changedFiles ?? []).filter((f) => f.trim() !== '').slice(0, 300)
  const scores: Record<RootCategory, number> = { rust: 0, frontend: 0, infra: 0, github: 0 }
  for (const r of ROUTES) {
    let s = named.filter(([, n]) => r.name.test(n)).length
    if (files.length) s += FILE_WEIGHT * (files.filter((f) => r.file.test(f)).length / files.length)
    scores[r.category] = Math.round(s * 100) / 100
  }
  const ranked = ROUTES.map((r) => r.category).sort((a, b) => scores[b] - scores[a])
  const top = ranked[0]
  if (!top) return null
  const score = scores[top]
  const second = ranked[1] ? scores[ranked[1]] : 0
  // a tie, or a winner that is not clearly ahead, says nothing
  if (score < MIN_NAME_SCORE || score - second < 0.5) return null
  const route = ROUTES.find((r) => r.category === top)
  if (!route) return null
  const evidence = named.filter(([, n]) => route.name.test(n)).map(([k, n]) => `${k}: ${n}`)
  const mine = files.filter((f) => route.file.test(f))
  if (mine.length) evidence.push(`changed files: ${mine.slice(0, 10).join(', ')}${mine.length > 10 ? `, … (${mine.length} of ${files.length})` : ` (${mine.length} of ${files.length})`}`)
  return { category: top, type: typeOf(route, named.map(([, n]) => n), files), score, second, evidence, scores }
}
