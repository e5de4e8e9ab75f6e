/**
 * Hand-written, representative agent contexts with a zod schema each (a change to a TypeScript
 * monorepo, acme/storefront). They are NOT what the agents send: `npm run bench:sns` measures the
 * agents' real contexts, built by their own code from fixtures (bench/sns-fixtures.ts). These
 * stay as fixed, schema-rich inputs for the schema-aware codec tests (test/sns/schema.test.ts,
 * test/sns/tokens.test.ts). Values are fixed (no randomness).
 */
import { z } from 'zod'

const REPO = 'acme/storefront'
// Short SHAs, as an agent reads them (the spec's own examples do the same: `commit:abc123`).
const SHA = '9f3c2a7'
const BEFORE = 'e1d4b7c'
const BRANCH = 'feature/invoice-csv-export'
const MESSAGE = 'feat(invoices): export invoices as CSV, stream large exports to S3\n\nAdds GET /invoices/export?format=csv; exports over 10k rows are written to S3 and a signed URL is returned.'

const testCategory = z.enum(['unit', 'integration', 'e2e'])

// ------------------------------------------------------------------ BuildAgent

export const buildContextSchema = z.object({
  repo: z.string(),
  commit: z.string(),
  before: z.string(),
  branch: z.string(),
  message: z.string(),
  changed: z.array(
    z.object({
      path: z.string(),
      status: z.enum(['added', 'modified', 'removed', 'renamed']),
      additions: z.number().int().nonnegative(),
      deletions: z.number().int().nonnegative(),
    }),
  ),
  dockerfile: z.object({ path: z.string(), changed: z.boolean(), stages: z.number().int(), baseImages: z.array(z.string()) }),
  manifestsChanged: z.array(z.string()),
  docsOnly: z.boolean(),
  domains: z.array(z.object({ name: z.string(), globs: z.array(z.string()), touched: z.boolean() })),
  recentBuilds: z.array(z.object({ durationMs: z.number().int(), status: z.enum(['success', 'failure', 'cancelled']), cacheHit: z.boolean() })),
  policy: z.object({
    autoBuild: z.boolean(),
    cache: z.boolean(),
    hasDockerfile: z.boolean(),
    dockerAvailable: z.boolean(),
    executor: z.enum(['auto', 'local', 'docker']),
  }),
})

const changedFiles: Array<[string, 'added' | 'modified' | 'removed' | 'renamed', number, number]> = [
  ['.github/workflows/ci.yml', 'modified', 6, 2],
  ['Dockerfile', 'modified', 9, 4],
  ['docs/api/invoices.md', 'modified', 38, 3],
  ['package-lock.json', 'modified', 214, 37],
  ['package.json', 'modified', 3, 1],
  ['packages/shared/src/csv/escape.ts', 'added', 41, 0],
  ['packages/shared/src/csv/index.ts', 'added', 6, 0],
  ['packages/shared/src/csv/writer.ts', 'added', 97, 0],
  ['packages/shared/src/index.ts', 'modified', 2, 0],
  ['packages/shared/src/money/format.ts', 'modified', 12, 5],
  ['packages/shared/test/csv/escape.test.ts', 'added', 58, 0],
  ['packages/shared/test/csv/writer.test.ts', 'added', 84, 0],
  ['services/api/package.json', 'modified', 2, 0],
  ['services/api/src/app.ts', 'modified', 4, 1],
  ['services/api/src/config/env.ts', 'modified', 7, 0],
  ['services/api/src/invoices/export.ts', 'added', 132, 0],
  ['services/api/src/invoices/index.ts', 'modified', 3, 0],
  ['services/api/src/invoices/queries.ts', 'modified', 45, 12],
  ['services/api/src/invoices/routes.ts', 'modified', 28, 6],
  ['services/api/src/invoices/serializers.ts', 'modified', 19, 8],
  ['services/api/src/lib/s3.ts', 'added', 64, 0],
  ['services/api/src/lib/signed-url.ts', 'added', 31, 0],
  ['services/api/src/middleware/rate-limit.ts', 'modified', 5, 2],
  ['services/api/src/legacy/export-xlsx.ts', 'removed', 0, 118],
  ['services/api/test/integration/invoices-export.test.ts', 'added', 142, 0],
  ['services/api/test/unit/invoices/export.test.ts', 'added', 96, 0],
  ['services/api/test/unit/invoices/serializers.test.ts', 'modified', 22, 4],
  ['services/web/src/pages/invoices/ExportButton.tsx', 'added', 57, 0],
  ['services/web/src/pages/invoices/InvoiceList.tsx', 'modified', 14, 3],
  ['services/web/src/api/invoices.ts', 'modified', 11, 2],
]

export const buildContext: z.input<typeof buildContextSchema> = {
  repo: REPO,
  commit: SHA,
  before: BEFORE,
  branch: BRANCH,
  message: MESSAGE,
  changed: changedFiles.map(([path, status, additions, deletions]) => ({ path, status, additions, deletions })),
  dockerfile: { path: 'Dockerfile', changed: true, stages: 3, baseImages: ['node:20.19-bookworm-slim', 'node:20.19-bookworm-slim', 'gcr.io/distroless/nodejs20-debian12'] },
  manifestsChanged: ['package-lock.json', 'package.json', 'services/api/package.json'],
  docsOnly: false,
  domains: [
    { name: 'api', globs: ['services/api/**'], touched: true },
    { name: 'web', globs: ['services/web/**'], touched: true },
    { name: 'shared', globs: ['packages/shared/**'], touched: true },
    { name: 'infra', globs: ['Dockerfile', 'deploy/**', '.github/**'], touched: true },
    { name: 'docs', globs: ['docs/**', '**/*.md'], touched: true },
    { name: 'worker', globs: ['services/worker/**'], touched: false },
  ],
  recentBuilds: [
    { durationMs: 184523, status: 'success', cacheHit: true },
    { durationMs: 179210, status: 'success', cacheHit: true },
    { durationMs: 412877, status: 'success', cacheHit: false },
    { durationMs: 181004, status: 'success', cacheHit: true },
    { durationMs: 96311, status: 'failure', cacheHit: true },
    { durationMs: 188742, status: 'success', cacheHit: true },
    { durationMs: 176555, status: 'success', cacheHit: true },
    { durationMs: 12040, status: 'cancelled', cacheHit: true },
    { durationMs: 398120, status: 'success', cacheHit: false },
    { durationMs: 183377, status: 'success', cacheHit: true },
  ],
  policy: { autoBuild: true, cache: true, hasDockerfile: true, dockerAvailable: true, executor: 'auto' },
}

// ------------------------------------------------------------------ TestAgent

export const testContextSchema = z.object({
  repo: z.string(),
  commit: z.string(),
  branch: z.string(),
  select: z.enum(['all', 'affected']),
  changedFiles: z.array(z.string()),
  selected: z.array(
    z.object({
      file: z.string(),
      category: testCategory,
      /** The import chain from a changed file to the test: why it was selected. */
      via: z.array(z.string()),
      lastDurationMs: z.number().int().nullable(),
      flaky: z.boolean(),
    }),
  ),
  skipped: z.array(z.object({ file: z.string(), category: testCategory, reason: z.string() })),
  parallelismMax: z.number().int(),
})

const API = 'services/api/src'
const SHARED = 'packages/shared/src'
const WEB = 'services/web/src'
type Sel = [string, 'unit' | 'integration' | 'e2e', string[], number | null, boolean?]
const selectedTests: Sel[] = [
  ['packages/shared/test/csv/escape.test.ts', 'unit', [`${SHARED}/csv/escape.ts`], null],
  ['packages/shared/test/csv/writer.test.ts', 'unit', [`${SHARED}/csv/writer.ts`], null],
  ['packages/shared/test/money/format.test.ts', 'unit', [`${SHARED}/money/format.ts`], 412],
  ['packages/shared/test/money/rounding.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${SHARED}/money/rounding.ts`], 388],
  ['packages/shared/test/index.test.ts', 'unit', [`${SHARED}/index.ts`], 205],
  ['services/api/test/unit/app.test.ts', 'unit', [`${API}/app.ts`], 1210],
  ['services/api/test/unit/config/env.test.ts', 'unit', [`${API}/config/env.ts`], 301],
  ['services/api/test/unit/invoices/export.test.ts', 'unit', [`${API}/invoices/export.ts`], null],
  ['services/api/test/unit/invoices/queries.test.ts', 'unit', [`${API}/invoices/queries.ts`], 954],
  ['services/api/test/unit/invoices/routes.test.ts', 'unit', [`${API}/invoices/routes.ts`], 1402],
  ['services/api/test/unit/invoices/serializers.test.ts', 'unit', [`${API}/invoices/serializers.ts`], 618],
  ['services/api/test/unit/invoices/totals.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${API}/invoices/totals.ts`], 577],
  ['services/api/test/unit/lib/s3.test.ts', 'unit', [`${API}/lib/s3.ts`], null],
  ['services/api/test/unit/lib/signed-url.test.ts', 'unit', [`${API}/lib/signed-url.ts`], null],
  ['services/api/test/unit/middleware/rate-limit.test.ts', 'unit', [`${API}/middleware/rate-limit.ts`], 733],
  ['services/api/test/unit/payments/refunds.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${API}/payments/refunds.ts`], 842],
  ['services/api/test/unit/payments/charges.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${API}/payments/charges.ts`], 1093],
  ['services/api/test/unit/orders/summary.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${API}/orders/summary.ts`], 466],
  ['services/api/test/unit/reports/monthly.test.ts', 'unit', [`${SHARED}/csv/writer.ts`, `${API}/reports/monthly.ts`], 1288],
  ['services/api/test/unit/reports/tax.test.ts', 'unit', [`${SHARED}/money/format.ts`, `${API}/reports/tax.ts`], 731],
  ['services/web/test/unit/pages/invoices/ExportButton.test.tsx', 'unit', [`${WEB}/pages/invoices/ExportButton.tsx`], null],
  ['services/web/test/unit/pages/invoices/InvoiceList.test.tsx', 'unit', [`${WEB}/pages/invoices/InvoiceList.tsx`], 1876],
  ['services/web/test/unit/api/invoices.test.ts', 'unit', [`${WEB}/api/invoices.ts`], 390],
  ['services/web/test/unit/components/Price.test.tsx', 'unit', [`${SHARED}/money/format.ts`, `${WEB}/components/Price.tsx`], 655],
  ['services/web/test/unit/components/CartTotal.test.tsx', 'unit', [`${SHARED}/money/format.ts`, `${WEB}/components/Price.tsx`, `${WEB}/components/CartTotal.tsx`], 702, true],
  ['services/api/test/integration/invoices-export.test.ts', 'integration', [`${API}/invoices/export.ts`, `${API}/invoices/routes.ts`, `${API}/app.ts`], null],
  ['services/api/test/integration/invoices.test.ts', 'integration', [`${API}/invoices/routes.ts`, `${API}/app.ts`], 8420],
  ['services/api/test/integration/orders.test.ts', 'integration', [`${API}/app.ts`], 9133],
  ['services/api/test/integration/payments.test.ts', 'integration', [`${API}/app.ts`], 11207, true],
  ['services/api/test/integration/auth.test.ts', 'integration', [`${API}/app.ts`], 6318],
  ['services/api/test/integration/rate-limit.test.ts', 'integration', [`${API}/middleware/rate-limit.ts`, `${API}/app.ts`], 7702],
  ['services/api/test/integration/s3-upload.test.ts', 'integration', [`${API}/lib/s3.ts`, `${API}/invoices/export.ts`, `${API}/invoices/routes.ts`, `${API}/app.ts`], null],
  ['services/api/test/integration/config.test.ts', 'integration', [`${API}/config/env.ts`, `${API}/app.ts`], 2150],
  ['services/api/test/integration/reports.test.ts', 'integration', [`${SHARED}/csv/writer.ts`, `${API}/reports/monthly.ts`, `${API}/app.ts`], 10488],
  ['services/web/test/integration/invoices-page.test.tsx', 'integration', [`${WEB}/api/invoices.ts`, `${WEB}/pages/invoices/InvoiceList.tsx`], 5630],
  ['services/web/test/integration/checkout.test.tsx', 'integration', [`${SHARED}/money/format.ts`, `${WEB}/components/Price.tsx`, `${WEB}/pages/checkout/Checkout.tsx`], 7344],
  ['e2e/invoices/export.spec.ts', 'e2e', [`${WEB}/pages/invoices/ExportButton.tsx`, `${WEB}/pages/invoices/InvoiceList.tsx`], null],
  ['e2e/invoices/list.spec.ts', 'e2e', [`${WEB}/pages/invoices/InvoiceList.tsx`], 24310],
  ['e2e/checkout/pay.spec.ts', 'e2e', [`${SHARED}/money/format.ts`, `${WEB}/components/Price.tsx`, `${WEB}/pages/checkout/Checkout.tsx`], 31877, true],
  ['e2e/reports/monthly.spec.ts', 'e2e', [`${API}/reports/monthly.ts`], 28904],
]
const skippedTests: Array<[string, 'unit' | 'integration' | 'e2e', string]> = [
  ['packages/shared/test/dates/parse.test.ts', 'unit', 'not reachable from the changed files'],
  ['packages/shared/test/dates/zones.test.ts', 'unit', 'not reachable from the changed files'],
  ['packages/shared/test/ids/ulid.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/auth/jwt.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/auth/session.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/customers/merge.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/customers/search.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/inventory/reserve.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/inventory/restock.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/shipping/rates.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/api/test/unit/webhooks/stripe.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/web/test/unit/components/Avatar.test.tsx', 'unit', 'not reachable from the changed files'],
  ['services/web/test/unit/components/Modal.test.tsx', 'unit', 'not reachable from the changed files'],
  ['services/web/test/unit/hooks/useDebounce.test.ts', 'unit', 'not reachable from the changed files'],
  ['services/worker/test/unit/jobs/reindex.test.ts', 'unit', 'domain worker not touched'],
  ['services/worker/test/unit/jobs/send-digest.test.ts', 'unit', 'domain worker not touched'],
  ['services/worker/test/integration/queue.test.ts', 'integration', 'domain worker not touched'],
  ['services/api/test/integration/inventory.test.ts', 'integration', 'not reachable from the changed files'],
  ['e2e/account/settings.spec.ts', 'e2e', 'not reachable from the changed files'],
  ['e2e/search/facets.spec.ts', 'e2e', 'e2e runs only on main (cicd.yml test.e2e.branches)'],
]

export const testContext: z.input<typeof testContextSchema> = {
  repo: REPO,
  commit: SHA,
  branch: BRANCH,
  select: 'affected',
  changedFiles: changedFiles.map(([p]) => p),
  selected: selectedTests.map(([file, category, chain, lastDurationMs, flaky]) => ({ file, category, via: chain, lastDurationMs, flaky: flaky ?? false })),
  skipped: skippedTests.map(([file, category, reason]) => ({ file, category, reason })),
  parallelismMax: 8,
}

// ------------------------------------------------------------------ DeployAgent

const strategyName = z.enum(['immediate', 'blue-green', 'canary', 'rolling'])

export const deployContextSchema = z.object({
  repo: z.string(),
  commit: z.string(),
  version: z.string(),
  environment: z.enum(['staging', 'production']),
  configured: z.object({ autoDeploy: z.boolean(), strategy: strategyName, requireApproval: z.boolean().optional() }),
  tests: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    errors: z.number().int(),
    skipped: z.number().int(),
    durationMs: z.number().int(),
    flaky: z.array(z.string()),
  }).nullable(),
  change: z.object({ files: z.number().int(), additions: z.number().int(), deletions: z.number().int(), domains: z.array(z.string()), migrations: z.array(z.string()), dockerfileChanged: z.boolean() }),
  strategies: z.array(z.object({ name: strategyName, available: z.boolean(), estimatedMinutes: z.number(), note: z.string().optional() })),
  current: z
    .object({
      version: z.string(),
      deployedAt: z.string(),
      healthy: z.boolean(),
      successRate: z.number(),
      p95Ms: z.number(),
      p99Ms: z.number(),
      cpu: z.number(),
      memory: z.number(),
      restarts24h: z.number().int(),
    })
    .nullable(),
  recentDeploys: z.array(z.object({ version: z.string(), strategy: strategyName, outcome: z.enum(['succeeded', 'rolled-back', 'failed']), durationSec: z.number().int() })),
  recentRollbacks: z.number().int(),
})

export const deployContext: z.input<typeof deployContextSchema> = {
  repo: REPO,
  commit: SHA,
  version: '2026.11.23-9f3c2a7',
  environment: 'production',
  configured: { autoDeploy: false, strategy: 'canary', requireApproval: true },
  tests: { total: 412, passed: 409, failed: 0, errors: 0, skipped: 3, durationMs: 284113, flaky: ['services/api/test/integration/payments.test.ts'] },
  change: { files: 30, additions: 1291, deletions: 207, domains: ['api', 'web', 'shared', 'infra', 'docs'], migrations: ['services/api/migrations/20261123_invoice_exports.sql'], dockerfileChanged: true },
  strategies: [
    { name: 'immediate', available: true, estimatedMinutes: 2 },
    { name: 'blue-green', available: true, estimatedMinutes: 9, note: 'needs 2x capacity for 10 minutes' },
    { name: 'canary', available: true, estimatedMinutes: 25, note: '5% → 25% → 100%, 5 healthy checks per step' },
    { name: 'rolling', available: true, estimatedMinutes: 12, note: '3 replicas, maxUnavailable 1' },
  ],
  current: { version: '2026.11.20-4be81d0', deployedAt: '2026-11-20T16:42:08Z', healthy: true, successRate: 0.9987, p95Ms: 212, p99Ms: 388, cpu: 0.41, memory: 0.63, restarts24h: 0 },
  recentDeploys: [
    { version: '2026.11.20-4be81d0', strategy: 'canary', outcome: 'succeeded', durationSec: 1514 },
    { version: '2026.11.18-77ac2f1', strategy: 'canary', outcome: 'rolled-back', durationSec: 622 },
    { version: '2026.11.17-0d9e3b4', strategy: 'canary', outcome: 'succeeded', durationSec: 1498 },
    { version: '2026.11.13-c5f1a82', strategy: 'rolling', outcome: 'succeeded', durationSec: 731 },
    { version: '2026.11.10-3a6e9f5', strategy: 'canary', outcome: 'succeeded', durationSec: 1533 },
  ],
  recentRollbacks: 1,
}

// ------------------------------------------------------------------ MonitorAgent

export const monitorContextSchema = z.object({
  service: z.string(),
  version: z.string(),
  environment: z.enum(['staging', 'production']),
  strategy: strategyName,
  canaryWeight: z.number(),
  thresholds: z.object({
    minSuccessRate: z.number(),
    maxP99Ms: z.number(),
    maxP95Ms: z.number().optional(),
    maxCpu: z.number(),
    maxMemory: z.number(),
    healthyChecksToPromote: z.number().int(),
    failedChecksToRollback: z.number().int(),
  }),
  baseline: z.object({ errorRate: z.number(), p95Ms: z.number(), p99Ms: z.number(), cpu: z.number(), memory: z.number() }),
  /** Oldest first. */
  checks: z.array(
    z.object({
      at: z.string(),
      up: z.boolean(),
      requests: z.number().int(),
      errorRate: z.number().nullable(),
      p95Ms: z.number().nullable(),
      p99Ms: z.number().nullable(),
      cpu: z.number().nullable(),
      memory: z.number().nullable(),
    }),
  ),
})

const checkRows: Array<[string, boolean, number, number | null, number | null, number | null, number | null, number | null]> = [
  ['2026-11-23T19:20:00Z', true, 1184, 0.0017, 221, 402, 0.43, 0.61],
  ['2026-11-23T19:21:00Z', true, 1236, 0.0016, 218, 395, 0.44, 0.62],
  ['2026-11-23T19:22:00Z', true, 1310, 0.0023, 230, 431, 0.46, 0.62],
  ['2026-11-23T19:23:00Z', true, 1298, 0.0019, 226, 418, 0.47, 0.63],
  ['2026-11-23T19:24:00Z', true, 1402, 0.0041, 262, 497, 0.52, 0.64],
  ['2026-11-23T19:25:00Z', true, 1455, 0.0088, 301, 566, 0.58, 0.66],
  ['2026-11-23T19:26:00Z', true, 1391, 0.0132, 344, 648, 0.63, 0.69],
  ['2026-11-23T19:27:00Z', false, 0, null, null, null, null, null],
  ['2026-11-23T19:28:00Z', true, 1120, 0.0215, 388, 812, 0.71, 0.74],
  ['2026-11-23T19:29:00Z', true, 1174, 0.0197, 371, 779, 0.69, 0.75],
]

export const monitorContext: z.input<typeof monitorContextSchema> = {
  service: 'storefront-api',
  version: '2026.11.23-9f3c2a7',
  environment: 'production',
  strategy: 'canary',
  canaryWeight: 0.25,
  thresholds: { minSuccessRate: 0.99, maxP99Ms: 500, maxP95Ms: 300, maxCpu: 0.85, maxMemory: 0.9, healthyChecksToPromote: 5, failedChecksToRollback: 3 },
  baseline: { errorRate: 0.0013, p95Ms: 212, p99Ms: 388, cpu: 0.41, memory: 0.63 },
  checks: checkRows.map(([at, up, requests, errorRate, p95Ms, p99Ms, cpu, memory]) => ({ at, up, requests, errorRate, p95Ms, p99Ms, cpu, memory })),
}

// ------------------------------------------------------------------ HealerAgent

export const healerContextSchema = z.object({
  repo: z.string(),
  commit: z.string(),
  branch: z.string(),
  runId: z.number().int(),
  attempt: z.number().int(),
  workflow: z.string(),
  job: z.string(),
  step: z.string(),
  exitCode: z.number().int(),
  runner: z.string(),
  /** The log lines around the failure, oldest first. */
  evidence: z.array(z.string()),
  changedFiles: z.array(z.string()),
  previousAttempts: z.array(z.object({ runId: z.number().int(), conclusion: z.enum(['success', 'failure', 'cancelled', 'timed_out']), failedStep: z.string().nullable() })),
})

const evidence = [
  '> @acme/api@3.14.0 test:integration',
  '> vitest run --project integration',
  '',
  ' RUN  v4.1.12 /home/runner/work/storefront/storefront/services/api',
  '',
  ' ✓ test/integration/auth.test.ts (12 tests) 6318ms',
  ' ✓ test/integration/config.test.ts (4 tests) 2150ms',
  ' ✓ test/integration/invoices.test.ts (18 tests) 8420ms',
  ' ❯ test/integration/invoices-export.test.ts (7 tests | 2 failed) 9841ms',
  '   ✓ exports up to 10k rows inline as text/csv',
  '   ✓ escapes quotes, commas and newlines in customer names',
  '   × streams exports over 10k rows to S3 and returns a signed URL 5003ms',
  '     → Test timed out in 5000ms.',
  '   × returns 503 when the bucket is unreachable 211ms',
  "     → expected 500 to be 503 // Object.is equality",
  ' ✓ test/integration/orders.test.ts (15 tests) 9133ms',
  '',
  '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 2 ⎯⎯⎯⎯⎯⎯⎯',
  '',
  ' FAIL  test/integration/invoices-export.test.ts > invoice export > streams exports over 10k rows to S3 and returns a signed URL',
  'Error: Test timed out in 5000ms.',
  'If this is a long-running test, pass a timeout value as the last argument or configure it globally with "testTimeout".',
  ' FAIL  test/integration/invoices-export.test.ts > invoice export > returns 503 when the bucket is unreachable',
  'AssertionError: expected 500 to be 503 // Object.is equality',
  '    at test/integration/invoices-export.test.ts:118:32',
  '[s3] PutObject failed: getaddrinfo ENOTFOUND storefront-exports.s3.eu-west-1.amazonaws.com',
  '    at S3Client.send (src/lib/s3.ts:41:11)',
  '    at streamToS3 (src/invoices/export.ts:87:5)',
  ' Test Files  1 failed | 5 passed (6)',
  '      Tests  2 failed | 54 passed (56)',
]

export const healerContext: z.input<typeof healerContextSchema> = {
  repo: REPO,
  commit: SHA,
  branch: BRANCH,
  runId: 11873345102,
  attempt: 2,
  workflow: 'CI',
  job: 'test (integration, node 20)',
  step: 'Run npm run test:integration --workspace services/api',
  exitCode: 1,
  runner: 'ubuntu-24.04 (GitHub Actions 2.321.0)',
  evidence,
  changedFiles: changedFiles.map(([p]) => p),
  previousAttempts: [
    { runId: 11873345102, conclusion: 'failure', failedStep: 'Run npm run test:integration --workspace services/api' },
    { runId: 11869920417, conclusion: 'success', failedStep: null },
    { runId: 11866310958, conclusion: 'success', failedStep: null },
  ],
}

export interface AgentContext {
  name: string
  schema: z.ZodObject
  value: unknown
}

export const agentContexts: AgentContext[] = [
  { name: 'BuildAgent', schema: buildContextSchema, value: buildContext },
  { name: 'TestAgent', schema: testContextSchema, value: testContext },
  { name: 'DeployAgent', schema: deployContextSchema, value: deployContext },
  { name: 'MonitorAgent', schema: monitorContextSchema, value: monitorContext },
  { name: 'HealerAgent', schema: healerContextSchema, value: healerContext },
]
