import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { classifyFailure } from '../../agents/healer/classify'
import { cleanLog } from '../../agents/healer/log'
import { CATEGORIES, evaluate, loadManifest, type EvalResult } from '../../agents/healer/eval'
import { AGENT_OF, healerDecisionSchema, type HealerCategory, type HealerFacts } from '../../agents/healer/schema'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')
const DEV = path.join(FIXTURES, 'ci-failures')
const HOLDOUT = path.join(FIXTURES, 'ci-failures-holdout')
const INDEPENDENT = path.join(FIXTURES, 'ci-failures-independent')

function report(name: string, r: EvalResult): void {
  const per = CATEGORIES.map((c) => `${c} ${r.perCategory[c].correct}/${r.perCategory[c].n}`).join(', ')
  console.log(`[healer] ${name}: ${(r.accuracy * 100).toFixed(1)}% of ${r.n} (${per})${r.misses.length ? `; misses: ${r.misses.map((m) => `${m.id} ${m.expected}->${m.got}`).join(', ')}` : ''}`)
}

function checkDecisions(r: EvalResult, dir: string): void {
  const fileOf = new Map<string, string>()
  for (const f of readdirSync(path.join(dir, 'logs'))) fileOf.set(f.replace(/\.log$/, ''), path.join(dir, 'logs', f))
  for (const { id, decision } of r.decisions) {
    // every evidence line is verbatim text of the cleaned log (a model's evidence can be checked the same way)
    const cleaned = cleanLog(readFileSync(fileOf.get(id) ?? '', 'utf8')).lines.map((l) => l.text).join('\n')
    for (const e of decision.evidence) expect(cleaned.includes(e), `${id}: ${e}`).toBe(true)
    const parsed = healerDecisionSchema.safeParse(decision)
    expect(parsed.success, `${id}: ${parsed.success ? '' : parsed.error.message}`).toBe(true)
    expect(decision.evidence.length, id).toBeLessThanOrEqual(8)
    expect(new Set(decision.evidence).size, `${id}: evidence deduplicated`).toBe(decision.evidence.length)
    for (const e of decision.evidence) {
      expect(e, id).not.toMatch(/\u001b|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d|##\[/)
    }
    if (decision.category !== 'unknown') expect(decision.evidence.length, `${id}: a named cause shows its evidence`).toBeGreaterThan(0)
  }
}

describe('dev corpus (test/fixtures/ci-failures)', () => {
  let r: EvalResult
  beforeAll(async () => {
    r = await evaluate(DEV)
    report('dev', r)
  })

  it('classifies at least 95% of the 113 logs by root cause', () => {
    expect(r.n).toBe(113)
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95)
  })

  it('is at least 90% right in every category', () => {
    for (const c of CATEGORIES) expect(r.perCategory[c].accuracy, c).toBeGreaterThanOrEqual(0.9)
  })

  it('returns schema-valid decisions with clean, bounded evidence', () => {
    checkDecisions(r, DEV)
  })

  it('does not lean on workflow/job names or changed files (they are misleading ~30% of the time)', async () => {
    const entries = await loadManifest(DEV)
    let correct = 0
    entries.forEach((e, i) => {
      const other = entries[(i * 7 + 3) % entries.length] ?? e
      const d = classifyFailure({
        log: readFileSync(path.join(DEV, e.file), 'utf8'),
        workflow: other.workflow_name,
        job: other.job_name,
        changedFiles: other.changed_files,
      })
      if (d.category === e.category) correct++
    })
    expect(correct / entries.length).toBeGreaterThanOrEqual(0.95)
  })
})

describe('hold-out corpus (test/fixtures/ci-failures-holdout, written before the rules)', () => {
  let r: EvalResult
  beforeAll(async () => {
    r = await evaluate(HOLDOUT)
    report('hold-out', r)
  })

  it('classifies at least 95% of the hold-out logs', () => {
    expect(r.n).toBeGreaterThanOrEqual(25)
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95)
  })

  it('returns schema-valid decisions', () => {
    checkDecisions(r, HOLDOUT)
  })
})

describe('independent set (test/fixtures/ci-failures-independent, written from tool formats before its rule changes)', () => {
  let r: EvalResult
  beforeAll(async () => {
    r = await evaluate(INDEPENDENT)
    report('independent', r)
  })

  it('classifies at least 90% of its logs, in every category represented', () => {
    expect(r.n).toBeGreaterThanOrEqual(30)
    for (const c of CATEGORIES) expect(r.perCategory[c].n, c).toBeGreaterThan(0)
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9)
  })

  it('returns schema-valid decisions', () => {
    checkDecisions(r, INDEPENDENT)
  })
})

// ---- root cause over context: small synthetic jobs -------------------------------------------------------------

const ts = (i: number) => `2025-03-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.1234567Z `
function job(steps: Array<{ run: string; out: string[] }>, after: string[] = []): string {
  const lines = ["Current runner version: '2.322.0'", '##[group]Operating System', 'Ubuntu', '##[endgroup]']
  for (const s of steps) lines.push(`##[group]Run ${s.run}`, s.run, 'shell: /usr/bin/bash -e {0}', '##[endgroup]', ...s.out)
  lines.push(...after, 'Post job cleanup.', '[command]/usr/bin/git version', 'Cleaning up orphan processes')
  return lines.map((l, i) => ts(i) + l).join('\n')
}
const exit1 = '##[error]Process completed with exit code 1.'

const CASES: Array<{ name: string; expect: HealerCategory; type?: string; log: string; workflow?: string }> = [
  {
    name: 'a rustc error inside docker build is rust',
    expect: 'rust',
    type: 'rust_build',
    workflow: 'Docker',
    log: job([
      {
        run: 'docker build -t app .',
        out: [
          '#9 [builder 4/5] RUN cargo build --release',
          '#9 12.03 error[E0425]: cannot find value `cfg` in this scope',
          '#9 12.03   --> src/main.rs:7:13',
          '#9 12.10 error: could not compile `app` (bin "app") due to 1 previous error',
          '#9 ERROR: process "/bin/sh -c cargo build --release" did not complete successfully: exit code: 101',
          'ERROR: failed to solve: process "/bin/sh -c cargo build --release" did not complete successfully: exit code: 101',
          exit1,
        ],
      },
    ]),
  },
  {
    name: 'a missing COPY source in a Rust image build is infra',
    expect: 'infra',
    type: 'docker_build',
    workflow: 'Rust',
    log: job([{ run: 'docker build .', out: ['#7 [builder 2/6] COPY Cargo.lock ./', '#7 ERROR: failed to calculate checksum of ref abc::def: "/Cargo.lock": not found', 'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref abc::def: "/Cargo.lock": not found', exit1] }]),
  },
  {
    name: 'an npm error inside docker build is frontend',
    expect: 'frontend',
    type: 'npm_install',
    log: job([{ run: 'docker build .', out: ['#6 [3/5] RUN npm ci', '#6 3.1 npm error code ERESOLVE', '#6 3.1 npm error ERESOLVE could not resolve', '#6 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1', exit1] }]),
  },
  {
    name: 'a RUN step that fails without telling why is an image problem',
    expect: 'infra',
    log: job([{ run: 'docker build .', out: ['#8 [4/5] RUN ./build-assets.sh', '#8 ERROR: process "/bin/sh -c ./build-assets.sh" did not complete successfully: exit code: 1', exit1] }]),
  },
  {
    name: 'disk full while compiling Rust is github (runner)',
    expect: 'github',
    type: 'runner',
    workflow: 'Rust CI',
    log: job([{ run: 'cargo build', out: ['   Compiling serde v1.0.0', 'error: failed to write target/debug/deps/libx.rlib: No space left on device (os error 28)', 'error: could not compile `x` (lib)', '##[error]Process completed with exit code 101.'] }]),
  },
  {
    name: 'a 403 when pushing an image from a Rust workflow is github',
    expect: 'github',
    type: 'permissions',
    workflow: 'Rust',
    log: job([
      { run: 'cargo build --release', out: ['    Finished `release` profile [optimized] target(s) in 1m'] },
      { run: 'docker push ghcr.io/acme/app:1.0', out: ['The push refers to repository [ghcr.io/acme/app]', 'denied: permission_denied: write_package', exit1] },
    ]),
  },
  {
    name: 'a frontend job failing on a token permission is github',
    expect: 'github',
    type: 'permissions',
    workflow: 'Frontend',
    log: job([
      { run: 'npm test', out: ['Tests:       40 passed, 40 total'] },
      { run: 'gh pr comment 12 --body-file coverage.md', out: ['HTTP 403: Resource not accessible by integration (https://api.github.com/repos/a/b/issues/12/comments)', exit1] },
    ]),
  },
  {
    name: 'a job timeout while tests run is github, not a test failure',
    expect: 'github',
    type: 'timeout',
    log: job([{ run: 'npm run e2e', out: ['  ✓ cart › adds item (1.2s)', '##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 15 minutes.', '##[error]The operation was canceled.'] }]),
  },
  {
    name: "a test runner's own timeout is a test failure",
    expect: 'frontend',
    type: 'js_test',
    log: job([{ run: 'npx jest', out: ['FAIL src/a.test.ts', '  ● a › waits', '    thrown: "Exceeded timeout of 5000 ms for a test.', 'Tests:       1 failed, 3 passed, 4 total', exit1] }]),
  },
  {
    name: 'missing cloud credentials in a Terraform job are a github secret problem',
    expect: 'github',
    type: 'missing_secret',
    workflow: 'Terraform',
    log: job([{ run: 'terraform plan', out: ['Initializing the backend...', '╷', '│ Error: No valid credential sources found', '│ ', '│   with provider["registry.terraform.io/hashicorp/aws"],', '╵', '##[error]Terraform exited with code 1.'] }]),
  },
  {
    name: 'a cloud API AccessDenied during terraform apply is infra',
    expect: 'infra',
    type: 'terraform',
    log: job([{ run: 'terraform apply -auto-approve', out: ['╷', '│ Error: creating S3 Bucket (logs): operation error S3: CreateBucket, StatusCode: 403, api error AccessDenied: Access Denied', '│ ', '│   with aws_s3_bucket.logs,', '│   on s3.tf line 1, in resource "aws_s3_bucket" "logs":', '╵', '##[error]Terraform exited with code 1.'] }]),
  },
  {
    name: 'terraform fmt -check without the wrapper only lists files',
    expect: 'infra',
    type: 'terraform',
    log: job([{ run: 'terraform fmt -check -recursive', out: ['modules/vpc/main.tf', '##[error]Process completed with exit code 3.'] }]),
  },
  {
    name: 'a YAML error in a workflow file is github; in a manifest it is infra',
    expect: 'github',
    type: 'workflow_syntax',
    log: job([{ run: 'yamllint .', out: ['.github/workflows/ci.yml', '  12:7      error    syntax error: mapping values are not allowed here (syntax)', exit1] }]),
  },
  {
    name: 'a YAML error in a Kubernetes manifest is infra',
    expect: 'infra',
    type: 'yaml_syntax',
    log: job([{ run: 'yamllint k8s/', out: ['k8s/deploy.yaml', '  12:7      error    syntax error: mapping values are not allowed here (syntax)', exit1] }]),
  },
  {
    name: 'warnings never decide: clippy warnings then a silent script failure is unknown',
    expect: 'unknown',
    workflow: 'Rust',
    log: job([
      {
        run: 'cargo clippy && ./check.sh',
        out: [
          'warning: this `if` statement can be collapsed',
          '  --> src/a.rs:3:5',
          '   = help: for further information visit https://rust-lang.github.io/rust-clippy/master/index.html#collapsible_if',
          '',
          'warning: `a` (lib) generated 1 warning',
          '    Finished `dev` profile [unoptimized + debuginfo] target(s) in 2.1s',
          'check failed: 3',
          exit1,
        ],
      },
    ]),
  },
  {
    name: 'npm deprecation warnings next to a silent script failure are unknown',
    expect: 'unknown',
    log: job([
      { run: 'npm ci', out: ['npm warn deprecated inflight@1.0.6: This module is not supported', 'added 100 packages in 3s'] },
      { run: 'node scripts/verify.mjs', out: [exit1] },
    ]),
  },
  {
    name: 'a truncated log that ends mid-build is unknown',
    expect: 'unknown',
    log: job([{ run: 'cargo build', out: ['   Compiling serde v1.0.0', '   Compiling tokio v1.43.0'] }]).split('\n').slice(0, -3).join('\n'),
  },
  {
    name: 'a failure of a language without a specialist (pytest) is unknown',
    expect: 'unknown',
    log: job([{ run: 'pytest -q', out: ['E       assert 2 == 3', 'tests/test_math.py:4: AssertionError', 'FAILED tests/test_math.py::test_add - assert 2 == 3', '1 failed, 2 passed in 0.05s', exit1] }]),
  },
  {
    name: 'an always() notification step failing after the tests does not hide the first failure',
    expect: 'frontend',
    type: 'js_test',
    log: job([
      { run: 'npm test', out: ['FAIL src/a.test.js', 'Tests:       1 failed, 1 total', exit1] },
      { run: 'curl -sf -X POST "$SLACK_WEBHOOK"', out: ['curl: (3) URL using bad/illegal format or missing URL', '##[error]Process completed with exit code 3.'] },
    ]),
  },
  {
    name: 'a matrix sibling failure cancelling this job is github',
    expect: 'github',
    type: 'cancelled',
    log: job([{ run: 'npm test', out: [' ✓ src/a.test.ts (3 tests) 4ms', '##[error]The job was canceled because "test (ubuntu-latest, 18)" failed.', '##[error]The operation was canceled.'] }]),
  },
  {
    name: 'an excerpt without any GitHub framing still works',
    expect: 'rust',
    log: ['error[E0425]: cannot find value `x` in this scope', ' --> src/main.rs:2:5', 'error: could not compile `a` (bin "a") due to 1 previous error'].join('\n'),
  },
  {
    name: 'Windows paths and ANSI colours in tsc output',
    expect: 'frontend',
    type: 'ts_typecheck',
    log: job([{ run: 'npx tsc --noEmit --pretty', out: ['\u001b[96msrc\\app\\a.ts\u001b[0m:\u001b[93m3\u001b[0m:\u001b[93m7\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2322: \u001b[0mType \'string\' is not assignable to type \'number\'.', '##[error]Process completed with exit code 2.'] }]),
  },
]

// ---- format variants of the same tools (wording, versions, reporters) -------------------------------------------

const VARIANTS: Array<[HealerCategory, string, string, string[]]> = [
  ['rust', 'rust_deps', 'cargo build --locked', ['error: cannot update the lock file /home/runner/work/a/a/Cargo.lock because --locked was passed to prevent this', exit1]],
  ['rust', 'rust_build', 'cargo build', ['error: unused variable: `x`', ' --> src/lib.rs:3:9', '  = note: `-D unused-variables` implied by `-D warnings`', 'error: could not compile `a` (lib) due to 1 previous error', exit1]],
  ['rust', 'rust_fmt', 'cargo fmt --check', ['Diff in \\\\?\\D:\\a\\x\\x\\src\\lib.rs at line 3:', '-fn a(){}', '+fn a() {}', exit1]],
  ['rust', 'rust_deps', 'cargo deny check', ['error[yanked]: detected yanked crate (try `cargo update -p futures-util`)', 'advisories FAILED', exit1]],
  ['frontend', 'frontend_build', 'npm run build', ['ERROR in ./src/a.js 3:8', 'Module parse failed: Unexpected token (3:8)', exit1]],
  ['frontend', 'eslint', 'npx eslint .', ['Oops! Something went wrong! :(', '', 'ESLint: 9.17.0', '', "ESLint couldn't find an eslint.config.(js|mjs|cjs) file.", exit1]],
  ['frontend', 'frontend_build', 'npm run build', ['> vite build', '', 'sh: 1: vite: not found', exit1]],
  ['frontend', 'js_test', 'npx playwright test', ['  1) tests/example.spec.ts:3:5 › has title ───', '    Error: expect(page).toHaveTitle(expected) failed', '  1 failed', '    tests/example.spec.ts:3:5 › has title ───', exit1]],
  ['frontend', 'npm_install', 'yarn install --frozen-lockfile', ['error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.', exit1]],
  ['infra', 'docker_build', 'docker build .', ['ERROR: failed to solve: acme/base:1: failed to resolve source metadata for docker.io/acme/base:1: failed to fetch anonymous token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Aacme%2Fbase%3Apull: 401 Unauthorized', exit1]],
  ['infra', 'docker_build', 'docker build .', ['ERROR: failed to solve: failed to process "\\"$APP_HOME": unexpected end of statement while looking for matching double-quote', exit1]],
  ['infra', 'helm', 'ct lint --target-branch main', ['==> Linting charts/api', '[ERROR] templates/deployment.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 7: did not find expected key', 'Error: failed linting charts: failed processing charts', exit1]],
  ['infra', 'k8s_manifest', 'kubectl rollout status deploy/api', ['Waiting for deployment "api" rollout to finish: 1 of 3 updated replicas are available...', 'error: deployment "api" exceeded its progress deadline', exit1]],
  ['infra', 'terraform', 'terraform init', ['Initializing the backend...', '╷', '│ Error: Failed to get existing workspaces: S3 bucket "tf-state" does not exist.', '╵', exit1]],
  ['github', 'workflow_syntax', 'reviewdog/action-actionlint@v1', ['##[error]property "node" is not defined in object type {os: string} [expression]', exit1]],
  ['github', 'checkout', 'actions/checkout@v4', ['batch response: Rate limit exceeded: https://github.com/a/b.git/info/lfs/objects/batch', "##[error]The process '/usr/bin/git' failed with exit code 2"]],
  ['github', 'permissions', 'npm publish', ['npm error code E403', 'npm error 403 403 Forbidden - PUT https://npm.pkg.github.com/@acme%2fui - Permission permission_denied: write_package', exit1]],
  ['github', 'missing_secret', './deploy.sh', ['Error: DEPLOY_TOKEN is not set', exit1]],
  ['github', 'timeout', 'cargo test', ['   Compiling a v0.1.0', "##[error]The action 'Run cargo test' has timed out after 30 minutes."]],
  ['unknown', 'unknown', './run-e2e.sh', ['starting services', 'Killed', '##[error]Process completed with exit code 137.']],
  // package managers: npm's code families, native addons, pnpm, yarn berry, bun
  ['frontend', 'npm_install', 'npm install', ['npm ERR! code 1', 'npm ERR! path /home/runner/work/a/a/node_modules/bcrypt', 'npm ERR! command failed', 'npm ERR! command sh -c node-pre-gyp install --fallback-to-build', 'npm ERR! node-pre-gyp ERR! build error', exit1]],
  ['frontend', 'npm_install', 'npm ci', ['npm error code 1', 'npm error path /a/node_modules/canvas', 'npm error gyp info it worked if it ends with ok', 'npm error gyp ERR! configure error', 'npm error gyp ERR! not ok', exit1]],
  ['frontend', 'npm_install', 'npm ci', ['npm error code ETARGET', 'npm error notarget No matching version found for left-pad@^9.0.0.', exit1]],
  ['frontend', 'npm_install', 'pnpm install', [' ERR_PNPM_NO_MATCHING_VERSION  No matching version found for react@99.0.0', exit1]],
  ['frontend', 'npm_install', 'yarn install --immutable', ['➤ YN0000: ┌ Resolution step', '➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.', '➤ YN0000: · Failed with errors in 1s', exit1]],
  ['frontend', 'npm_install', 'bun install --frozen-lockfile', ['bun install v1.1.42', 'error: lockfile had changes, but lockfile is frozen', exit1]],
  // test runners, also behind monorepo task prefixes
  ['frontend', 'js_test', 'npx turbo test', ['web:test: FAIL src/a.test.ts', 'web:test: Tests:       1 failed, 3 passed, 4 total', exit1]],
  ['frontend', 'js_test', 'pnpm -r test', ['packages/ui test:  Test Files  1 failed | 2 passed (3)', 'packages/ui test:       Tests  1 failed | 9 passed (10)', exit1]],
  ['frontend', 'js_test', 'npx jasmine', ['Failures:', '1) Cart adds', '  Message:', '    Expected 2 to equal 3.', '', '5 specs, 1 failure', exit1]],
  ['frontend', 'js_test', 'npx mocha', ['  3 passing (12ms)', '  1 failing', exit1]],
  ['frontend', 'ts_typecheck', 'npx tsc -b', ["error TS6305: Output file '/a/dist/index.d.ts' has not been built from source file '/a/src/index.ts'.", exit1]],
  ['frontend', 'frontend_build', 'npx vite build', ['vite v6.0.7 building for production...', 'x Build failed in 212ms', 'error during build:', '[vite:load-fallback] Could not load /a/src/x.css (imported by src/main.ts): ENOENT', exit1]],
  ['frontend', 'frontend_build', 'node esbuild.mjs', ['✘ [ERROR] Expected ";" but found "x"', '', '    src/a.ts:2:6:', '', '1 error', exit1]],
  ['rust', 'rust_test', 'cargo nextest run', ['        FAIL [   0.004s] (1/2) a tests::b', '     Summary [   0.010s] 2 tests run: 1 passed, 1 failed, 0 skipped', 'error: test run failed', exit1]],
  ['rust', 'rust_deps', 'cargo audit --deny warnings', ['Crate:     instant', 'Warning:   unmaintained', 'error: 1 denied warning found!', exit1]],
  ['rust', 'rust_deps', 'cargo deny check bans', ["error[duplicate]: found 2 duplicate entries for crate 'syn'", '   ┌─ /a/Cargo.lock:90:1', 'bans FAILED', exit1]],
  ['infra', 'k8s_manifest', 'kubeval -d k8s', ['WARN - k8s/svc.yaml contains an invalid Service (default.api) - spec.ports.0.port: Invalid type. Expected: integer, given: string', exit1]],
  ['infra', 'terraform', 'terraform validate', ['╷', '│ Error: Unsupported argument', '│ ', '│   on main.tf line 12, in resource "aws_s3_bucket" "b":', '╵', exit1]],
  // Python dependencies inside an image build are the image definition's; outside one they have no specialist
  ['infra', 'docker_build', 'docker build .', ['#5 [2/4] RUN pip install -r requirements.txt', '#5 3.1 ERROR: Could not find a version that satisfies the requirement flask==9.9', '#5 ERROR: process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 1', exit1]],
  ['infra', 'docker_build', 'docker build .', ['Step 4/6 : RUN poetry install --no-root', "Because app depends on django (^9.0) which doesn't match any versions, version solving failed.", "The command '/bin/sh -c poetry install --no-root' returned a non-zero code: 1", exit1]],
  ['unknown', 'unknown', 'pip install -r requirements.txt', ['ERROR: Could not find a version that satisfies the requirement flask==9.9', 'ERROR: No matching distribution found for flask==9.9', exit1]],
  ['infra', 'docker_build', 'docker pull ghcr.io/a/b:1', ['Error response from daemon: manifest unknown', exit1]],
  ['infra', 'docker_build', 'docker build .', ['ERROR: failed to solve: a/b:latest: failed to resolve source metadata for docker.io/a/b:latest: pull access denied, repository does not exist or may require authorization', exit1]],
  ['github', 'runner', 'docker build .', ['ERROR: failed to solve: failed to copy: write /var/lib/docker/tmp/x: no space left on device', exit1]],
  // the gh CLI and GitHub API rate limits
  ['github', 'permissions', 'gh release create v1', ['HTTP 403: Resource not accessible by integration (https://api.github.com/repos/a/b/releases)', exit1]],
  ['github', 'permissions', 'gh api repos/a/b/environments/prod', ['gh: Not Found (HTTP 404)', exit1]],
  ['github', 'workflow_syntax', 'gh workflow run ci.yml', ["could not create workflow dispatch event: HTTP 422: Workflow does not have 'workflow_dispatch' trigger (https://ghe.example.com/api/v3/repos/a/b/actions/workflows/1/dispatches)", exit1]],
  ['github', 'rate_limit', 'gh pr list', ['HTTP 429: Too Many Requests (https://api.github.com/graphql)', exit1]],
  ['github', 'rate_limit', 'node release.js', ['HttpError: Request quota exhausted for request POST /repos/{owner}/{repo}/releases', exit1]],
  ['github', 'rate_limit', 'node sync.js', ['Unhandled error: HttpError: You have exhausted your API quota. Retry after 2026-01-01T10:00:00Z', exit1]],
  ['github', 'rate_limit', './fetch.sh', ['< x-ratelimit-remaining: 0', 'curl: (22) The requested URL returned error: 403', exit1]],
  ['github', 'missing_secret', 'npx sonar-scanner', ["ERROR Not authorized. Please check the user token in the property 'sonar.token' or the environment variable 'SONAR_TOKEN'.", exit1]],
  ['github', 'permissions', 'npm publish --provenance', ['npm error code EUSAGE', 'npm error Provenance generation in GitHub Actions requires "write" access to the "id-token" permission', exit1]],
  ['github', 'runner', 'cargo build', ['##[error]The job was not started because your account is locked due to a billing issue.']],
  // a project's own npm script failing says nothing about npm
  ['unknown', 'unknown', 'npm run verify', ['> a@1.0.0 verify', '> node scripts/verify.js', 'npm error Lifecycle script `verify` failed with error:', 'npm error code 1', 'npm error path /home/runner/work/a/a', 'npm error command failed', 'npm error command sh -c node scripts/verify.js', exit1]],
  ['unknown', 'unknown', './scripts/validate.sh', ['ERROR: validation failed for 2 files', 'FAILED', exit1]],
]

describe('tool format variants', () => {
  for (const [cat, type, run, out] of VARIANTS) {
    it(`${cat}/${type}: ${run} → ${out[0]?.slice(0, 60) ?? ''}`, () => {
      const d = classifyFailure({ log: job([{ run, out }]) })
      expect(d.category, JSON.stringify(d, null, 2)).toBe(cat)
      expect(d.failureType).toBe(type)
    })
  }
})

describe('root cause over context', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const d = classifyFailure({ log: c.log, workflow: c.workflow })
      expect(d.category, JSON.stringify(d, null, 2)).toBe(c.expect)
      expect(d.agent).toBe(AGENT_OF[c.expect])
      if (c.type) expect(d.failureType).toBe(c.type)
      expect(healerDecisionSchema.safeParse(d).success).toBe(true)
      expect(d.reasons.length).toBeGreaterThan(0)
    })
  }

  it('is confident about decisive causes and less so about wrapper-only or unknown ones', () => {
    const runner = classifyFailure({ log: CASES.find((c) => c.type === 'runner')?.log ?? '' })
    const wrapper = classifyFailure({ log: CASES[3]?.log ?? '' })
    const unknown = classifyFailure({ log: CASES.find((c) => c.expect === 'unknown')?.log ?? '' })
    expect(runner.confidence).toBeGreaterThan(0.85)
    expect(wrapper.confidence).toBeLessThanOrEqual(0.55)
    expect(unknown.confidence).toBeLessThan(runner.confidence)
  })

  it('classifies a 3 MB log within the size bound, from its tail', () => {
    const noise = Array.from({ length: 40_000 }, (_, i) => `${ts(i)}   Compiling crate${i} v0.1.0`).join('\n')
    const log = `${noise}\n${job([{ run: 'npx vitest run', out: [' FAIL  src/a.test.ts > a > b', ' Test Files  1 failed | 2 passed (3)', exit1] }])}`
    expect(Buffer.byteLength(log)).toBeGreaterThan(2 * 1024 * 1024)
    const t0 = Date.now()
    const d = classifyFailure({ log })
    expect(d.category).toBe('frontend')
    expect(Date.now() - t0).toBeLessThan(15_000)
  })

  it('falls back to the whole log, with less confidence, when the failing step itself shows nothing', () => {
    const log = job([
      { run: 'npx tsc --noEmit || true', out: ["src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.", "src/b.ts(9,1): error TS2304: Cannot find name 'x'."] },
      { run: 'test -f .typecheck-ok', out: [exit1] },
    ])
    const d = classifyFailure({ log, step: 'Run test -f .typecheck-ok' })
    expect(d.category).toBe('frontend')
    expect(d.reasons.join('\n')).toContain('evidence comes from elsewhere in the log')
    expect(d.confidence).toBeLessThan(0.8)
  })

  it('copes with an empty log', () => {
    const d = classifyFailure({ log: '' })
    expect(d.category).toBe('unknown')
    expect(healerDecisionSchema.safeParse(d).success).toBe(true)
  })
})

describe('no log: names and changed files decide (statuses, other apps\' checks)', () => {
  const logBased = classifyFailure({ log: job([{ run: 'cargo clippy -- -D warnings', out: ['error: unused variable: `x`', ' --> src/lib.rs:3:9', '  = note: `-D unused-variables` implied by `-D warnings`', 'error: could not compile `a` (lib) due to 1 previous error', exit1] }]) })

  it('routes an empty log by the workflow name and changed files, with less confidence and evidence from the names', () => {
    const d = classifyFailure({ log: '', workflow: 'rust clippy', changedFiles: ['src/main.rs', 'Cargo.toml'] })
    expect(d.category).toBe('rust')
    expect(d.agent).toBe('rex')
    expect(d.failureType).toBe('rust_clippy')
    expect(healerDecisionSchema.safeParse(d).success).toBe(true)
    expect(d.confidence).toBeLessThan(0.6)
    expect(d.confidence).toBeLessThan(logBased.confidence)
    expect(d.evidence).toContain('workflow: rust clippy')
    expect(d.evidence.some((e) => e.startsWith('changed files: src/main.rs, Cargo.toml'))).toBe(true)
    expect(d.reasons.join('\n')).toMatch(/names and changed files alone/)
  })

  const NAMED: Array<{ facts: Omit<HealerFacts, 'log'>; category: HealerCategory; type: string }> = [
    { facts: { workflow: 'ci/circleci: test-web', changedFiles: ['src/App.tsx'] }, category: 'frontend', type: 'js_test' },
    { facts: { workflow: 'buildkite/platform', job: 'helm lint', changedFiles: ['charts/api/values.yaml'] }, category: 'infra', type: 'helm' },
    { facts: { workflow: 'Jenkins', changedFiles: ['infra/main.tf', 'infra/variables.tf'] }, category: 'infra', type: 'terraform' },
    { facts: { workflow: 'cargo', job: 'build (stable)' }, category: 'rust', type: 'rust_build' },
    { facts: { workflow: 'CI', job: 'lint', step: 'Run npx eslint .' }, category: 'frontend', type: 'eslint' },
    { facts: { workflow: 'actionlint', changedFiles: ['.github/workflows/ci.yml'] }, category: 'github', type: 'workflow_syntax' },
  ]
  for (const n of NAMED) {
    it(`${JSON.stringify(n.facts)} → ${n.category}/${n.type}`, () => {
      const d = classifyFailure({ log: '', ...n.facts })
      expect(d.category, JSON.stringify(d, null, 2)).toBe(n.category)
      expect(d.failureType).toBe(n.type)
      expect(healerDecisionSchema.safeParse(d).success).toBe(true)
    })
  }

  it('a log of only a generic exit counts as no log', () => {
    const d = classifyFailure({ log: exit1, workflow: 'Docker image', changedFiles: ['Dockerfile'] })
    expect(d.category).toBe('infra')
    expect(d.failureType).toBe('docker_build')
    expect(classifyFailure({ log: exit1 }).category).toBe('unknown')
  })

  it('stays unknown when the names say nothing or disagree', () => {
    expect(classifyFailure({ log: '', workflow: 'CI', job: 'build' }).category).toBe('unknown')
    expect(classifyFailure({ log: '', workflow: 'CI', changedFiles: ['src/main.rs', 'web/app.tsx'] }).category).toBe('unknown')
  })

  it('does not let names decide when the log shows the step running and failing without a recognisable cause', () => {
    const log = job([{ run: 'cargo build --release', out: ['   Compiling serde v1.0.0', '   Compiling app v0.1.0', exit1] }])
    const d = classifyFailure({ log, workflow: 'rust clippy', step: 'Run cargo build --release', changedFiles: ['src/main.rs', 'Cargo.toml'] })
    expect(d.category).toBe('unknown')
  })
})
