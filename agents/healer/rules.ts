/**
 * Failure-pattern rules of the Healer, one family per tool. Each rule recognises how a tool REPORTS a failure (message
 * shapes, error codes, summaries), never a particular project's names. Weights: 5 = the message names the root cause
 * on its own, 4 = a tool's fatal error format, 3 = a failure summary, 2 or less = supporting detail.
 *
 * Roles:
 *  - fatal:    counts on its own;
 *  - support:  counts only when the same category already has a fatal hit (locations, help notes);
 *  - fallback: a wrapper that only says "a sub-process failed" (`docker build` RUN, `terraform` wrapper); it counts only
 *              when no other category explains the failure, so the tool inside the wrapper wins (root cause over context).
 * `decisive` rules (runner lost, disk full, job timeout, cancellation) end the job whatever ran, so they win outright.
 */
import type { FailureType, HealerCategory } from './schema'
import type { LineKind } from './log'

export type RootCategory = Exclude<HealerCategory, 'unknown'>
export type Role = 'fatal' | 'support' | 'fallback'
export type Decisive = 'runner' | 'timeout' | 'cancelled'

export interface LineContext {
  /** Normalised text: BuildKit `#12 3.45 ` prefixes and Terraform `│ ` borders removed. */
  text: string
  kind: LineKind
  index: number
  /** Severity of the rustc/cargo-style diagnostic block the line belongs to. */
  diag: 'error' | 'warning' | null
  /** Last line that was only a file path (ESLint/stylelint/yamllint stylish output). */
  fileHeader: string | null
  /** Texts of the whole region, for look-around. */
  texts: readonly string[]
  /**
   * What the failing step ran (its `Run ...` title and echoed script). Only rules whose tool prints nothing but bare
   * file names (`terraform fmt -check`) may use it: it says how to read the output, never what failed.
   */
  command: string
}

export interface Rule {
  id: string
  category: RootCategory
  type: FailureType
  re: RegExp
  weight: number
  desc: string
  role?: Role
  /** Also matches warning lines (`[warn] Code style issues` is Prettier's failure summary). */
  onWarning?: boolean
  /** Count repeated matches with diminishing returns (default) or once. */
  repeat?: boolean
  /** Only on `##[error]` annotations. */
  annotationOnly?: boolean
  decisive?: Decisive
  when?: (m: RegExpExecArray, ctx: LineContext) => boolean
  /** Re-route a hit whose category depends on the file it names (YAML in a workflow vs a manifest, ...). */
  route?: (m: RegExpExecArray, ctx: LineContext) => { category: RootCategory; type: FailureType } | null
}

const JS_EXT = /\.(?:[cm]?[jt]sx?|vue|svelte|astro)$/
const CSS_EXT = /\.(?:css|scss|sass|less|pcss)$/
const YAML_EXT = /\.ya?ml$/
/** npm reports a failed dependency install script with the package's path under node_modules (or gyp's output). */
const NPM_DEP_SCRIPT = /^npm (?:ERR!|error) path \S*node_modules[\\/]|(?:^|\s)(?:node-pre-)?gyp (?:ERR!|info)|prebuild-install /
/** Lines a docker build prints around its RUN steps (BuildKit and the legacy builder). */
const DOCKER_BUILD_CONTEXT = /^\[[\w -]*\d+\/\d+\] RUN |^Step \d+\/\d+ : RUN |did not complete successfully: exit code|returned a non-zero code: |failed to solve: /
/** Rate-limit phrasings of GitHub's API and Octokit's throttling plugin. */
const RATE_LIMITED = /rate limit|quota exhausted|exhausted (?:your|the) (?:API |request )?quota|\b429\b|Too Many Requests|Abuse detected/i
/** Cloud credentials missing in CI are a secrets/OIDC problem of the workflow, not of the Terraform code. */
const CREDENTIALS = /credential|OIDC|AssumeRoleWithWebIdentity|id-token/i

function near(ctx: LineContext, re: RegExp, before: number, after: number): boolean {
  const from = Math.max(0, ctx.index - before)
  const to = Math.min(ctx.texts.length, ctx.index + after + 1)
  for (let i = from; i < to; i++) if (re.test(ctx.texts[i] ?? '')) return true
  return false
}

/** Routes a YAML problem by the file it is in: workflows are GitHub's, lockfiles the package manager's. */
function routeYaml(_m: RegExpExecArray, ctx: LineContext): { category: RootCategory; type: FailureType } {
  const here = `${ctx.fileHeader ?? ''} ${ctx.text}`
  if (/\.github\/(?:workflows|actions)\/|action\.ya?ml\b/.test(here) || near(ctx, /\.github\/workflows\/\S+\.ya?ml/, 3, 0))
    return { category: 'github', type: 'workflow_syntax' }
  if (/pnpm-lock\.yaml|\.yarnrc\.yml|yarn\.lock|pnpm-workspace\.yaml/.test(here)) return { category: 'frontend', type: 'npm_install' }
  return { category: 'infra', type: 'yaml_syntax' }
}

/** A stylish-format problem line (`  12:5  error  message  rule-id`) belongs to the tool of the file it is listed under. */
function routeStylish(_m: RegExpExecArray, ctx: LineContext): { category: RootCategory; type: FailureType } | null {
  const f = ctx.fileHeader ?? ''
  if (YAML_EXT.test(f)) return routeYaml(_m, ctx)
  if (CSS_EXT.test(f)) return { category: 'frontend', type: 'stylelint' }
  if (JS_EXT.test(f) || /\.(?:json|md|mdx|html)$/.test(f)) return { category: 'frontend', type: 'eslint' }
  if (/\.tf$/.test(f)) return { category: 'infra', type: 'terraform' }
  return null
}

const rust: Rule[] = [
  { id: 'rustc-code', category: 'rust', type: 'rust_build', weight: 4, re: /\berror\[E\d{4}\]/, desc: 'rustc error code' },
  {
    id: 'rustc-diagnostic',
    category: 'rust',
    type: 'rust_build',
    weight: 3,
    re: /^error(?:\[E\d{4}\])?: \S/,
    desc: 'rustc/clippy diagnostic pointing into a .rs file',
    when: (_m, ctx) => near(ctx, /^\s*--> \S+\.rs:\d+:\d+/, 0, 3),
  },
  { id: 'cargo-could-not-compile', category: 'rust', type: 'rust_build', weight: 3, re: /\berror: could not compile `[^`]+`/, desc: 'cargo: could not compile' },
  { id: 'rustc-aborting', category: 'rust', type: 'rust_build', weight: 2, re: /^error: aborting due to (?:\d+ )?previous errors?/, desc: 'rustc aborting' },
  { id: 'rustc-explain', category: 'rust', type: 'rust_build', weight: 1, role: 'support', re: /rustc --explain E\d{4}/, desc: 'rustc --explain hint' },
  { id: 'rust-build-script', category: 'rust', type: 'rust_build', weight: 4, re: /failed to run custom build command for `/, desc: 'cargo build script failed' },
  { id: 'rust-linker', category: 'rust', type: 'rust_build', weight: 4, re: /error: linking with `[^`]+` failed|error: linker `[^`]+` not found|could not find native static library `/, desc: 'rust linker error' },
  { id: 'rustup', category: 'rust', type: 'rust_build', weight: 3, re: /^error: (?:toolchain '[^']+' is not installed|component '[^']+' for target '[^']+' is unavailable|override toolchain '[^']+' is not installed)/, desc: 'rustup toolchain problem' },
  { id: 'cargo-no-subcommand', category: 'rust', type: 'rust_build', weight: 3, re: /^error: no such (?:sub)?command: `[^`]+`/, desc: 'cargo subcommand missing' },
  // clippy
  {
    id: 'clippy-level-note',
    category: 'rust',
    type: 'rust_clippy',
    weight: 2,
    re: /`-D (?:clippy::[\w-]+|warnings)` implied by `-D (?:warnings|clippy::[\w-]+)`|requested on the command line with `-D clippy::|#\[deny\(clippy::[\w:]+\)\]/,
    desc: 'clippy lint denied',
    when: (_m, ctx) => ctx.diag !== 'warning',
  },
  { id: 'clippy-lint-url', category: 'rust', type: 'rust_clippy', weight: 1.5, role: 'support', re: /rust-clippy\/[\w.-]+\/index\.html#\w+/, desc: 'clippy lint reference', when: (_m, ctx) => ctx.diag === 'error' },
  // rustfmt
  { id: 'rustfmt-diff', category: 'rust', type: 'rust_fmt', weight: 4, re: /^Diff in \S.*\.rs(?: at line \d+|:\d+):?\s*$/, desc: 'rustfmt --check diff' },
  // tests
  { id: 'cargo-test-result', category: 'rust', type: 'rust_test', weight: 4, re: /test result: FAILED\./, desc: 'cargo test: test result FAILED' },
  { id: 'rust-panicked', category: 'rust', type: 'rust_test', weight: 3, re: /thread '[^']*' panicked at /, desc: 'Rust panic' },
  { id: 'cargo-test-rerun', category: 'rust', type: 'rust_test', weight: 3, re: /^error: test failed, to rerun pass /, desc: 'cargo test failed' },
  { id: 'doctest-failed', category: 'rust', type: 'rust_test', weight: 3, re: /^error: doctest failed|Couldn't compile the test\./, desc: 'doctest failed' },
  { id: 'rust-test-line', category: 'rust', type: 'rust_test', weight: 2, re: /^test \S.* \.\.\. FAILED$/, desc: 'libtest: test FAILED' },
  { id: 'nextest-fail', category: 'rust', type: 'rust_test', weight: 3, re: /^\s*(?:TRY \d+ )?(?:FAIL|SIGSEGV|SIGABRT|SIGKILL|TIMEOUT|LEAK-FAIL|ABORT)\s+\[\s*[\d.]+m?s\]/, desc: 'nextest: test failed' },
  { id: 'nextest-run-failed', category: 'rust', type: 'rust_test', weight: 3, re: /^error: test run failed/, desc: 'nextest: test run failed' },
  { id: 'nextest-summary', category: 'rust', type: 'rust_test', weight: 2, re: /Summary \[.*\] \d+ tests? run: .*\b[1-9]\d* (?:failed|timed out)/, desc: 'nextest summary with failures' },
  { id: 'insta-snapshot', category: 'rust', type: 'rust_test', weight: 2, re: /snapshot assertion for '[^']*' failed/, desc: 'insta snapshot mismatch' },
  // dependencies / manifests / lockfiles
  { id: 'cargo-select-version', category: 'rust', type: 'rust_deps', weight: 4, re: /failed to select a version for/, desc: 'cargo dependency resolution failed' },
  { id: 'cargo-manifest', category: 'rust', type: 'rust_deps', weight: 4, re: /failed to (?:load|parse) manifest (?:for|at)|failed to read `[^`]*Cargo\.toml`/, desc: 'Cargo.toml could not be loaded' },
  { id: 'toml-parse', category: 'rust', type: 'rust_deps', weight: 3, re: /TOML parse error at line \d+/, desc: 'TOML parse error' },
  { id: 'cargo-locked', category: 'rust', type: 'rust_deps', weight: 4, re: /lock file .* needs to be updated but --(?:locked|frozen) was passed|cannot (?:update|create) the lock file .* because --(?:locked|frozen) was passed/, desc: 'Cargo.lock out of date under --locked' },
  { id: 'cargo-lockfile', category: 'rust', type: 'rust_deps', weight: 4, re: /failed to parse lock file at|lock file version `?\d+`? (?:was found|requires)/, desc: 'Cargo.lock unreadable' },
  { id: 'cargo-msrv', category: 'rust', type: 'rust_deps', weight: 4, re: /rustc [\d.]+ is not supported by the following packages|cannot be built because it requires rustc [\d.]+|requires rustc [\d.]+ or newer/, desc: 'dependency needs a newer rustc' },
  {
    id: 'cargo-registry',
    category: 'rust',
    type: 'rust_deps',
    weight: 4,
    re: /no matching package named `[^`]+` found|failed to get `[^`]+` as a dependency of package|checksum for `[^`]+` changed between lock files|cyclic package dependency: |failed to download from `https:\/\/(?:static\.)?crates\.io|package ID specification `[^`]+` did not match any packages/,
    desc: 'cargo registry/dependency error',
  },
  { id: 'cargo-edition-feature', category: 'rust', type: 'rust_deps', weight: 3, re: /feature `edition\d{4}` is required|consider adding `cargo-features = /, desc: 'Cargo feature/edition not supported' },
  {
    id: 'cargo-deny',
    category: 'rust',
    type: 'rust_deps',
    weight: 4,
    re: /^error\[(?:vulnerability|unsound|unmaintained|yanked|notice|banned|rejected|unlicensed|license-not-encountered|duplicate|source-not-allowed|git-source-underspecified|wildcard|denied)\]/,
    desc: 'cargo-deny check failed',
  },
  { id: 'cargo-deny-summary', category: 'rust', type: 'rust_deps', weight: 3, re: /^(?:advisories|bans|licenses|sources) FAILED/, desc: 'cargo-deny summary' },
  { id: 'cargo-audit', category: 'rust', type: 'rust_deps', weight: 4, re: /^error: \d+ (?:vulnerabilit(?:y|ies)|denied warnings?) found!?/, desc: 'cargo audit found vulnerabilities' },
  {
    id: 'cargo-deny-generic',
    category: 'rust',
    type: 'rust_deps',
    weight: 3,
    re: /^error\[[a-z][a-z-]+\]: /,
    desc: 'cargo-deny check failed',
    // cargo-deny's diagnostics point into Cargo.lock/Cargo.toml or a registry source, and it ends with its check summary
    when: (_m, ctx) => near(ctx, /┌─ (?:\S*Cargo\.(?:lock|toml)|registry\+|git\+)|^(?:advisories|bans|licenses|sources) (?:ok|FAILED)/, 0, 60),
  },
  {
    id: 'cargo-manifest-misc',
    category: 'rust',
    type: 'rust_deps',
    weight: 4,
    re: /does not (?:contain|have) (?:this|the) feature|^error: no matching package found|current package believes it's in a workspace when it's not|failed to load source for dependency `|the specification `[^`]+` is ambiguous|two packages named `[^`]+` in this workspace|could not find `Cargo\.toml` in|cargo-machete found the following unused dependencies/,
    desc: 'Cargo manifest/feature problem',
  },
  { id: 'cargo-install-failed', category: 'rust', type: 'rust_build', weight: 3, re: /^error: failed to compile `[^`]+`|Compiling your crate to WebAssembly failed/, desc: 'crate failed to compile' },
  { id: 'cargo-targets-failed', category: 'rust', type: 'rust_test', weight: 3, re: /^error: \d+ targets? failed:/, desc: 'cargo test: targets failed' },
  { id: 'tarpaulin', category: 'rust', type: 'rust_test', weight: 4, re: /Coverage is below the failure threshold|cargo_tarpaulin.*(?:ERROR|Failed)/, desc: 'Rust coverage below threshold' },
]

const frontend: Rule[] = [
  // package managers
  {
    id: 'npm-code',
    category: 'frontend',
    type: 'npm_install',
    weight: 4,
    re: /^npm (?:ERR!|error) code (\S+)/,
    desc: 'npm error code',
    // E401/E403/ENEEDAUTH are the token's, ENOSPC the runner's, EUSAGE a misused CLI; a numeric code (or ELIFECYCLE) is a
    // script that failed: npm's own problem only when that script is a dependency's install script (native addons)
    when: (m, ctx) => {
      const code = m[1] ?? ''
      if (/^E(?:NOSPC|401|403|NEEDAUTH|AI_AGAIN|USAGE)$/.test(code)) return false
      if (/^(?:\d+|ELIFECYCLE)$/.test(code)) return near(ctx, NPM_DEP_SCRIPT, 0, 40)
      return true
    },
  },
  {
    id: 'node-gyp',
    category: 'frontend',
    type: 'npm_install',
    weight: 4,
    re: /(?:^|\s)(?:node-pre-gyp|gyp) ERR! (?:build error|configure error|not ok|stack Error: |find Python|UNCAUGHT EXCEPTION)|(?:^|\s)node-pre-gyp ERR! |(?:^|\s)prebuild-install (?:ERR!|err) |(?:^|\s)prebuildify ERR! /,
    desc: 'native addon build failed (node-gyp/prebuild)',
  },
  {
    id: 'bun-install',
    category: 'frontend',
    type: 'npm_install',
    weight: 4,
    re: /^error: (?:lockfile had changes, but lockfile is frozen|No version matching "[^"]+" found for specifier|package "[^"]+" not found|\S+ failed to resolve|GET https?:\/\/\S+ - (?:404|401|403)|postinstall script from "[^"]+" exited with \d+)/,
    desc: 'bun install failed',
  },
  {
    id: 'npm-detail',
    category: 'frontend',
    type: 'npm_install',
    weight: 2,
    re: /^npm (?:ERR!|error) (?:ERESOLVE|notarget|404 |peer |Could not resolve dependency|While resolving|Missing: |Invalid: lock file|`npm ci` can only install|Conflicting peer dependency|Unsupported engine|Found: )/,
    desc: 'npm dependency detail',
  },
  { id: 'npm-missing-script', category: 'frontend', type: 'frontend_build', weight: 3, re: /^npm (?:ERR!|error) Missing script: /, desc: 'npm script missing' },
  {
    id: 'pnpm-error',
    category: 'frontend',
    type: 'npm_install',
    weight: 4,
    re: /\bERR_PNPM_([A-Z_]+)/,
    desc: 'pnpm error code',
    when: (m) => !/^RECURSIVE_(?:RUN|EXEC)_FIRST_FAIL$|^(?:ELIFECYCLE)$/.test(m[1] ?? ''),
  },
  {
    id: 'yarn-classic',
    category: 'frontend',
    type: 'npm_install',
    weight: 4,
    re: /^error (?:An unexpected error occurred|Found incompatible module|Couldn't find (?:package|any versions)|Your lockfile needs to be updated|\S+: The engine "\w+" is incompatible|Integrity check failed|Received invalid response from npm|Incorrect integrity when fetching|There appears to be trouble with your network)/,
    desc: 'yarn install error',
  },
  { id: 'yarn-berry-code', category: 'frontend', type: 'npm_install', weight: 3, re: /\bYN0(?:001|009|018|028|035|060|071|078|082|083)\b/, desc: 'yarn berry error code' },
  { id: 'yarn-berry-failed', category: 'frontend', type: 'npm_install', weight: 2, re: /YN0000: .*Failed with errors/, desc: 'yarn install failed' },
  // TypeScript
  {
    id: 'tsc-error',
    category: 'frontend',
    type: 'ts_typecheck',
    weight: 4,
    re: /\.(?:[cm]?[jt]sx?|vue|svelte|astro)(?:\(\d+,\d+\)|:\d+:\d+)(?::| -) error TS\d+:/,
    desc: 'TypeScript compiler error',
  },
  { id: 'tsc-error-bare', category: 'frontend', type: 'ts_typecheck', weight: 3, re: /(?:^|\s)error TS\d{3,5}:/, desc: 'TypeScript compiler error' },
  { id: 'tsc-found', category: 'frontend', type: 'ts_typecheck', weight: 2, re: /^Found \d+ errors?(?: in (?:\d+ files|\S+:\d+))?\.?\s*$/, desc: 'tsc error summary' },
  { id: 'next-type-error', category: 'frontend', type: 'ts_typecheck', weight: 3, re: /^Type error: /, desc: 'Next.js type check failed' },
  { id: 'svelte-check', category: 'frontend', type: 'ts_typecheck', weight: 3, re: /svelte-check found [1-9]\d* errors?/, desc: 'svelte-check errors' },
  // lint / format
  {
    id: 'lint-problems',
    category: 'frontend',
    type: 'eslint',
    weight: 3,
    re: /✖ \d+ problems? \((\d+) errors?, \d+ warnings?\)/,
    desc: 'ESLint/stylelint problem summary',
    when: (m) => Number(m[1]) > 0,
    route: (_m, ctx) => ({ category: 'frontend', type: CSS_EXT.test(ctx.fileHeader ?? '') || near(ctx, /\s✖\s+.+\s{2,}[\w-]+\/?[\w-]*\s*$/, 12, 0) ? 'stylelint' : 'eslint' }),
  },
  { id: 'eslint-max-warnings', category: 'frontend', type: 'eslint', weight: 4, re: /ESLint found too many warnings \(maximum: \d+\)/, desc: 'ESLint --max-warnings exceeded', onWarning: true },
  { id: 'eslint-crash', category: 'frontend', type: 'eslint', weight: 3, re: /Oops! Something went wrong! :\(|ESLint couldn't find (?:a|the) config|ESLint: \d+\.\d+\.\d+\s*$/, desc: 'ESLint could not run' },
  {
    id: 'stylish-error',
    category: 'frontend',
    type: 'eslint',
    weight: 2.5,
    re: /^\s*\d+:\d+\s+(?:error|✖)\s+\S.*?\s{2,}(?:(?:@?[\w-]+\/)*[\w-]+|\([\w-]+\))\s*$/,
    desc: 'lint error under a file header',
    route: routeStylish,
  },
  { id: 'next-lint-line', category: 'frontend', type: 'eslint', weight: 2, re: /^\d+:\d+\s+Error: .+\s{2,}(?:@?[\w-]+\/)*[\w-]+\s*$/, desc: 'next lint error' },
  { id: 'biome-rule', category: 'frontend', type: 'eslint', weight: 2, re: /\blint\/(?:suspicious|style|correctness|complexity|nursery|a11y|performance|security)\/\w+/, desc: 'Biome lint rule' },
  { id: 'biome-failed', category: 'frontend', type: 'eslint', weight: 2, re: /Some errors were emitted while running checks/, desc: 'Biome check failed' },
  {
    id: 'prettier-check',
    category: 'frontend',
    type: 'prettier',
    weight: 4,
    re: /Code style issues (?:found|detected)|Forgot to run Prettier\?/,
    desc: 'Prettier --check found unformatted files',
    onWarning: true,
  },
  { id: 'prettier-syntax', category: 'frontend', type: 'prettier', weight: 3, re: /^\[error\] \S+: SyntaxError: /, desc: 'Prettier could not parse a file' },
  // tests
  { id: 'jest-summary', category: 'frontend', type: 'js_test', weight: 4, re: /^\s*(?:Tests|Test Suites):\s+\d+ failed/, desc: 'Jest summary with failures' },
  { id: 'vitest-summary', category: 'frontend', type: 'js_test', weight: 4, re: /^\s*(?:Test Files|Tests)\s+\d+ failed/, desc: 'Vitest summary with failures' },
  { id: 'js-fail-file', category: 'frontend', type: 'js_test', weight: 3, re: /^\s*FAIL\s+\S+\.[cm]?[jt]sx?\b/, desc: 'failing test file' },
  { id: 'vitest-failed-banner', category: 'frontend', type: 'js_test', weight: 3, re: /⎯+ (?:Failed Tests? \d+|Unhandled Errors?) ⎯+/, desc: 'Vitest failed tests' },
  { id: 'jest-bullet', category: 'frontend', type: 'js_test', weight: 2, re: /^\s*● .+ › /, desc: 'Jest failing test' },
  { id: 'js-expect', category: 'frontend', type: 'js_test', weight: 2, re: /expect\((?:received|locator|page|value)\)\.\w+|^\s*AssertionError: (?:expected|Timed out retrying)|› \d+ snapshots? failed/, desc: 'assertion failure' },
  { id: 'jest-test-timeout', category: 'frontend', type: 'js_test', weight: 2, re: /Exceeded timeout of \d+ ?ms for a (?:test|hook)/, desc: 'Jest test timeout' },
  { id: 'playwright-fail', category: 'frontend', type: 'js_test', weight: 3, re: /^\s*(?:[✘×]\s+\d+|\d+\)) \[[\w -]+\] › \S+\.(?:spec|test|e2e)\.[cm]?[jt]sx?:\d+/, desc: 'Playwright test failed' },
  {
    id: 'playwright-summary',
    category: 'frontend',
    type: 'js_test',
    weight: 3,
    re: /^\s*\d+ failed\s*$|^\s*\d+\) \S+\.(?:spec|test|e2e)\.[cm]?[jt]sx?:\d+:\d+ › /,
    desc: 'Playwright failures',
    when: (m, ctx) => !/failed\s*$/.test(m[0]) || near(ctx, / › \S|\.(?:spec|test)\.[cm]?[jt]sx?:\d+/, 0, 2),
  },
  { id: 'playwright-browsers', category: 'frontend', type: 'js_test', weight: 3, re: /browserType\.launch: Executable doesn't exist/, desc: 'Playwright browsers missing' },
  { id: 'cypress-summary', category: 'frontend', type: 'js_test', weight: 4, re: /✖\s+\d+ of \d+ failed \(\d+%\)/, desc: 'Cypress run failed' },
  { id: 'cypress-error', category: 'frontend', type: 'js_test', weight: 3, re: /\bCypressError: |Cypress could not verify that this server is running|Cypress failed to (?:start|verify)/, desc: 'Cypress error' },
  { id: 'mocha-failing', category: 'frontend', type: 'js_test', weight: 3, re: /^\s*\d+ failing\s*$/, desc: 'Mocha/Cypress failing tests' },
  { id: 'node-test-fail', category: 'frontend', type: 'js_test', weight: 3, re: /^# fail [1-9]\d*|^✖ failing tests:/, desc: 'node --test failures' },
  {
    id: 'js-coverage',
    category: 'frontend',
    type: 'js_test',
    weight: 4,
    re: /Coverage for (?:lines|branches|functions|statements) \([\d.]+%\) does not meet (?:global )?threshold|coverage threshold for \w+ \([\d.]+%\) not met/,
    desc: 'coverage below threshold',
  },
  // bundlers / frameworks
  { id: 'vite-build', category: 'frontend', type: 'frontend_build', weight: 4, re: /^error during build:|\[vite\]:? \S|\[vite:[\w-]+\]|Rollup failed to resolve import|\bRollupError\b|^x Build failed in [\d.]+m?s|^✗ Build failed/, desc: 'Vite/Rollup build error' },
  { id: 'webpack-build', category: 'frontend', type: 'frontend_build', weight: 4, re: /^ERROR in \S|Module not found: Error: Can't resolve|webpack [\d.]+ compiled with \d+ errors?|Module build failed(?: \(from |:)|Module parse failed: /, desc: 'webpack build error' },
  { id: 'esbuild-error', category: 'frontend', type: 'frontend_build', weight: 4, re: /^\s*(?:✘|X) \[ERROR\] |^(?:Error: )?Build failed with \d+ errors?:?/, desc: 'esbuild error' },
  {
    id: 'next-build',
    category: 'frontend',
    type: 'frontend_build',
    weight: 4,
    re: /^Failed to compile\.?\s*$|Build failed because of webpack errors|^> Build error occurred|Error occurred prerendering page|Module not found: Can't resolve|Export encountered errors on following paths/,
    desc: 'Next.js build error',
  },
  { id: 'angular-build', category: 'frontend', type: 'frontend_build', weight: 4, re: /\bNG\d{4}: |Application bundle generation failed/, desc: 'Angular build error' },
  { id: 'js-syntax', category: 'frontend', type: 'frontend_build', weight: 3, re: /SyntaxError: \S+\.(?:[cm]?[jt]sx?|vue): /, desc: 'JavaScript syntax error' },
  { id: 'node-heap', category: 'frontend', type: 'frontend_build', weight: 3, re: /JavaScript heap out of memory/, desc: 'Node heap exhausted' },
  { id: 'node-module-missing', category: 'frontend', type: 'frontend_build', weight: 2.5, re: /Error: Cannot find module '[^']+'|\bERR_MODULE_NOT_FOUND\b|Cannot find package '[^']+' imported from/, desc: 'Node module not found' },
  {
    id: 'js-bin-missing',
    category: 'frontend',
    type: 'frontend_build',
    weight: 3,
    re: /(?:sh: \d+: |\/bin\/sh: )(?:vite|tsc|jest|vitest|eslint|next|webpack|react-scripts|ng|prettier|playwright|cypress|nuxt|astro|svelte-kit|tsx|ts-node|rollup|esbuild|turbo|nx): (?:not found|command not found)|'(?:vite|tsc|jest|vitest|eslint|next|webpack|react-scripts|ng|prettier|playwright)' is not recognized as an internal or external command/,
    desc: 'JS tool not installed (node_modules missing)',
  },
  {
    id: 'bundler-misc',
    category: 'frontend',
    type: 'frontend_build',
    weight: 4,
    re: /🚨 Build failed|@parcel\/[\w-]+: |Turbopack build failed with \d+ errors?|^\s*× (?:Module not found|Module build failed|Build failed)|\[rolldown\]|^\[!\] (?:Error|RollupError): |Failed to compile with \d+ errors?|Treating warnings as errors because process\.env\.CI = true|^ERROR #\d+ /,
    desc: 'bundler build error',
  },
  { id: 'eslint-unix', category: 'frontend', type: 'eslint', weight: 3, re: /\.[cm]?[jt]sx?:\d+:\d+: .+ \[Error\/[@\w/-]+\]/, desc: 'ESLint error (unix format)' },
  { id: 'js-test-misc', category: 'frontend', type: 'js_test', weight: 3, re: /● Test suite failed to run|Executed \d+ of \d+ \(\d+ FAILED\)|^TOTAL: \d+ FAILED|^\s*[1-9]\d* fail\s*$|^error: Test failed|^\s*\d+ specs?, [1-9]\d* failures?\b|^\s*[1-9]\d* tests? failed\s*$|^\s*✘ \[fail\]: /, desc: 'JS test runner failure' },
  { id: 'yarn-registry-404', category: 'frontend', type: 'npm_install', weight: 4, re: /^error https?:\/\/\S+: (?:Not found|Request failed)/, desc: 'yarn package not found' },
  { id: 'npm-audit', category: 'frontend', type: 'npm_install', weight: 3, re: /\b\d+ (?:high|critical) severity vulnerabilit(?:y|ies)/, desc: 'npm audit found vulnerabilities' },
]

const infra: Rule[] = [
  // Docker
  { id: 'dockerfile-parse', category: 'infra', type: 'docker_build', weight: 5, re: /dockerfile parse error|unknown instruction: [A-Za-z]+|failed to read dockerfile|unable to prepare context: |failed to process ".*": |unexpected end of statement while looking for matching|failed to parse stage name/i, desc: 'Dockerfile cannot be parsed/read' },
  {
    id: 'docker-copy-missing',
    category: 'infra',
    type: 'docker_build',
    weight: 5,
    re: /\b(?:COPY|ADD) failed: |failed to compute cache key: .*not found|failed to calculate checksum of ref \S+ "[^"]+": not found|failed to walk .*: lstat .*: no such file or directory/,
    desc: 'COPY/ADD source missing from the build context',
  },
  {
    id: 'docker-base-image',
    category: 'infra',
    type: 'docker_build',
    weight: 5,
    re: /failed to resolve source metadata for|pull access denied|\bmanifest unknown\b|manifest for \S+ not found|toomanyrequests: |You have reached your pull rate limit|Error response from daemon: (?:failed to resolve reference|Get "https:\/\/[^"]+": (?:dial tcp|net\/http))/,
    desc: 'base image not found or not pullable',
  },
  {
    id: 'docker-pull-token',
    category: 'infra',
    type: 'docker_build',
    weight: 4,
    re: /failed to fetch (?:anonymous|oauth) token: /,
    desc: 'registry refused to serve a base image',
    when: (_m, ctx) => !/push/.test(ctx.text),
  },
  {
    id: 'docker-image-not-found',
    category: 'infra',
    type: 'docker_build',
    weight: 4,
    re: /^ERROR: (?:docker\.io|ghcr\.io|quay\.io|[\w.-]+\.(?:io|com|dev|net)(?::\d+)?)\/\S+: not found$/,
    desc: 'image reference not found',
  },
  {
    id: 'docker-run-wrapper',
    category: 'infra',
    type: 'docker_build',
    weight: 2.5,
    role: 'fallback',
    repeat: false,
    re: /process "\/bin\/(?:ba)?sh -c .*" did not complete successfully: exit code: \d+|The command '\/bin\/sh -c .*' returned a non-zero code: \d+|executor failed running \[/,
    desc: 'a Dockerfile RUN instruction failed',
  },
  {
    id: 'docker-solve-wrapper',
    category: 'infra',
    type: 'docker_build',
    weight: 2.5,
    role: 'fallback',
    repeat: false,
    re: /^(?:ERROR: )?failed to solve: |^error: failed to solve: |^buildx failed with: /,
    desc: 'docker build failed',
  },
  {
    id: 'python-deps-in-docker',
    category: 'infra',
    type: 'docker_build',
    weight: 3.5,
    re: /^ERROR: (?:Could not find a version that satisfies the requirement|No matching distribution found for|Failed building wheel for|Could not build wheels for|ResolutionImpossible|Cannot install .+ because these package versions have conflicting dependencies|Could not install packages due to an OSError|Ignored the following versions that require a different python version)|^error: subprocess-exited-with-error|^× (?:Failed to build installable wheels|No solution found when resolving dependencies|Failed to (?:build|download))|version solving failed\.?\s*$|pyproject\.toml changed significantly since poetry\.lock was last generated|poetry\.lock is not consistent with pyproject\.toml|^ModuleNotFoundError: No module named |^PackagesNotFoundError: |^LibMambaUnsatisfiableError: /,
    desc: 'Python dependencies failed in an image build',
    // the image definition's problem when it runs inside a docker build; a Rust or TS error in the same build outweighs it
    when: (_m, ctx) => near(ctx, DOCKER_BUILD_CONTEXT, 200, 200),
  },
  { id: 'apt-error', category: 'infra', type: 'docker_build', weight: 4, re: /^E: (?:Unable to locate package|Package '[^']+' has no installation candidate|Unable to fetch some archives|The repository '[^']+' (?:does not have a Release file|is not signed)|Version '[^']+' for '[^']+' was not found|Failed to fetch|Sub-process \/usr\/bin\/dpkg returned an error code|Unable to correct problems, you have held broken packages)/, desc: 'apt-get failed' },
  { id: 'apk-error', category: 'infra', type: 'docker_build', weight: 4, re: /^ERROR: unable to select packages:|\(no such package\):|^ERROR: \S+: (?:temporary error|BAD signature|UNTRUSTED signature)/, desc: 'apk add failed' },
  { id: 'rpm-error', category: 'infra', type: 'docker_build', weight: 4, re: /^Error: Unable to find a match: |No package \S+ available\.|^Error: Failed to download metadata for repo/, desc: 'yum/dnf failed' },
  { id: 'hadolint', category: 'infra', type: 'docker_build', weight: 4, re: /\S*Dockerfile\S*:\d+ (?:DL|SC)\d{4} error: /, desc: 'hadolint error' },
  {
    id: 'compose-config',
    category: 'infra',
    type: 'docker_build',
    weight: 4,
    re: /^validating \S+\.ya?ml: |service "[^"]+" (?:depends on undefined service|refers to undefined)|invalid compose project|services\.[\w.-]+ (?:must be a|Additional property)|no such service: |dependency failed to start: container \S+ (?:is unhealthy|exited)/,
    desc: 'docker compose file invalid',
  },
  // Helm
  {
    id: 'helm-error',
    category: 'infra',
    type: 'helm',
    weight: 5,
    re: /Error: (?:template: |YAML parse error on |INSTALLATION FAILED: |UPGRADE FAILED: |execution error at \(|unable to build kubernetes objects from release manifest|chart requires kubeVersion|found in Chart\.yaml, but missing in charts\/ directory|no repository definition for |could not find protocol handler for|\d+ chart\(s\) linted, [1-9]\d* chart\(s\) failed|failed to download "|rendered manifests contain a resource that already exists|cannot re-use a name that is still in use|no cached repo found|repo \S+ not found|chart "[^"]+" (?:version "[^"]+" )?not found)/,
    desc: 'Helm error',
  },
  { id: 'helm-lint-error', category: 'infra', type: 'helm', weight: 4, re: /^\[ERROR\] (?:templates\/|Chart\.yaml|values\.yaml|: |\S+\.ya?ml: )/, desc: 'helm lint error' },
  { id: 'helm-debug', category: 'infra', type: 'helm', weight: 1, role: 'support', re: /helm\.go:\d+: \[debug\]|^==> Linting /, desc: 'Helm output' },
  // Kubernetes
  {
    id: 'kubectl-error',
    category: 'infra',
    type: 'k8s_manifest',
    weight: 4,
    re: /error: error validating "[^"]+"|error validating data: |ValidationError\(|Error from server \(\w+\)|The \w+ "[^"]+" is invalid: |resource mapping not found for name|no matches for kind "[^"]+" in version|ensure CRDs are installed first|error: unable to recognize "|error when (?:creating|applying|patching|retrieving|deleting) "|strict decoding error: unknown field|error: the server doesn't have a resource type|exceeded its progress deadline|Unable to connect to the server: |error: timed out waiting for the condition|error: You must be logged in to the server/,
    desc: 'kubectl rejected the manifests',
  },
  {
    id: 'kustomize-error',
    category: 'infra',
    type: 'k8s_manifest',
    weight: 5,
    re: /Error: (?:accumulating resources|no matches for Id|merging from generator|no resource matches strategic merge patch|trouble configuring builtin|unable to find one of 'kustomization\.yaml')|failed to find unique target for patch|evalsymlink failure/,
    desc: 'kustomize build failed',
  },
  {
    id: 'kubeconform',
    category: 'infra',
    type: 'k8s_manifest',
    weight: 4,
    re: / - \w+ \S+ is invalid: |problem validating schema|Summary: \d+ resources? found .* Invalid: [1-9]|could not find schema for \w+|^ERR\s+- \S+\.ya?ml|failed validation: /,
    desc: 'manifest schema validation failed',
  },
  {
    id: 'kubeval',
    category: 'infra',
    type: 'k8s_manifest',
    weight: 4,
    onWarning: true,
    re: /^(?:WARN|ERR) +- \S+ contains an invalid \w+|^ERR +- \S+\.(?:ya?ml|json): /,
    desc: 'kubeval: invalid manifest',
  },
  // YAML
  {
    id: 'yaml-syntax',
    category: 'infra',
    type: 'yaml_syntax',
    weight: 4,
    re: /yaml: line \d+: |error converting YAML to JSON|mapping values are not allowed (?:in this context|here)|did not find expected (?:key|'-' indicator|node content)|could not find expected ':'|found character that cannot start any token|found undefined alias|yaml: unmarshal errors/,
    desc: 'YAML syntax error',
    route: routeYaml,
  },
  { id: 'yamllint-parsable', category: 'infra', type: 'yaml_syntax', weight: 4, re: /^\S+\.ya?ml:\d+:\d+: \[error\] /, desc: 'yamllint error', route: routeYaml },
  // Terraform / TFLint
  { id: 'terraform-exit', category: 'infra', type: 'terraform', weight: 3, repeat: false, re: /^(?:Terraform|OpenTofu|Terragrunt) exited with code [1-9]/, desc: 'terraform exited non-zero' },
  {
    id: 'terraform-error-block',
    category: 'infra',
    type: 'terraform',
    weight: 5,
    re: /^Error: [A-Z]\S*/,
    desc: 'Terraform error block',
    when: (_m, ctx) => !CREDENTIALS.test(ctx.text) && near(ctx, /^\s*(?:on|with) \S+\.tf(?:\.json)? line \d+|^\s*with \S+\.\S+,$/, 0, 8),
  },
  {
    id: 'terraform-error-title',
    category: 'infra',
    type: 'terraform',
    weight: 4,
    re: /^Error: (?:Error acquiring the state lock|Failed to query available provider packages|Invalid provider configuration|Backend initialization required|Inconsistent dependency lock file|Module not installed|Failed to install provider|Unsupported Terraform Core version|Error locking state|Failed to get existing workspaces|Error loading state|Reference to undeclared|Unsupported argument|Missing required argument|Invalid reference|Unsupported block type|Duplicate resource|Incorrect attribute value type|Invalid value for|Plugin did not respond|Provider produced inconsistent)/,
    desc: 'Terraform error',
  },
  { id: 'terraform-lock-info', category: 'infra', type: 'terraform', weight: 1, role: 'support', re: /Terraform acquires a state lock|^\s*on \S+\.tf line \d+/, desc: 'Terraform detail' },
  {
    id: 'terraform-fmt-files',
    category: 'infra',
    type: 'terraform',
    weight: 3,
    repeat: false,
    re: /^\S+\.(?:tf|tfvars|hcl)\s*$/,
    desc: 'terraform fmt -check listed unformatted files',
    when: (_m, ctx) => /\b(?:terraform|tofu|terragrunt) (?:fmt|hclfmt)\b/.test(ctx.command),
  },
  { id: 'tflint-summary', category: 'infra', type: 'terraform', weight: 3, re: /^\d+ issue\(s\) found:/, desc: 'TFLint issues' },
  { id: 'tflint-error', category: 'infra', type: 'terraform', weight: 4, re: /^Error: .+ \((?:terraform|aws|azurerm|google)_[a-z0-9_]+\)\s*$|\S+\.tf:\d+:\d+: Error - /, desc: 'TFLint error' },
  {
    id: 'terraform-error-in-context',
    category: 'infra',
    type: 'terraform',
    weight: 4,
    re: /^Error: [A-Za-z]/,
    desc: 'Terraform error',
    when: (_m, ctx) =>
      !CREDENTIALS.test(ctx.text) &&
      near(ctx, /(?:Terraform|OpenTofu) exited with code|Initializing (?:the backend|provider plugins)|Terraform has been successfully initialized|Terraform (?:used the selected providers|will perform the following actions)|Refreshing state\.\.\.|Acquiring state lock/, 80, 40),
  },
  { id: 'iac-policy', category: 'infra', type: 'terraform', weight: 3, re: /^Check: CKV\w*_\d+|FAILED for resource: |^Result #\d+ (?:CRITICAL|HIGH|MEDIUM|LOW) /, desc: 'IaC policy check failed' },
  { id: 'pulumi', category: 'infra', type: 'terraform', weight: 3, re: /^\s*error: (?:update|preview|refresh|destroy) failed|pulumi:pulumi:Stack .*\*\*failed\*\*/, desc: 'Pulumi failed' },
  { id: 'conftest', category: 'infra', type: 'k8s_manifest', weight: 4, re: /^FAIL - \S+\.(?:ya?ml|json|tf) - |Error: found \d+ lint errors?|admission webhook "[^"]+" denied the request|error: the path "[^"]+" does not exist|error: no objects passed to apply|Error: invalid Kustomization|Error: must build at directory/, desc: 'manifest policy/validation failed' },
  { id: 'helm-misc', category: 'infra', type: 'helm', weight: 4, re: /Error: (?:validation: )?chart\.metadata\.|Error: Chart\.yaml file is missing|failed linting charts|failed processing charts|Error: failed installing charts|Error: timed out waiting for the condition/, desc: 'Helm chart error' },
  { id: 'docker-platform', category: 'infra', type: 'docker_build', weight: 5, re: /no match for platform in manifest|target stage "?[^"\s]+"? could not be found|error from sender: |nginx: \[emerg\]/, desc: 'image/build context problem' },
  { id: 'docker-daemon', category: 'infra', type: 'docker_build', weight: 2.5, re: /Error response from daemon: /, desc: 'Docker daemon error', when: (_m, ctx) => !/unauthorized|denied|authentication/i.test(ctx.text) },
]

const github: Rule[] = [
  // workflow files / actions
  { id: 'actionlint', category: 'github', type: 'workflow_syntax', weight: 4, re: /(?:^|\s)\S*\.github\/(?:workflows|actions)\/\S+\.ya?ml:\d+:\d+: .+ \[[\w-]+\]\s*$/, desc: 'actionlint error' },
  {
    id: 'actionlint-annotation',
    category: 'github',
    type: 'workflow_syntax',
    weight: 4,
    annotationOnly: true,
    re: / \[(?:syntax-check|expression|action|job-needs|matrix|events|glob|permissions|runner-label|shellcheck|pyflakes|credentials|env-var|id|if-cond|deprecated-commands|workflow-call|shell-name|input-type)\]\s*$/,
    desc: 'actionlint error (annotation)',
  },
  { id: 'actionlint-summary', category: 'github', type: 'workflow_syntax', weight: 3, re: /actionlint found \d+ errors?/, desc: 'actionlint summary' },
  {
    id: 'invalid-workflow',
    category: 'github',
    type: 'workflow_syntax',
    weight: 5,
    re: /Invalid workflow file|The workflow is not valid|The template is not valid|\(Line: \d+, Col: \d+\)|Unrecognized named-value: |Unrecognized function: |is not defined in the referenced workflow|error parsing called workflow/,
    desc: 'workflow file invalid',
  },
  {
    id: 'action-resolve',
    category: 'github',
    type: 'workflow_syntax',
    weight: 5,
    re: /Unable to resolve action `?[^`\s,]+`?|Can't find 'action\.ya?ml', 'action\.ya?ml' or 'Dockerfile'|An action could not be found at the URI|Missing download info for |Failed to resolve action download info|This request has been automatically failed because it uses a deprecated version|uses a deprecated version of `/,
    desc: 'action cannot be resolved or is deprecated',
  },
  // permissions
  {
    id: 'gh-permission',
    category: 'github',
    type: 'permissions',
    weight: 5,
    re: /Resource not accessible by (?:integration|personal access token)|GitHub Actions is not permitted to create or approve pull requests|Permission to \S+ denied to |Write access to repository not granted|denied: permission_denied|denied: installation not allowed|refusing to allow (?:a GitHub App|an OAuth App|a Personal Access Token) to create or update workflow|GH006: Protected branch update failed|protected branch hook declined|Must have admin rights to Repository|requested access to the resource is denied|Bad credentials|Requires authentication/,
    desc: 'token lacks permission',
  },
  {
    id: 'registry-unauthorized',
    category: 'github',
    type: 'permissions',
    weight: 5,
    re: /unauthorized: (?:authentication required|unauthenticated|access token has insufficient scopes)|insufficient_scope: .*(?:push|write)|Error response from daemon: Get "https:\/\/[^"]+\/v2\/": (?:unauthorized|denied)/,
    desc: 'registry login/push unauthorized',
    when: (_m, ctx) => !/source metadata|load metadata|pull access|\bFROM\b/.test(ctx.text),
  },
  {
    id: 'http-403-push',
    category: 'github',
    type: 'permissions',
    weight: 5,
    re: /failed to push .*\b40[13]\b|unexpected status(?: from \w+ request to \S+)?: 40[13]|The requested URL returned error: 40[13]|remote: Permission to|^npm (?:ERR!|error) code E40[13]|\b40[13] (?:Forbidden|Unauthorized)\b.*(?:ghcr\.io|github\.com|api\.github|docker\.io|registry|\/v2\/)/,
    desc: 'HTTP 401/403 from GitHub or a registry',
    // pulling a base image is the image definition's problem (infra); pushing is the token's
    when: (_m, ctx) => !/source metadata|load metadata|pull access|anonymous token/.test(ctx.text) && !(/oauth token/.test(ctx.text) && !/push/.test(ctx.text)),
  },
  {
    id: 'oidc',
    category: 'github',
    type: 'permissions',
    weight: 5,
    re: /ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)|`id-token` permission|"id-token" permission|\bid-token: write\b.*\b(?:requires?|missing|needs?)|Could not assume role with OIDC|Not authorized to perform sts:AssumeRoleWithWebIdentity|Unable to get OIDC token|Error: google-github-actions\/auth failed/,
    desc: 'OIDC token permission missing',
    when: (_m, ctx) => !/\.github\/workflows\/\S+:\d+:\d+:/.test(ctx.text),
  },
  {
    id: 'gh-api-error',
    category: 'github',
    type: 'permissions',
    weight: 2.5,
    re: /RequestError \[HttpError\]: |\bHttpError: |\bGraphqlResponseError: |^GraphQL: /,
    desc: 'GitHub API request failed',
    route: (_m, ctx) => ({ category: 'github', type: RATE_LIMITED.test(ctx.text) ? 'rate_limit' : 'permissions' }),
  },
  {
    id: 'gh-cli-http',
    category: 'github',
    type: 'permissions',
    weight: 4,
    // the gh CLI: `HTTP 422: <message> (https://api.github.com/...)`, `gh api`: `gh: <message> (HTTP 404)`
    re: /\bHTTP ([45]\d\d): .*\((?:https?:\/\/(?:api\.github\.com|[^\s)]+\/api\/(?:v3|graphql))[^\s)]*)\)|^gh: .+ \(HTTP ([45]\d\d)\)\s*$/,
    desc: 'GitHub API call by the gh CLI failed',
    route: (m, ctx) => {
      const status = m[1] ?? m[2] ?? ''
      if (status === '429' || RATE_LIMITED.test(ctx.text)) return { category: 'github', type: 'rate_limit' }
      if (status === '422' && /workflow|inputs?\b|trigger|ref\b/i.test(ctx.text)) return { category: 'github', type: 'workflow_syntax' }
      return { category: 'github', type: 'permissions' }
    },
  },
  { id: 'gh-pages', category: 'github', type: 'permissions', weight: 4, re: /Get Pages site failed|Ensure GitHub Pages has been enabled|Failed to create deployment \(status: 40[34]\)/, desc: 'GitHub Pages not accessible' },
  // secrets / inputs
  {
    id: 'missing-input',
    category: 'github',
    type: 'missing_secret',
    weight: 5,
    re: /Input required and not supplied: |Username and password required|not found deploy key or tokens|Parameter token or opts\.auth is required|Credentials could not be loaded|Could not load credentials from any providers|No valid credential sources found|Cannot perform an interactive login from a non TTY device|Unable to locate credentials|Error: The "[\w-]+" input is required/,
    desc: 'required secret/input missing',
  },
  {
    id: 'missing-secret-generic',
    category: 'github',
    type: 'missing_secret',
    weight: 3,
    re: /\b(?:[Ss]ecrets?|[Tt]okens?|[Pp]asswords?|[Aa][Pp][Ii][_ -]?[Kk]eys?)\b[^.'"]{0,40}\b(?:is |was |are )?(?:not set|missing|not provided|not supplied)\b|\b[A-Z][A-Z0-9_]*(?:TOKEN|SECRET|API_KEY|PASSWORD)\b (?:is )?(?:not set|empty|missing|required)/,
    desc: 'secret not configured',
  },
  {
    id: 'missing-secret-named',
    category: 'github',
    type: 'missing_secret',
    weight: 4,
    re: /\b[A-Z][A-Z0-9]*_(?:TOKEN|SECRET|API_?KEY|PASSWORD|ACCESS_KEY|AUTH)\b/,
    desc: 'a named token/secret was refused or absent',
    when: (_m, ctx) => /\b(?:Not authorized|Unauthorized|not authenticated|authentication (?:failed|required)|invalid (?:token|credentials)|Bad credentials|check the (?:user )?token|(?:is|was) (?:not set|empty|missing|undefined)|must be (?:set|provided)|not (?:set|provided|found) in (?:the )?env)/i.test(ctx.text),
  },
  {
    id: 'gh-cli-token',
    category: 'github',
    type: 'missing_secret',
    weight: 5,
    re: /set the GH_TOKEN environment variable|^npm (?:ERR!|error) code ENEEDAUTH|This command requires you to be logged in|Token required .*tokenless|unauthorized: incorrect username or password/,
    desc: 'CLI/registry token missing',
  },
  { id: 'ecr-denied', category: 'github', type: 'permissions', weight: 4, re: /denied: User: \S+ is not authorized to perform: ecr:/, desc: 'image push denied' },
  {
    id: 'workflow-commands',
    category: 'github',
    type: 'workflow_syntax',
    weight: 4,
    re: /Unable to process file command '\w+' successfully|The `[\w-]+` command is disabled|Artifact not found for name|an artifact with this name already exists|Unable to download artifact\(s\)|Container action is only supported on Linux/,
    desc: 'workflow command/artifact misuse',
  },
  { id: 'no-artifact-files', category: 'github', type: 'workflow_syntax', weight: 4, annotationOnly: true, re: /No files were found with the provided path/, desc: 'artifact path empty' },
  { id: 'cache-service', category: 'github', type: 'rate_limit', weight: 4, re: /Cache service responded with 429/, desc: 'cache service rate limit' },
  // rate limits
  {
    id: 'gh-rate-limit',
    category: 'github',
    type: 'rate_limit',
    weight: 5,
    re: /API rate limit exceeded|secondary rate limit|You have exceeded a secondary rate limit|abuse detection mechanism|x-ratelimit-remaining['"]?:\s*['"]?0['"]?,?\s*$|\b(?:Request|API) quota exhausted\b|exhausted (?:your|the) (?:API |request )?quota|Abuse detected for request|(?:api\.github\.com|GitHub API|HttpError|Octokit)\b.*\b(?:429|Too Many Requests)\b|\b(?:429|Too Many Requests)\b.*(?:api\.github\.com|GitHub API)/,
    desc: 'GitHub API rate limit',
    // Docker Hub's pull limit is the image definition's (base image) problem
    when: (_m, ctx) => !/toomanyrequests|pull rate limit/.test(ctx.text),
  },
  // checkout / git / LFS
  {
    id: 'checkout',
    category: 'github',
    type: 'checkout',
    weight: 5,
    re: /could not read (?:Username|Password) for 'https:\/\/|Support for password authentication was removed|remote: Invalid username or password|fatal: repository '[^']+' not found|remote: Repository not found|fatal: could not read from remote repository|Permission denied \(publickey\)|Host key verification failed|fatal: Authentication failed for|fatal: couldn't find remote ref|fatal: reference is not a tree|A branch or tag with the name '[^']+' could not be found|over its data quota|exceeded its LFS budget|Smudge error|failed to fetch some objects from \S+info\/lfs|^batch response: |external filter 'git-lfs filter-process' failed|fatal: No url found for submodule|Failed to clone '[^']+'|fatal: clone of '[^']+' into submodule path|fatal: unable to access '[^']+': (?:Could not resolve host|Failed to connect|The requested URL returned error: (?:5\d\d|404))|error: RPC failed|fatal: early EOF/,
    desc: 'checkout/git/LFS failure',
  },
  { id: 'git-process', category: 'github', type: 'checkout', weight: 1, role: 'support', re: /The process '[^']*git(?:\.exe)?' failed with exit code/, desc: 'git exited non-zero' },
  // runner / job lifecycle
  { id: 'runner-lost', category: 'github', type: 'runner', weight: 6, decisive: 'runner', re: /lost communication with the server|did not respond to a cancelation request|The job was not acquired by Runner|hosted runner encountered an error while running your job/, desc: 'runner lost' },
  {
    id: 'job-not-started',
    category: 'github',
    type: 'runner',
    weight: 6,
    decisive: 'runner',
    re: /The job was not started because|No runner matching the specified labels was found|Your account is locked due to a billing issue|spending limit needs to be increased/,
    desc: 'the job never got a runner',
  },
  { id: 'runner-shutdown', category: 'github', type: 'runner', weight: 6, decisive: 'runner', re: /The runner has received a shutdown signal/, desc: 'runner shut down' },
  {
    id: 'disk-full',
    category: 'github',
    type: 'runner',
    weight: 6,
    decisive: 'runner',
    re: /No space left on device|\bENOSPC\b|no space left on device|\(os error 28\)|insufficient space on your system|There is not enough space on the disk|System\.IO\.IOException: No space left/,
    desc: 'runner disk full',
    when: (_m, ctx) => !/file watchers/.test(ctx.text),
  },
  { id: 'disk-warning', category: 'github', type: 'runner', weight: 1, role: 'support', onWarning: true, re: /You are running out of disk space/, desc: 'runner low on disk' },
  { id: 'oom-kill', category: 'github', type: 'runner', weight: 4, re: /\(signal: 9, SIGKILL: kill\)|The runner has run out of memory/, desc: 'process killed (out of memory)' },
  { id: 'job-timeout', category: 'github', type: 'timeout', weight: 6, decisive: 'timeout', re: /exceeded the maximum execution time of|has timed out after \d+ minutes?/, desc: 'job/step timeout' },
  {
    id: 'cancelled',
    category: 'github',
    type: 'cancelled',
    weight: 6,
    decisive: 'cancelled',
    re: /The operation was cancell?ed|Canceling since a higher priority waiting request|The run was cancell?ed by |(?:This|The) job was cancell?ed/,
    desc: 'job cancelled',
    // an annotation, or the runner's message as a whole line (not a library's OperationCanceledException text)
    when: (m, ctx) => ctx.kind === 'error' || ctx.text.trim().replace(/^Error: /, '').startsWith(m[0]),
  },
  { id: 'concurrency-cancel', category: 'github', type: 'cancelled', weight: 6, decisive: 'cancelled', re: /Canceling since a higher priority waiting request for '[^']+' exists/, desc: 'cancelled by concurrency group' },
]

export const RULES: readonly Rule[] = [...rust, ...frontend, ...infra, ...github]

/** Lines that are warnings: they never decide (rules must opt in with `onWarning`). */
export const WARNING_LINE_RE =
  /^(?:warning(?:\[[\w-]+\])?:|warn(?:ing)?\s|WARN(?:ING)?[\s:]|\[WARN(?:ING)?\]|\[warn\]|npm (?:WARN|warn) |Warning: |W\d{4} \d|⚠|\s*\d+:\d+\s+warning\s)/

/** Context words in workflow/job/step names and changed files: weak tie-breakers only. */
export const CONTEXT_HINTS: ReadonlyArray<{ category: RootCategory; name: RegExp; file: RegExp }> = [
  {
    category: 'rust',
    name: /\b(?:rust|cargo|clippy|rustfmt|nextest|msrv|crates?)\b/i,
    file: /\.rs$|(?:^|\/)Cargo\.(?:toml|lock)$|rust-toolchain(?:\.toml)?$|(?:^|\/)(?:deny|clippy|rustfmt)\.toml$/,
  },
  {
    category: 'frontend',
    name: /\b(?:npm|pnpm|yarn|node|frontend|web|ui|typecheck|types|tsc|eslint|lint|prettier|format|jest|vitest|playwright|cypress|e2e|storybook|vite|webpack|next|angular|react|vue)\b/i,
    file: /\.(?:[cm]?[jt]sx?|vue|svelte|astro|css|scss|less)$|(?:^|\/)(?:package(?:-lock)?\.json|pnpm-lock\.yaml|yarn\.lock|tsconfig[\w.-]*\.json|\.eslintrc[\w.]*|eslint\.config\.[cm]?js|\.prettierrc[\w.]*)$/,
  },
  {
    category: 'infra',
    name: /\b(?:docker|image|container|helm|charts?|k8s|kubernetes|kubectl|kustomize|manifests?|terraform|tf|tflint|infra|compose|gitops|deploy(?:ment)?|yamllint)\b/i,
    file: /(?:^|\/)(?:[\w.-]*Dockerfile[\w.-]*|\.dockerignore|docker-compose[\w.-]*\.ya?ml|compose[\w.-]*\.ya?ml|Chart\.yaml|values[\w.-]*\.ya?ml|kustomization\.ya?ml)$|\.(?:tf|tfvars|hcl)$|(?:^|\/)(?:k8s|kubernetes|manifests|charts|helm|deploy|overlays|base)\//,
  },
  {
    category: 'github',
    name: /\b(?:actionlint|workflows?|labels?|triage|pages|release-please|dependabot|renovate)\b/i,
    file: /^\.github\/(?:workflows|actions)\/|(?:^|\/)(?:CODEOWNERS|dependabot\.ya?ml)$/,
  },
]
