/**
 * The five agents' REAL contexts for `npm run bench:sns`: what the agent runtime sends the model
 * (`renderPrompt`: the values of FACTS and BASELINE from `promptParts`, written in sns-core — or
 * minified JSON when that is smaller — and the untrusted text fenced), computed by the agents'
 * own code from fixtures:
 *
 *  - a real git repository (test/helpers/git-repo.ts) holding a Node 20 API service, storefront-api:
 *    42 source files, 26 node:test files that import them (unit, integration through a test
 *    helper that starts the app, e2e), a two-stage Dockerfile and a package.json with
 *    dependencies; then a feature commit (invoice CSV export) that changes 18 files: 11 sources
 *    (2 new), 5 tests (2 new), 2 docs. No manifest or lockfile changes: either would make the
 *    TestAgent select every test ("dependency manifest or lockfile changed") instead of
 *    following the import graph;
 *  - BuildAgent: `changedFiles` → `analyseBuild` → `baselineBuild`, `buildAgentSpec.facts`;
 *  - TestAgent: `testAgentContext` on that checkout (import graph, select `affected`): the
 *    baseline and the facts `decideTests` passes; the selected tests are then RUN with node:test and the JUnit report read
 *    with the pipeline's parser;
 *  - DeployAgent: that JUnit summary and the change size → `baselineDeploy`;
 *  - MonitorAgent: ten health checks of the canary (inputs: no fixture exists) → `baselineMonitor`;
 *  - HealerAgent: the first log of each category in test/fixtures/ci-failures (the dev corpus),
 *    with the facts the intake passes (shared/healer/intake.ts: log, workflow, job, step; no
 *    changed files) → `classifyFailure`.
 *
 * The repository is written to a temp dir and removed afterwards. Nothing here is tuned to the
 * token counts: the project and the inputs were written to be plausible first.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyseBuild } from '../agents/build/analyse'
import { baselineBuild, type BuildPolicy } from '../agents/build/baseline'
import { buildDecisionSchema } from '../agents/build/schema'
import { buildAgentSpec } from '../agents/build/spec'
import { baselineDeploy } from '../agents/deploy/baseline'
import { deployDecisionSchema, type DeployFacts } from '../agents/deploy/schema'
import { deployAgentSpec } from '../agents/deploy/spec'
import { classifyFailure } from '../agents/healer/classify'
import { healerDecisionSchema, type HealerFacts } from '../agents/healer/schema'
import { healerAgentSpec } from '../agents/healer/spec'
import { baselineMonitor } from '../agents/monitor/baseline'
import { monitorResultSchema, thresholdsSchema, type HealthCheck, type MonitorFacts } from '../agents/monitor/schema'
import { monitorAgentSpec } from '../agents/monitor/spec'
import { promptParts, renderPrompt, renderPromptAs, type PromptSpec, type RenderedPrompt } from '../agents/runtime/prompt'
import { promptValue } from '../agents/runtime/prompt-value'
import { testAgentContext, type TestAgentInput } from '../agents/test/index'
import { testAgentSpec } from '../agents/test/spec'
import { environmentSchema } from '../shared/config/deploy'
import { changedFiles } from '../shared/git/changes'
import { parseJUnit, type JUnitSummary } from '../shared/junit/parse'
import type { JsonValue } from '../shared/sns/json'
import { nodeProject, TempRepo } from '../test/helpers/git-repo'

/**
 * The cores the TestAgent is told the tests may use. Its parallelism is min(selected, cores): with
 * the host's count the prompt's numbers, and so the token counts, would change with the machine.
 */
const BENCH_CORES = 8

// ------------------------------------------------------------------ the project (commit 1)

const PACKAGE_JSON = {
  name: 'storefront-api',
  version: '3.14.0',
  private: true,
  description: 'Orders, invoices and payments API of the Acme storefront',
  type: 'module',
  main: 'src/server.js',
  engines: { node: '>=20' },
  scripts: {
    start: 'node src/server.js',
    build: 'node --check src/server.js',
    migrate: 'node src/db/migrate.js',
    lint: 'eslint src test',
    // the JUnit-writing test script of the repo helper's project
    test: (JSON.parse(nodeProject()['package.json'] ?? '{}') as { scripts: { test: string } }).scripts.test,
  },
  dependencies: { '@aws-sdk/client-s3': '^3.693.0', pg: '^8.13.1', pino: '^9.5.0', undici: '^6.21.0' },
  devDependencies: { '@eslint/js': '^9.15.0', c8: '^10.1.2', eslint: '^9.15.0', globals: '^15.12.0' },
}

const PACKAGE_LOCK = {
  name: PACKAGE_JSON.name,
  version: PACKAGE_JSON.version,
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: PACKAGE_JSON.name,
      version: PACKAGE_JSON.version,
      dependencies: PACKAGE_JSON.dependencies,
      devDependencies: PACKAGE_JSON.devDependencies,
      engines: PACKAGE_JSON.engines,
    },
  },
}

const BASE_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify(PACKAGE_JSON, null, 2)}\n`,
  'package-lock.json': `${JSON.stringify(PACKAGE_LOCK, null, 2)}\n`,
  '.dockerignore': String.raw`node_modules
reports
coverage
.git
test
docs
`,
  '.env.example': String.raw`PORT=8080
DATABASE_URL=postgres://storefront:storefront@localhost:5432/storefront
JWT_SECRET=change-me
STRIPE_WEBHOOK_SECRET=whsec_change_me
EXPORT_BUCKET=storefront-exports
`,
  '.gitignore': String.raw`node_modules/
/reports/
/coverage/
.env
`,
  'CHANGELOG.md': String.raw`# Changelog

## 3.14.0
- Orders: partial refunds are allocated across lines proportionally.
- Payments: webhook signatures are checked with a 5-minute tolerance.

## 3.13.2
- Invoices: due dates skip to the next business day.
`,
  'Dockerfile': String.raw`# syntax=docker/dockerfile:1.7
FROM node:20.18-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:20.18-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "src/server.js"]
`,
  'README.md': `# storefront-api

Orders, invoices and payments API of the Acme storefront. Plain Node 20 (\`node:http\`), PostgreSQL in production,
an in-memory store in tests.

\`\`\`
npm ci
npm test          # node:test, JUnit report in reports/junit.xml
npm start         # PORT, DATABASE_URL, JWT_SECRET, STRIPE_WEBHOOK_SECRET
\`\`\`

API reference: [docs/api](docs/api).
`,
  'docs/api/invoices.md': `# Invoices

## GET /invoices
Lists the customer's invoices, newest first. Query: \`cursor\`, \`limit\` (1-100, default 25).

## GET /invoices/:id
One invoice with its lines, totals and payment status.

## POST /orders/:id/invoice
Issues the invoice of a paid order. 409 when the order already has one.
`,
  'docs/api/orders.md': `# Orders

## POST /orders
Creates an order from \`{ customerId, lines: [{ sku, quantity }] }\`. Prices come from the catalog.

## GET /orders/:id
The order with its lines and totals.
`,
  'eslint.config.js': String.raw`import js from '@eslint/js'
import globals from 'globals'

export default [js.configs.recommended, { languageOptions: { globals: globals.node } }]
`,
  'src/app.js': String.raw`import { requireSession } from './auth/middleware.js'
import { catalogRoutes } from './catalog/routes.js'
import { productsRepository } from './catalog/products.js'
import { customerRoutes } from './customers/routes.js'
import { customersRepository } from './customers/repository.js'
import { customersService } from './customers/service.js'
import { applyCors } from './http/cors.js'
import { toErrorResponse } from './http/errors.js'
import { createRateLimiter } from './http/rate-limit.js'
import { json, noContent } from './http/respond.js'
import { invoiceRoutes } from './invoices/routes.js'
import { invoicesRepository } from './invoices/repository.js'
import { invoicesService } from './invoices/service.js'
import { silentLogger } from './lib/logger.js'
import { orderRoutes } from './orders/routes.js'
import { ordersRepository } from './orders/repository.js'
import { ordersService } from './orders/service.js'
import { chargesService } from './payments/charges.js'
import { refundsService } from './payments/refunds.js'
import { paymentRoutes } from './payments/routes.js'
import { createRouter } from './router.js'

/** The request handler: every route, on the given store. */
export function createApp({ db, config, logger = silentLogger, clock = () => new Date() }) {
  const products = productsRepository(db)
  const orders = ordersService({ orders: ordersRepository(db), products }, clock)
  const deps = {
    config,
    products,
    orders,
    customers: customersService(customersRepository(db), clock),
    invoices: invoicesService({ invoices: invoicesRepository(db), orders: ordersRepository(db) }, clock),
    charges: chargesService({ db, orders }, clock),
    refunds: refundsService(db, clock),
  }
  const router = createRouter()
  router.get('/health', async (_req, res) => json(res, 200, { status: 'ok' }))
  router.get('/me', async (req, res) => json(res, 200, requireSession(req, config.jwtSecret)))
  catalogRoutes(router, deps)
  customerRoutes(router, deps)
  orderRoutes(router, deps)
  invoiceRoutes(router, deps)
  paymentRoutes(router, deps)
  const limiter = createRateLimiter(config.rateLimit)

  return async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost')
    try {
      if (applyCors(req, res)) return noContent(res)
      const m = router.match(req.method, url.pathname)
      if (!m) return json(res, 404, { error: { code: 'not_found', message: 'no route ' + req.method + ' ' + url.pathname } })
      if (m.methodNotAllowed) return json(res, 405, { error: { code: 'method_not_allowed', message: req.method + ' not allowed' } })
      if (url.pathname !== '/health') limiter.take(req.socket.remoteAddress ?? 'unknown')
      await m.handler(req, res, m.params, url)
    } catch (err) {
      const { status, body } = toErrorResponse(err)
      if (status >= 500) logger.error({ err: String(err?.stack ?? err), path: url.pathname }, 'request failed')
      if (!res.headersSent) json(res, status, body)
      else res.end()
    }
  }
}
`,
  'src/auth/jwt.js': String.raw`import { createHmac, timingSafeEqual } from 'node:crypto'

const b64url = (buf) => Buffer.from(buf).toString('base64url')

export function signJwt(payload, secret, { expiresInSeconds = 3600, now = Date.now() } = {}) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify({ ...payload, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + expiresInSeconds }))
  const sig = createHmac('sha256', secret).update(header + '.' + body).digest('base64url')
  return header + '.' + body + '.' + sig
}

/** The payload of a valid, unexpired HS256 token, or null. */
export function verifyJwt(token, secret, now = Date.now()) {
  const parts = String(token).split('.')
  if (parts.length !== 3) return null
  const [header, body, sig] = parts
  const expected = createHmac('sha256', secret).update(header + '.' + body).digest()
  const given = Buffer.from(sig, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= now) return null
  return payload
}
`,
  'src/auth/middleware.js': String.raw`import { forbidden, unauthorized } from '../http/errors.js'
import { isAdmin, sessionFrom } from './session.js'

export function requireSession(req, secret) {
  const session = sessionFrom(req.headers, secret)
  if (!session) throw unauthorized()
  return session
}

/** The caller may see the customer's data: it is the customer, or an admin. */
export function requireCustomer(session, customerId) {
  if (session.customerId !== customerId && !isAdmin(session)) throw forbidden()
}
`,
  'src/auth/session.js': String.raw`import { verifyJwt } from './jwt.js'

/** Who is calling: '{ customerId, roles }' from a Bearer token, or null. */
export function sessionFrom(headers, secret, now) {
  const auth = headers.authorization ?? ''
  const m = /^Bearer\s+(\S+)$/i.exec(auth)
  if (!m) return null
  const payload = verifyJwt(m[1], secret, now)
  if (!payload || typeof payload.sub !== 'string') return null
  return { customerId: payload.sub, roles: Array.isArray(payload.roles) ? payload.roles : [] }
}

export const isAdmin = (session) => session?.roles.includes('admin') ?? false
`,
  'src/catalog/pricing.js': String.raw`import { percentOf } from '../lib/money.js'

export const TAX_RATES = { standard: 0.2, reduced: 0.1, zero: 0 }

/** Price of one line: unit price × quantity, less the discount, plus the tax of its class. */
export function priceLine(product, quantity, { discountRate = 0 } = {}) {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError('quantity must be a positive integer')
  const gross = product.price * quantity
  const discount = percentOf(gross, discountRate)
  const net = gross - discount
  const tax = percentOf(net, TAX_RATES[product.taxClass ?? 'standard'] ?? TAX_RATES.standard)
  return { sku: product.sku, quantity, unitPrice: product.price, discount, net, tax, total: net + tax }
}

/** Volume discount: 5% from 10 units, 10% from 50. */
export function volumeDiscount(quantity) {
  return quantity >= 50 ? 0.1 : quantity >= 10 ? 0.05 : 0
}
`,
  'src/catalog/products.js': String.raw`/** Products by SKU; 'price' is in cents, 'taxClass' is standard, reduced or zero. */
export function productsRepository(db) {
  return {
    get: (sku) => db.get('products', sku),
    all: () => db.find('products'),
    insert: (p) => db.insert('products', { id: p.sku, ...p }),
  }
}
`,
  'src/catalog/routes.js': String.raw`import { json } from '../http/respond.js'
import { notFound } from '../http/errors.js'
import { searchProducts } from './search.js'

export function catalogRoutes(router, { products }) {
  router.get('/products', async (req, res, _params, url) => {
    const all = await products.all()
    const q = url.searchParams.get('q')
    json(res, 200, { items: q ? searchProducts(all, q) : all })
  })
  router.get('/products/:sku', async (req, res, { sku }) => {
    const p = await products.get(sku)
    if (!p) throw notFound('product ' + sku)
    json(res, 200, p)
  })
}
`,
  'src/catalog/search.js': String.raw`const words = (s) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter(Boolean)

/** Products whose name or tags contain every word of the query, best match (name hits) first. */
export function searchProducts(products, query) {
  const q = words(query)
  if (q.length === 0) return []
  return products
    .map((p) => {
      const name = words(p.name)
      const tags = (p.tags ?? []).flatMap(words)
      const hits = q.map((w) => (name.some((n) => n.startsWith(w)) ? 2 : tags.some((t) => t.startsWith(w)) ? 1 : 0))
      return { p, score: hits.includes(0) ? 0 : hits.reduce((a, b) => a + b, 0) }
    })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.p.name.localeCompare(b.p.name))
    .map((x) => x.p)
}
`,
  'src/config.js': String.raw`/** Settings from the environment, with the defaults used in development and tests. */
export function loadConfig(env = process.env) {
  const int = (name, fallback) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const n = Number.parseInt(raw, 10)
    if (!Number.isFinite(n)) throw new Error(name + ' must be an integer, got ' + JSON.stringify(raw))
    return n
  }
  return {
    port: int('PORT', 8080),
    databaseUrl: env.DATABASE_URL ?? null,
    jwtSecret: env.JWT_SECRET ?? 'dev-secret',
    webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? 'whsec_dev',
    currency: env.CURRENCY ?? 'EUR',
    taxRate: Number(env.TAX_RATE ?? '0.2'),
    pageSize: int('PAGE_SIZE', 25),
    rateLimit: { capacity: int('RATE_LIMIT_BURST', 60), refillPerSecond: int('RATE_LIMIT_PER_SECOND', 10) },
  }
}
`,
  'src/customers/repository.js': String.raw`export function customersRepository(db) {
  return {
    get: (id) => db.get('customers', id),
    byEmail: async (email) => (await db.find('customers', { email: email.toLowerCase() }))[0] ?? null,
    insert: (c) => db.insert('customers', c),
    update: (id, patch) => db.update('customers', id, patch),
  }
}
`,
  'src/customers/routes.js': String.raw`import { requireCustomer, requireSession } from '../auth/middleware.js'
import { readJson } from '../http/body.js'
import { json } from '../http/respond.js'

export function customerRoutes(router, { customers, config }) {
  router.post('/customers', async (req, res) => json(res, 201, await customers.register(await readJson(req))))
  router.get('/customers/:id', async (req, res, { id }) => {
    requireCustomer(requireSession(req, config.jwtSecret), id)
    json(res, 200, await customers.get(id))
  })
}
`,
  'src/customers/service.js': String.raw`import { conflict, notFound } from '../http/errors.js'
import { newId } from '../lib/ids.js'
import { requireString } from '../lib/validate.js'

export function customersService(repo, clock = () => new Date()) {
  return {
    async register(input) {
      const email = requireString(input, 'email').toLowerCase()
      if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email)) throw conflict('email is not valid')
      if (await repo.byEmail(email)) throw conflict('a customer with this email exists')
      const customer = { id: newId('cus'), email, name: requireString(input, 'name'), country: input.country ?? 'IE', createdAt: clock().toISOString() }
      return repo.insert(customer)
    },
    async get(id) {
      const c = await repo.get(id)
      if (!c) throw notFound('customer ' + id)
      return c
    },
  }
}
`,
  'src/db/memory.js': String.raw`/** The store the services use, in memory: tests and local development. */
export function createMemoryDb() {
  const tables = new Map()
  const table = (name) => {
    if (!tables.has(name)) tables.set(name, new Map())
    return tables.get(name)
  }
  return {
    async insert(name, row) {
      if (table(name).has(row.id)) throw new Error(name + ' ' + row.id + ' exists')
      table(name).set(row.id, structuredClone(row))
      return row
    },
    async update(name, id, patch) {
      const row = table(name).get(id)
      if (!row) return null
      const next = { ...row, ...patch }
      table(name).set(id, structuredClone(next))
      return next
    },
    async get(name, id) {
      const row = table(name).get(id)
      return row ? structuredClone(row) : null
    },
    async find(name, where = {}) {
      return [...table(name).values()].filter((r) => Object.entries(where).every(([k, v]) => r[k] === v)).map((r) => structuredClone(r))
    },
  }
}
`,
  'src/db/migrate.js': String.raw`import { createPgDb } from './pg.js'

const COLLECTIONS = ['customers', 'products', 'orders', 'invoices', 'payments', 'refunds']

const db = createPgDb(process.env.DATABASE_URL)
for (const name of COLLECTIONS) {
  await db.pool.query('create table if not exists ' + name + ' (id text primary key, doc jsonb not null)')
  await db.pool.query('create index if not exists ' + name + '_doc on ' + name + ' using gin (doc jsonb_path_ops)')
}
await db.end()
`,
  'src/db/pg.js': String.raw`import pg from 'pg'

/** The same interface as db/memory.js on PostgreSQL: one JSONB document table per collection. */
export function createPgDb(url) {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  return {
    pool,
    async insert(name, row) {
      await pool.query('insert into ' + name + ' (id, doc) values ($1, $2)', [row.id, row])
      return row
    },
    async update(name, id, patch) {
      const r = await pool.query('update ' + name + ' set doc = doc || $2 where id = $1 returning doc', [id, patch])
      return r.rows[0]?.doc ?? null
    },
    async get(name, id) {
      const r = await pool.query('select doc from ' + name + ' where id = $1', [id])
      return r.rows[0]?.doc ?? null
    },
    async find(name, where = {}) {
      const r = await pool.query('select doc from ' + name + ' where doc @> $1', [where])
      return r.rows.map((x) => x.doc)
    },
    end: () => pool.end(),
  }
}
`,
  'src/http/body.js': String.raw`import { badRequest, HttpError } from './errors.js'

const MAX_BODY = 1024 * 1024

/** The request's JSON body (an empty body is '{}'); 400 for bad JSON, 413 past 1 MiB. */
export async function readJson(req) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw new HttpError(413, 'too_large', 'request body over 1 MiB')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw badRequest('request body is not valid JSON')
  }
}
`,
  'src/http/cors.js': String.raw`const ALLOWED = new Set(['https://shop.acme.test', 'https://admin.acme.test'])

export function applyCors(req, res) {
  const origin = req.headers.origin
  if (origin && ALLOWED.has(origin)) {
    res.setHeader('access-control-allow-origin', origin)
    res.setHeader('vary', 'origin')
    res.setHeader('access-control-allow-headers', 'authorization, content-type')
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE')
  }
  return req.method === 'OPTIONS'
}
`,
  'src/http/errors.js': String.raw`export class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

export const badRequest = (message, details) => new HttpError(400, 'bad_request', message, details)
export const unauthorized = (message = 'authentication required') => new HttpError(401, 'unauthorized', message)
export const forbidden = (message = 'not allowed') => new HttpError(403, 'forbidden', message)
export const notFound = (what) => new HttpError(404, 'not_found', what + ' not found')
export const conflict = (message) => new HttpError(409, 'conflict', message)
export const tooManyRequests = (retryAfter) => new HttpError(429, 'rate_limited', 'too many requests', { retryAfter })

/** The response body of any thrown value: HttpErrors keep their status, the rest is a 500. */
export function toErrorResponse(err) {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } } }
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } }
}
`,
  'src/http/rate-limit.js': String.raw`import { tooManyRequests } from './errors.js'

/** One token bucket per key (the client IP or the customer id). */
export function createRateLimiter({ capacity, refillPerSecond }, now = () => Date.now()) {
  const buckets = new Map()
  return {
    take(key) {
      const t = now()
      const b = buckets.get(key) ?? { tokens: capacity, at: t }
      b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * refillPerSecond)
      b.at = t
      if (b.tokens < 1) {
        buckets.set(key, b)
        throw tooManyRequests(Math.ceil((1 - b.tokens) / refillPerSecond))
      }
      b.tokens -= 1
      buckets.set(key, b)
      return Math.floor(b.tokens)
    },
  }
}
`,
  'src/http/respond.js': String.raw`export function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

export function noContent(res) {
  res.writeHead(204)
  res.end()
}
`,
  'src/invoices/repository.js': String.raw`export function invoicesRepository(db) {
  return {
    get: (id) => db.get('invoices', id),
    byOrder: async (orderId) => (await db.find('invoices', { orderId }))[0] ?? null,
    byCustomer: async (customerId) => (await db.find('invoices', { customerId })).sort((a, b) => b.number.localeCompare(a.number)),
    count: async () => (await db.find('invoices')).length,
    insert: (i) => db.insert('invoices', i),
  }
}
`,
  'src/invoices/routes.js': String.raw`import { requireCustomer, requireSession } from '../auth/middleware.js'
import { json } from '../http/respond.js'
import { paginate, parseLimit } from '../lib/paginate.js'
import { serializeInvoice, serializeSummary } from './serializers.js'

export function invoiceRoutes(router, { invoices, config }) {
  router.get('/invoices', async (req, res, _params, url) => {
    const session = requireSession(req, config.jwtSecret)
    const all = await invoices.list(session.customerId)
    const page = paginate(all, { cursor: url.searchParams.get('cursor'), limit: parseLimit(url.searchParams.get('limit'), config.pageSize) })
    json(res, 200, { items: page.items.map((i) => serializeSummary(i, config.currency)), nextCursor: page.nextCursor })
  })
  router.get('/invoices/:id', async (req, res, { id }) => {
    const session = requireSession(req, config.jwtSecret)
    const inv = await invoices.get(id)
    requireCustomer(session, inv.customerId)
    json(res, 200, serializeInvoice(inv, config.currency))
  })
  router.post('/orders/:id/invoice', async (req, res, { id }) => {
    requireSession(req, config.jwtSecret)
    json(res, 201, serializeInvoice(await invoices.issue(id), config.currency))
  })
}
`,
  'src/invoices/serializers.js': String.raw`import { formatMoney } from '../lib/money.js'

/** The public form of an invoice: amounts in cents and formatted. */
export function serializeInvoice(inv, currency = 'EUR') {
  return {
    id: inv.id,
    number: inv.number,
    orderId: inv.orderId,
    issuedOn: inv.issuedOn,
    dueOn: inv.dueOn,
    lines: inv.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total })),
    net: inv.net,
    tax: inv.tax,
    shipping: inv.shipping,
    total: inv.total,
    display: { total: formatMoney(inv.total, currency), tax: formatMoney(inv.tax, currency) },
  }
}

export const serializeSummary = (inv, currency = 'EUR') => ({ id: inv.id, number: inv.number, dueOn: inv.dueOn, total: formatMoney(inv.total, currency) })
`,
  'src/invoices/service.js': String.raw`import { conflict, notFound } from '../http/errors.js'
import { addDays, isoDate, nextBusinessDay } from '../lib/dates.js'
import { newId } from '../lib/ids.js'

const PAYMENT_TERMS_DAYS = 30

export function invoicesService({ invoices, orders }, clock = () => new Date()) {
  return {
    /** Issues the invoice of a paid order: numbered INV-<year>-<sequence>, due in 30 days. */
    async issue(orderId) {
      const order = await orders.get(orderId)
      if (!order) throw notFound('order ' + orderId)
      if (order.status !== 'paid') throw conflict('order ' + orderId + ' is not paid')
      if (await invoices.byOrder(orderId)) throw conflict('order ' + orderId + ' already has an invoice')
      const now = clock()
      const seq = (await invoices.count()) + 1
      const invoice = {
        id: newId('inv'),
        number: 'INV-' + now.getUTCFullYear() + '-' + String(seq).padStart(6, '0'),
        orderId,
        customerId: order.customerId,
        issuedOn: isoDate(now),
        dueOn: isoDate(nextBusinessDay(addDays(now, PAYMENT_TERMS_DAYS))),
        lines: order.lines,
        net: order.net,
        tax: order.tax,
        shipping: order.shipping,
        total: order.total,
      }
      return invoices.insert(invoice)
    },
    async get(id) {
      const inv = await invoices.get(id)
      if (!inv) throw notFound('invoice ' + id)
      return inv
    },
    list: (customerId) => invoices.byCustomer(customerId),
  }
}
`,
  'src/lib/dates.js': String.raw`const DAY = 24 * 60 * 60 * 1000

export const isoDate = (d) => d.toISOString().slice(0, 10)
export const addDays = (d, n) => new Date(d.getTime() + n * DAY)
export const startOfMonth = (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
export const endOfMonth = (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0, 23, 59, 59, 999))

/** Saturday and Sunday move to the next Monday. */
export function nextBusinessDay(d) {
  const day = d.getUTCDay()
  return day === 6 ? addDays(d, 2) : day === 0 ? addDays(d, 1) : d
}

export function monthKey(d) {
  return d.getUTCFullYear() + '-' + String(d.getUTCMonth() + 1).padStart(2, '0')
}
`,
  'src/lib/ids.js': String.raw`import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** 'ord_01j9x…': a prefix, then 16 base-32 characters. */
export function newId(prefix, bytes = randomBytes(10)) {
  let out = ''
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(acc >> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return prefix + '_' + out
}

export function isId(prefix, value) {
  return typeof value === 'string' && new RegExp('^' + prefix + '_[' + ALPHABET + ']{16}$').test(value)
}
`,
  'src/lib/logger.js': String.raw`/** A line-per-event JSON logger with the same calls as pino (server.js uses pino itself). */
export function createLogger(bindings = {}, write = (line) => process.stdout.write(line + '\n')) {
  const log = (level) => (obj, msg) => write(JSON.stringify({ level, time: Date.now(), ...bindings, ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) }))
  return { info: log('info'), warn: log('warn'), error: log('error'), child: (b) => createLogger({ ...bindings, ...b }, write) }
}

export const silentLogger = { info() {}, warn() {}, error() {}, child() { return silentLogger } }
`,
  'src/lib/money.js': String.raw`/** Amounts are integer minor units (cents). */

export function toCents(amount) {
  if (typeof amount === 'number') return Math.round(amount * 100)
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount).trim())
  if (!m) throw new TypeError('not an amount: ' + amount)
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'))
  return m[1] ? -cents : cents
}

export function formatMoney(cents, currency = 'EUR', locale = 'en-IE') {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100)
}

/** Splits 'cents' in proportion to 'weights'; the remainder goes to the largest shares first. */
export function allocate(cents, weights) {
  const total = weights.reduce((s, w) => s + w, 0)
  if (total <= 0) throw new RangeError('weights must sum to a positive number')
  const raw = weights.map((w) => (cents * w) / total)
  const out = raw.map(Math.floor)
  let rest = cents - out.reduce((s, x) => s + x, 0)
  const order = raw.map((r, i) => [r - Math.floor(r), i]).sort((a, b) => b[0] - a[0])
  for (const [, i] of order) {
    if (rest <= 0) break
    out[i] += 1
    rest -= 1
  }
  return out
}

export function percentOf(cents, rate) {
  return Math.round(cents * rate)
}
`,
  'src/lib/paginate.js': String.raw`/** Cursor pagination over items sorted newest first; the cursor is the last id seen. */
export function paginate(items, { cursor, limit = 25 } = {}) {
  const start = cursor ? items.findIndex((i) => i.id === cursor) + 1 : 0
  const page = items.slice(start, start + limit)
  const more = start + limit < items.length
  return { items: page, nextCursor: more && page.length ? page[page.length - 1].id : null }
}

export function parseLimit(raw, fallback = 25) {
  const n = Number.parseInt(raw ?? '', 10)
  return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : fallback
}
`,
  'src/lib/validate.js': String.raw`import { badRequest } from '../http/errors.js'

export function requireString(obj, key, { max = 200 } = {}) {
  const v = obj?.[key]
  if (typeof v !== 'string' || v.trim() === '') throw badRequest(key + ' is required')
  if (v.length > max) throw badRequest(key + ' is longer than ' + max + ' characters')
  return v.trim()
}

export function requireInt(obj, key, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const v = obj?.[key]
  if (!Number.isInteger(v) || v < min || v > max) throw badRequest(key + ' must be an integer between ' + min + ' and ' + max)
  return v
}

export function requireEnum(obj, key, values) {
  const v = obj?.[key]
  if (!values.includes(v)) throw badRequest(key + ' must be one of ' + values.join(', '))
  return v
}

export function optionalInt(obj, key, fallback, range) {
  return obj?.[key] === undefined ? fallback : requireInt(obj, key, range)
}
`,
  'src/orders/repository.js': String.raw`export function ordersRepository(db) {
  return {
    get: (id) => db.get('orders', id),
    byCustomer: async (customerId) => (await db.find('orders', { customerId })).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    insert: (o) => db.insert('orders', o),
    update: (id, patch) => db.update('orders', id, patch),
  }
}
`,
  'src/orders/routes.js': String.raw`import { requireCustomer, requireSession } from '../auth/middleware.js'
import { readJson } from '../http/body.js'
import { json } from '../http/respond.js'

export function orderRoutes(router, { orders, config }) {
  router.post('/orders', async (req, res) => {
    const session = requireSession(req, config.jwtSecret)
    const body = await readJson(req)
    requireCustomer(session, body.customerId)
    json(res, 201, await orders.create(body))
  })
  router.get('/orders/:id', async (req, res, { id }) => {
    const session = requireSession(req, config.jwtSecret)
    const order = await orders.get(id)
    requireCustomer(session, order.customerId)
    json(res, 200, order)
  })
}
`,
  'src/orders/service.js': String.raw`import { badRequest, conflict, notFound } from '../http/errors.js'
import { newId } from '../lib/ids.js'
import { requireInt, requireString } from '../lib/validate.js'
import { orderTotals } from './totals.js'

export function ordersService({ orders, products }, clock = () => new Date()) {
  return {
    async create(input) {
      const customerId = requireString(input, 'customerId')
      if (!Array.isArray(input.lines) || input.lines.length === 0) throw badRequest('lines must be a non-empty array')
      const lines = input.lines.map((l) => ({ sku: requireString(l, 'sku'), quantity: requireInt(l, 'quantity', { min: 1, max: 999 }) }))
      const known = new Map()
      for (const l of lines) {
        const p = await products.get(l.sku)
        if (!p) throw badRequest('unknown sku ' + l.sku)
        known.set(l.sku, p)
      }
      const totals = orderTotals(lines, known)
      const order = { id: newId('ord'), customerId, status: 'pending', createdAt: clock().toISOString(), ...totals }
      return orders.insert(order)
    },
    async get(id) {
      const o = await orders.get(id)
      if (!o) throw notFound('order ' + id)
      return o
    },
    async markPaid(id, paymentId) {
      const o = await this.get(id)
      if (o.status !== 'pending') throw conflict('order ' + id + ' is ' + o.status)
      return orders.update(id, { status: 'paid', paymentId, paidAt: clock().toISOString() })
    },
  }
}
`,
  'src/orders/totals.js': String.raw`import { priceLine, volumeDiscount } from '../catalog/pricing.js'

/** Prices every line and sums them; shipping is free from 50.00 net. */
export function orderTotals(lines, products) {
  const priced = lines.map((l) => {
    const product = products.get(l.sku)
    if (!product) throw new RangeError('unknown sku ' + l.sku)
    return priceLine(product, l.quantity, { discountRate: volumeDiscount(l.quantity) })
  })
  const net = priced.reduce((s, l) => s + l.net, 0)
  const tax = priced.reduce((s, l) => s + l.tax, 0)
  const shipping = net >= 5000 || net === 0 ? 0 : 495
  return { lines: priced, net, tax, shipping, total: net + tax + shipping }
}
`,
  'src/payments/charges.js': String.raw`import { badRequest } from '../http/errors.js'
import { newId } from '../lib/ids.js'

/** Records a card charge for an order; the provider call itself happens in the checkout UI (Stripe Elements). */
export function chargesService({ db, orders }, clock = () => new Date()) {
  return {
    async record({ orderId, providerRef, amount }) {
      const order = await orders.get(orderId)
      if (amount !== order.total) throw badRequest('charged ' + amount + ' but the order total is ' + order.total)
      const payment = { id: newId('pay'), orderId, providerRef, amount, refunded: 0, status: 'succeeded', at: clock().toISOString() }
      await db.insert('payments', payment)
      await orders.markPaid(orderId, payment.id)
      return payment
    },
  }
}
`,
  'src/payments/refunds.js': String.raw`import { badRequest, notFound } from '../http/errors.js'
import { newId } from '../lib/ids.js'
import { allocate } from '../lib/money.js'

/** Refunds part of a payment; the amount is spread over the order lines in proportion to their totals. */
export function refundsService(db, clock = () => new Date()) {
  return {
    async refund(paymentId, amount, reason) {
      const payment = await db.get('payments', paymentId)
      if (!payment) throw notFound('payment ' + paymentId)
      if (!Number.isInteger(amount) || amount <= 0) throw badRequest('amount must be a positive number of cents')
      if (payment.refunded + amount > payment.amount) throw badRequest('refund exceeds the amount left (' + (payment.amount - payment.refunded) + ')')
      const order = await db.get('orders', payment.orderId)
      const perLine = allocate(amount, order.lines.map((l) => l.total))
      const refund = { id: newId('ref'), paymentId, amount, reason: reason ?? 'requested_by_customer', lines: order.lines.map((l, i) => ({ sku: l.sku, amount: perLine[i] })), at: clock().toISOString() }
      await db.insert('refunds', refund)
      await db.update('payments', paymentId, { refunded: payment.refunded + amount, status: payment.refunded + amount === payment.amount ? 'refunded' : 'partially_refunded' })
      return refund
    },
  }
}
`,
  'src/payments/routes.js': String.raw`import { requireSession } from '../auth/middleware.js'
import { readJson } from '../http/body.js'
import { badRequest } from '../http/errors.js'
import { json } from '../http/respond.js'
import { verifyWebhook } from './webhooks.js'

export function paymentRoutes(router, { charges, refunds, config }) {
  router.post('/payments', async (req, res) => {
    requireSession(req, config.jwtSecret)
    json(res, 201, await charges.record(await readJson(req)))
  })
  router.post('/payments/:id/refunds', async (req, res, { id }) => {
    requireSession(req, config.jwtSecret)
    const body = await readJson(req)
    json(res, 201, await refunds.refund(id, body.amount, body.reason))
  })
  router.post('/webhooks/stripe', async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const v = verifyWebhook(Buffer.concat(chunks).toString('utf8'), req.headers['stripe-signature'], config.webhookSecret)
    if (!v.ok) throw badRequest(v.reason)
    json(res, 200, { received: true, type: v.event.type })
  })
}
`,
  'src/payments/webhooks.js': String.raw`import { createHmac, timingSafeEqual } from 'node:crypto'

const TOLERANCE_SECONDS = 300

/** Checks a 'Stripe-Signature: t=…,v1=…' header against the raw body. */
export function verifyWebhook(rawBody, header, secret, now = Date.now()) {
  const parts = Object.fromEntries(String(header ?? '').split(',').map((kv) => kv.split('=', 2)))
  const t = Number(parts.t)
  if (!Number.isFinite(t) || !parts.v1) return { ok: false, reason: 'malformed signature header' }
  if (Math.abs(now / 1000 - t) > TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp outside the tolerance' }
  const expected = createHmac('sha256', secret).update(t + '.' + rawBody).digest()
  const given = Buffer.from(parts.v1, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' }
  return { ok: true, event: JSON.parse(rawBody) }
}
`,
  'src/reports/monthly.js': String.raw`import { monthKey } from '../lib/dates.js'

/** Revenue per month (invoices issued), oldest first. */
export function monthlyRevenue(invoices) {
  const byMonth = new Map()
  for (const inv of invoices) {
    const key = monthKey(new Date(inv.issuedOn + 'T00:00:00Z'))
    const m = byMonth.get(key) ?? { month: key, invoices: 0, net: 0, tax: 0, total: 0 }
    m.invoices += 1
    m.net += inv.net
    m.tax += inv.tax
    m.total += inv.total
    byMonth.set(key, m)
  }
  return [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month))
}
`,
  'src/reports/tax.js': String.raw`import { TAX_RATES } from '../catalog/pricing.js'

/** Tax collected per tax class over the invoices' lines. */
export function taxReport(invoices, products) {
  const out = Object.fromEntries(Object.keys(TAX_RATES).map((k) => [k, { net: 0, tax: 0 }]))
  for (const inv of invoices) {
    for (const l of inv.lines) {
      const cls = products.get(l.sku)?.taxClass ?? 'standard'
      out[cls].net += l.net
      out[cls].tax += l.tax
    }
  }
  return out
}
`,
  'src/router.js': String.raw`/** A small router: 'GET /orders/:id' style patterns, first match wins. */
export function createRouter() {
  const routes = []
  const add = (method, pattern, handler) => {
    const names = []
    const re = new RegExp('^' + pattern.replace(/\/:(\w+)/g, (_, name) => { names.push(name); return '/([^/]+)' }) + '/?$')
    routes.push({ method, re, names, handler })
  }
  return {
    get: (p, h) => add('GET', p, h),
    post: (p, h) => add('POST', p, h),
    put: (p, h) => add('PUT', p, h),
    delete: (p, h) => add('DELETE', p, h),
    match(method, pathname) {
      let allowed = false
      for (const r of routes) {
        const m = r.re.exec(pathname)
        if (!m) continue
        if (r.method !== method) { allowed = true; continue }
        const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]))
        return { handler: r.handler, params }
      }
      return allowed ? { methodNotAllowed: true } : null
    },
  }
}
`,
  'src/server.js': String.raw`import http from 'node:http'
import pino from 'pino'
import { createApp } from './app.js'
import { loadConfig } from './config.js'
import { createPgDb } from './db/pg.js'

const config = loadConfig()
const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })
const db = createPgDb(config.databaseUrl)
const server = http.createServer(createApp({ db, config, logger }))
server.listen(config.port, () => logger.info({ port: config.port }, 'storefront-api listening'))

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    logger.info({ signal }, 'shutting down')
    server.close(() => db.end().then(() => process.exit(0)))
  })
}
`,
  'test/e2e/checkout.test.js': String.raw`import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startApp } from '../helpers/server.js'

describe('checkout', () => {
  let app
  before(async () => { app = await startApp() })
  after(() => app.close())

  test('register, order, pay, invoice, refund', async () => {
    const customer = await app.call('POST', '/customers', { body: { email: 'linus@example.com', name: 'Linus' } })
    const token = app.tokenFor(customer.body.id)
    const search = await app.call('GET', '/products?q=tea')
    assert.deepEqual(search.body.items.map((p) => p.sku), ['TEA-014'])
    const order = await app.call('POST', '/orders', { token, body: { customerId: customer.body.id, lines: [{ sku: 'TEA-014', quantity: 12 }] } })
    assert.equal(order.status, 201)
    const pay = await app.call('POST', '/payments', { token, body: { orderId: order.body.id, providerRef: 'pi_3Q', amount: order.body.total } })
    assert.equal(pay.status, 201)
    const inv = await app.call('POST', '/orders/' + order.body.id + '/invoice', { token })
    assert.equal(inv.body.total, order.body.total)
    const refund = await app.call('POST', '/payments/' + pay.body.id + '/refunds', { token, body: { amount: 500 } })
    assert.equal(refund.status, 201)
    assert.equal(refund.body.lines[0].amount, 500)
  })

  test('stripe webhooks need a signature', async () => {
    const res = await fetch(app.base + '/webhooks/stripe', { method: 'POST', body: '{}', headers: { 'stripe-signature': 't=1,v1=00' } })
    assert.equal(res.status, 400)
  })
})
`,
  'test/helpers/fixtures.js': String.raw`export const PRODUCTS = [
  { sku: 'MUG-001', name: 'Enamel camping mug', price: 1450, taxClass: 'standard', tags: ['kitchen', 'outdoor'] },
  { sku: 'TEA-014', name: 'Sencha green tea 100 g', price: 890, taxClass: 'reduced', tags: ['tea', 'organic'] },
  { sku: 'BOOK-203', name: 'Field guide to mushrooms', price: 2499, taxClass: 'zero', tags: ['books', 'outdoor'] },
  { sku: 'LAMP-310', name: 'Brass desk lamp', price: 7900, taxClass: 'standard', tags: ['home', 'lighting'] },
]

export const productMap = () => new Map(PRODUCTS.map((p) => [p.sku, { id: p.sku, ...p }]))

/** A clock fixed at the given instant (default: a Tuesday). */
export const fixedClock = (iso = '2026-03-10T09:30:00.000Z') => () => new Date(iso)
`,
  'test/helpers/server.js': String.raw`import http from 'node:http'
import { createApp } from '../../src/app.js'
import { signJwt } from '../../src/auth/jwt.js'
import { loadConfig } from '../../src/config.js'
import { createMemoryDb } from '../../src/db/memory.js'
import { PRODUCTS, fixedClock } from './fixtures.js'

/** The app on an ephemeral port with an in-memory store seeded with the catalog. */
export async function startApp({ clock = fixedClock(), env = {} } = {}) {
  const config = loadConfig({ JWT_SECRET: 'test-secret', STRIPE_WEBHOOK_SECRET: 'whsec_test', RATE_LIMIT_BURST: '1000', ...env })
  const db = createMemoryDb()
  for (const p of PRODUCTS) await db.insert('products', { id: p.sku, ...p })
  const server = http.createServer(createApp({ db, config, clock }))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = 'http://127.0.0.1:' + server.address().port
  const tokenFor = (sub, roles = []) => signJwt({ sub, roles }, config.jwtSecret)
  const call = async (method, path, { body, token } = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: 'Bearer ' + token } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text }
  }
  return { base, db, config, call, tokenFor, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }) }
}
`,
  'test/integration/auth.test.js': String.raw`import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startApp } from '../helpers/server.js'

let app
before(async () => { app = await startApp() })
after(() => app.close())

test('health needs no token', async () => {
  assert.deepEqual((await app.call('GET', '/health')).body, { status: 'ok' })
})

test('protected routes need a valid bearer token', async () => {
  assert.equal((await app.call('GET', '/me')).status, 401)
  assert.equal((await app.call('GET', '/me', { token: 'a.b.c' })).status, 401)
  const me = await app.call('GET', '/me', { token: app.tokenFor('cus_7') })
  assert.deepEqual(me.body, { customerId: 'cus_7', roles: [] })
})

test('a customer cannot read another customer', async () => {
  const c = await app.call('POST', '/customers', { body: { email: 'grace@example.com', name: 'Grace Hopper' } })
  assert.equal(c.status, 201)
  assert.equal((await app.call('GET', '/customers/' + c.body.id, { token: app.tokenFor('cus_other') })).status, 403)
  assert.equal((await app.call('GET', '/customers/' + c.body.id, { token: app.tokenFor('cus_admin', ['admin']) })).status, 200)
})
`,
  'test/integration/invoices.test.js': String.raw`import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startApp } from '../helpers/server.js'

let app
before(async () => { app = await startApp() })
after(() => app.close())

async function paidOrder(customerId) {
  const token = app.tokenFor(customerId)
  const order = await app.call('POST', '/orders', { token, body: { customerId, lines: [{ sku: 'LAMP-310', quantity: 1 }] } })
  await app.call('POST', '/payments', { token, body: { orderId: order.body.id, providerRef: 'pi_' + order.body.id, amount: order.body.total } })
  return order.body
}

test('issues an invoice for a paid order, once', async () => {
  const order = await paidOrder('cus_1')
  const token = app.tokenFor('cus_1')
  const inv = await app.call('POST', '/orders/' + order.id + '/invoice', { token })
  assert.equal(inv.status, 201)
  assert.equal(inv.body.total, 9480)
  assert.equal(inv.body.display.total, '€94.80')
  assert.equal((await app.call('POST', '/orders/' + order.id + '/invoice', { token })).status, 409)
})

test('lists invoices with a cursor', async () => {
  for (let i = 0; i < 3; i++) {
    const o = await paidOrder('cus_2')
    await app.call('POST', '/orders/' + o.id + '/invoice', { token: app.tokenFor('cus_2') })
  }
  const page = await app.call('GET', '/invoices?limit=2', { token: app.tokenFor('cus_2') })
  assert.equal(page.body.items.length, 2)
  assert.ok(page.body.nextCursor)
  const rest = await app.call('GET', '/invoices?limit=2&cursor=' + page.body.nextCursor, { token: app.tokenFor('cus_2') })
  assert.equal(rest.body.items.length, 1)
  assert.equal(rest.body.nextCursor, null)
})
`,
  'test/integration/orders.test.js': String.raw`import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startApp } from '../helpers/server.js'

let app
before(async () => { app = await startApp() })
after(() => app.close())

test('creates and reads an order', async () => {
  const token = app.tokenFor('cus_1')
  const created = await app.call('POST', '/orders', { token, body: { customerId: 'cus_1', lines: [{ sku: 'MUG-001', quantity: 2 }, { sku: 'BOOK-203', quantity: 1 }] } })
  assert.equal(created.status, 201)
  assert.equal(created.body.net, 2900 + 2499)
  assert.equal(created.body.shipping, 0)
  const read = await app.call('GET', '/orders/' + created.body.id, { token })
  assert.deepEqual(read.body, created.body)
})

test('validation errors are 400 with a message', async () => {
  const res = await app.call('POST', '/orders', { token: app.tokenFor('cus_1'), body: { customerId: 'cus_1', lines: [{ sku: 'MUG-001', quantity: 0 }] } })
  assert.equal(res.status, 400)
  assert.match(res.body.error.message, /quantity must be an integer between 1 and 999/)
})

test('unknown routes and methods', async () => {
  assert.equal((await app.call('GET', '/nope')).status, 404)
  assert.equal((await app.call('DELETE', '/orders/ord_1')).status, 405)
})
`,
  'test/unit/auth/jwt.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signJwt, verifyJwt } from '../../../src/auth/jwt.js'

const now = Date.parse('2026-03-10T09:30:00Z')

test('round trip', () => {
  const token = signJwt({ sub: 'cus_1', roles: ['admin'] }, 's3cret', { now })
  assert.deepEqual(verifyJwt(token, 's3cret', now + 1000), { sub: 'cus_1', roles: ['admin'], iat: now / 1000, exp: now / 1000 + 3600 })
})

test('rejects a wrong secret, a tampered body and an expired token', () => {
  const token = signJwt({ sub: 'cus_1' }, 's3cret', { now })
  assert.equal(verifyJwt(token, 'other', now), null)
  const [h, , s] = token.split('.')
  assert.equal(verifyJwt(h + '.' + Buffer.from('{"sub":"cus_2"}').toString('base64url') + '.' + s, 's3cret', now), null)
  assert.equal(verifyJwt(token, 's3cret', now + 3601 * 1000), null)
})
`,
  'test/unit/auth/session.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signJwt } from '../../../src/auth/jwt.js'
import { isAdmin, sessionFrom } from '../../../src/auth/session.js'

test('a bearer token gives a session', () => {
  const token = signJwt({ sub: 'cus_9', roles: ['admin'] }, 'k')
  const s = sessionFrom({ authorization: 'Bearer ' + token }, 'k')
  assert.deepEqual(s, { customerId: 'cus_9', roles: ['admin'] })
  assert.ok(isAdmin(s))
})

test('no or bad header: no session', () => {
  assert.equal(sessionFrom({}, 'k'), null)
  assert.equal(sessionFrom({ authorization: 'Basic abc' }, 'k'), null)
  assert.equal(isAdmin(null), false)
})
`,
  'test/unit/catalog/pricing.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { priceLine, volumeDiscount } from '../../../src/catalog/pricing.js'
import { productMap } from '../../helpers/fixtures.js'

const products = productMap()

test('prices a line with the tax of its class', () => {
  assert.deepEqual(priceLine(products.get('MUG-001'), 2), { sku: 'MUG-001', quantity: 2, unitPrice: 1450, discount: 0, net: 2900, tax: 580, total: 3480 })
  assert.equal(priceLine(products.get('TEA-014'), 1).tax, 89)
  assert.equal(priceLine(products.get('BOOK-203'), 1).tax, 0)
})

test('volume discounts', () => {
  assert.equal(volumeDiscount(9), 0)
  assert.equal(volumeDiscount(10), 0.05)
  assert.equal(volumeDiscount(50), 0.1)
  assert.equal(priceLine(products.get('TEA-014'), 10, { discountRate: 0.05 }).net, 8455)
  assert.throws(() => priceLine(products.get('TEA-014'), 0), RangeError)
})
`,
  'test/unit/catalog/search.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { searchProducts } from '../../../src/catalog/search.js'
import { PRODUCTS } from '../../helpers/fixtures.js'

test('every word must match; name hits rank first', () => {
  assert.deepEqual(searchProducts(PRODUCTS, 'outdoor').map((p) => p.sku), ['MUG-001', 'BOOK-203'])
  assert.deepEqual(searchProducts(PRODUCTS, 'camp mug').map((p) => p.sku), ['MUG-001'])
  assert.deepEqual(searchProducts(PRODUCTS, 'brass tea'), [])
  assert.deepEqual(searchProducts(PRODUCTS, '  '), [])
})
`,
  'test/unit/customers/service.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { customersRepository } from '../../../src/customers/repository.js'
import { customersService } from '../../../src/customers/service.js'
import { createMemoryDb } from '../../../src/db/memory.js'
import { fixedClock } from '../../helpers/fixtures.js'

test('registers a customer once per email', async () => {
  const svc = customersService(customersRepository(createMemoryDb()), fixedClock())
  const c = await svc.register({ email: 'Ada@Example.com', name: 'Ada Lovelace' })
  assert.equal(c.email, 'ada@example.com')
  assert.equal(c.createdAt, '2026-03-10T09:30:00.000Z')
  await assert.rejects(svc.register({ email: 'ada@example.com', name: 'Ada' }), /exists/)
  assert.deepEqual(await svc.get(c.id), c)
})
`,
  'test/unit/http/errors.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { conflict, notFound, toErrorResponse, tooManyRequests } from '../../../src/http/errors.js'

test('http errors keep their status and code', () => {
  assert.deepEqual(toErrorResponse(notFound('order ord_1')), { status: 404, body: { error: { code: 'not_found', message: 'order ord_1 not found' } } })
  assert.equal(toErrorResponse(conflict('taken')).status, 409)
  assert.deepEqual(toErrorResponse(tooManyRequests(3)).body.error.details, { retryAfter: 3 })
})

test('anything else is a 500 without details', () => {
  assert.deepEqual(toErrorResponse(new Error('db down')), { status: 500, body: { error: { code: 'internal', message: 'internal error' } } })
})
`,
  'test/unit/http/rate-limit.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRateLimiter } from '../../../src/http/rate-limit.js'

test('a bucket empties and refills', () => {
  let t = 0
  const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 1 }, () => t)
  limiter.take('1.2.3.4')
  limiter.take('1.2.3.4')
  assert.throws(() => limiter.take('1.2.3.4'), (err) => err.status === 429 && err.details.retryAfter === 1)
  limiter.take('5.6.7.8')
  t = 1000
  assert.equal(limiter.take('1.2.3.4'), 0)
})
`,
  'test/unit/invoices/serializers.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { serializeInvoice, serializeSummary } from '../../../src/invoices/serializers.js'

const inv = { id: 'inv_1', number: 'INV-2026-000042', orderId: 'ord_1', customerId: 'cus_1', issuedOn: '2026-03-10', dueOn: '2026-04-09', lines: [{ sku: 'MUG-001', quantity: 2, unitPrice: 1450, net: 2900, tax: 580, total: 3480 }], net: 2900, tax: 580, shipping: 495, total: 3975 }

test('public invoice form', () => {
  const s = serializeInvoice(inv)
  assert.equal(s.customerId, undefined)
  assert.deepEqual(s.lines, [{ sku: 'MUG-001', quantity: 2, unitPrice: 1450, total: 3480 }])
  assert.deepEqual(s.display, { total: '€39.75', tax: '€5.80' })
})

test('summary', () => {
  assert.deepEqual(serializeSummary(inv), { id: 'inv_1', number: 'INV-2026-000042', dueOn: '2026-04-09', total: '€39.75' })
})
`,
  'test/unit/invoices/service.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryDb } from '../../../src/db/memory.js'
import { invoicesRepository } from '../../../src/invoices/repository.js'
import { invoicesService } from '../../../src/invoices/service.js'
import { ordersRepository } from '../../../src/orders/repository.js'
import { fixedClock } from '../../helpers/fixtures.js'

async function setup(status = 'paid') {
  const db = createMemoryDb()
  await db.insert('orders', { id: 'ord_1', customerId: 'cus_1', status, lines: [], net: 1000, tax: 200, shipping: 495, total: 1695 })
  return invoicesService({ invoices: invoicesRepository(db), orders: ordersRepository(db) }, fixedClock('2026-03-07T10:00:00Z'))
}

test('issues a numbered invoice due on a business day', async () => {
  const svc = await setup()
  const inv = await svc.issue('ord_1')
  assert.equal(inv.number, 'INV-2026-000001')
  assert.equal(inv.issuedOn, '2026-03-07')
  assert.equal(inv.dueOn, '2026-04-06')
  assert.equal(inv.total, 1695)
  await assert.rejects(svc.issue('ord_1'), /already has an invoice/)
})

test('refuses unpaid orders', async () => {
  const svc = await setup('pending')
  await assert.rejects(svc.issue('ord_1'), /not paid/)
})
`,
  'test/unit/lib/dates.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addDays, endOfMonth, isoDate, monthKey, nextBusinessDay, startOfMonth } from '../../../src/lib/dates.js'

test('month bounds', () => {
  const d = new Date('2026-02-17T12:00:00Z')
  assert.equal(startOfMonth(d).toISOString(), '2026-02-01T00:00:00.000Z')
  assert.equal(endOfMonth(d).toISOString(), '2026-02-28T23:59:59.999Z')
  assert.equal(monthKey(d), '2026-02')
})

test('weekends move to Monday', () => {
  assert.equal(isoDate(nextBusinessDay(new Date('2026-04-11T00:00:00Z'))), '2026-04-13')
  assert.equal(isoDate(nextBusinessDay(new Date('2026-04-12T00:00:00Z'))), '2026-04-13')
  assert.equal(isoDate(nextBusinessDay(new Date('2026-04-14T00:00:00Z'))), '2026-04-14')
})

test('adds days across a month end', () => {
  assert.equal(isoDate(addDays(new Date('2026-01-30T00:00:00Z'), 3)), '2026-02-02')
})
`,
  'test/unit/lib/ids.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isId, newId } from '../../../src/lib/ids.js'

test('ids have a prefix and 16 base-32 characters', () => {
  const id = newId('ord', Buffer.from('00112233445566778899', 'hex'))
  assert.equal(id, 'ord_008j4ct4ank7f24s')
  assert.ok(isId('ord', id))
  assert.ok(!isId('inv', id))
})

test('random ids differ', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newId('cus')))
  assert.equal(ids.size, 1000)
})
`,
  'test/unit/lib/money.test.js': String.raw`import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { allocate, formatMoney, percentOf, toCents } from '../../../src/lib/money.js'

describe('money', () => {
  test('parses amounts to cents', () => {
    assert.equal(toCents('12.5'), 1250)
    assert.equal(toCents('-0.07'), -7)
    assert.equal(toCents(19.99), 1999)
    assert.throws(() => toCents('12,50'), TypeError)
  })
  test('formats cents', () => {
    assert.equal(formatMoney(123456, 'EUR', 'en-IE'), '€1,234.56')
  })
  test('allocates without losing a cent', () => {
    assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33])
    assert.deepEqual(allocate(1000, [2450, 890]), [734, 266])
    assert.equal(allocate(9999, [3, 7, 11]).reduce((a, b) => a + b, 0), 9999)
  })
  test('percentages round half away from zero', () => {
    assert.equal(percentOf(1250, 0.2), 250)
    assert.equal(percentOf(1005, 0.1), 101)
  })
})
`,
  'test/unit/lib/paginate.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { paginate, parseLimit } from '../../../src/lib/paginate.js'

const items = Array.from({ length: 7 }, (_, i) => ({ id: 'i' + (7 - i) }))

test('pages by cursor', () => {
  const p1 = paginate(items, { limit: 3 })
  assert.deepEqual(p1.items.map((i) => i.id), ['i7', 'i6', 'i5'])
  const p3 = paginate(items, { cursor: 'i2', limit: 3 })
  assert.deepEqual(p3, { items: [{ id: 'i1' }], nextCursor: null })
})

test('limits are clamped', () => {
  assert.equal(parseLimit('500'), 100)
  assert.equal(parseLimit('0'), 1)
  assert.equal(parseLimit(null, 25), 25)
})
`,
  'test/unit/lib/validate.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HttpError } from '../../../src/http/errors.js'
import { optionalInt, requireEnum, requireInt, requireString } from '../../../src/lib/validate.js'

test('strings are trimmed and bounded', () => {
  assert.equal(requireString({ name: '  Ada ' }, 'name'), 'Ada')
  assert.throws(() => requireString({ name: ' ' }, 'name'), HttpError)
  assert.throws(() => requireString({ name: 'x'.repeat(201) }, 'name'), /longer than 200/)
})

test('integers and enums', () => {
  assert.equal(requireInt({ q: 3 }, 'q', { min: 1 }), 3)
  assert.throws(() => requireInt({ q: 1.5 }, 'q'), /integer/)
  assert.equal(requireEnum({ k: 'unit' }, 'k', ['unit', 'e2e']), 'unit')
  assert.throws(() => requireEnum({ k: 'x' }, 'k', ['unit']), /one of unit/)
  assert.equal(optionalInt({}, 'limit', 25), 25)
})
`,
  'test/unit/orders/service.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { productsRepository } from '../../../src/catalog/products.js'
import { createMemoryDb } from '../../../src/db/memory.js'
import { ordersRepository } from '../../../src/orders/repository.js'
import { ordersService } from '../../../src/orders/service.js'
import { PRODUCTS, fixedClock } from '../../helpers/fixtures.js'

async function setup() {
  const db = createMemoryDb()
  const products = productsRepository(db)
  for (const p of PRODUCTS) await products.insert(p)
  return ordersService({ orders: ordersRepository(db), products }, fixedClock())
}

test('creates a pending order with totals', async () => {
  const svc = await setup()
  const o = await svc.create({ customerId: 'cus_1', lines: [{ sku: 'LAMP-310', quantity: 1 }] })
  assert.equal(o.status, 'pending')
  assert.equal(o.total, 7900 + 1580)
  const paid = await svc.markPaid(o.id, 'pay_1')
  assert.equal(paid.status, 'paid')
  await assert.rejects(svc.markPaid(o.id, 'pay_2'), /is paid/)
})

test('rejects empty orders and unknown products', async () => {
  const svc = await setup()
  await assert.rejects(svc.create({ customerId: 'cus_1', lines: [] }), /non-empty/)
  await assert.rejects(svc.create({ customerId: 'cus_1', lines: [{ sku: 'X', quantity: 1 }] }), /unknown sku X/)
})
`,
  'test/unit/orders/totals.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { orderTotals } from '../../../src/orders/totals.js'
import { productMap } from '../../helpers/fixtures.js'

test('sums lines, shipping under 50.00 net', () => {
  const t = orderTotals([{ sku: 'MUG-001', quantity: 1 }, { sku: 'TEA-014', quantity: 2 }], productMap())
  assert.equal(t.net, 3230)
  assert.equal(t.tax, 290 + 178)
  assert.equal(t.shipping, 495)
  assert.equal(t.total, 3230 + 468 + 495)
})

test('free shipping from 50.00 net, volume discount from 10 units', () => {
  const t = orderTotals([{ sku: 'TEA-014', quantity: 10 }], productMap())
  assert.equal(t.lines[0].discount, 445)
  assert.equal(t.shipping, 0)
  assert.throws(() => orderTotals([{ sku: 'NOPE', quantity: 1 }], productMap()), /unknown sku/)
})
`,
  'test/unit/payments/charges.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { productsRepository } from '../../../src/catalog/products.js'
import { createMemoryDb } from '../../../src/db/memory.js'
import { ordersRepository } from '../../../src/orders/repository.js'
import { ordersService } from '../../../src/orders/service.js'
import { chargesService } from '../../../src/payments/charges.js'
import { PRODUCTS, fixedClock } from '../../helpers/fixtures.js'

test('a charge of the order total marks it paid', async () => {
  const db = createMemoryDb()
  const products = productsRepository(db)
  for (const p of PRODUCTS) await products.insert(p)
  const orders = ordersService({ orders: ordersRepository(db), products }, fixedClock())
  const charges = chargesService({ db, orders }, fixedClock())
  const o = await orders.create({ customerId: 'cus_1', lines: [{ sku: 'BOOK-203', quantity: 1 }] })
  await assert.rejects(charges.record({ orderId: o.id, providerRef: 'pi_1', amount: 1 }), /order total/)
  const p = await charges.record({ orderId: o.id, providerRef: 'pi_1', amount: o.total })
  assert.equal(p.status, 'succeeded')
  assert.equal((await orders.get(o.id)).status, 'paid')
})
`,
  'test/unit/payments/refunds.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryDb } from '../../../src/db/memory.js'
import { refundsService } from '../../../src/payments/refunds.js'
import { fixedClock } from '../../helpers/fixtures.js'

async function setup() {
  const db = createMemoryDb()
  await db.insert('orders', { id: 'ord_1', lines: [{ sku: 'A', total: 3000 }, { sku: 'B', total: 1000 }] })
  await db.insert('payments', { id: 'pay_1', orderId: 'ord_1', amount: 4000, refunded: 0, status: 'succeeded' })
  return { db, svc: refundsService(db, fixedClock()) }
}

test('partial refunds are spread over the lines', async () => {
  const { db, svc } = await setup()
  const r = await svc.refund('pay_1', 1001)
  assert.deepEqual(r.lines, [{ sku: 'A', amount: 751 }, { sku: 'B', amount: 250 }])
  assert.equal((await db.get('payments', 'pay_1')).status, 'partially_refunded')
  await svc.refund('pay_1', 2999)
  assert.equal((await db.get('payments', 'pay_1')).status, 'refunded')
  await assert.rejects(svc.refund('pay_1', 1), /exceeds/)
})
`,
  'test/unit/payments/webhooks.test.js': String.raw`import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import { verifyWebhook } from '../../../src/payments/webhooks.js'

const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' })
const now = 1773135000000
const sign = (t, secret = 'whsec_test') => 't=' + t + ',v1=' + createHmac('sha256', secret).update(t + '.' + body).digest('hex')

test('accepts a fresh, correctly signed event', () => {
  assert.deepEqual(verifyWebhook(body, sign(now / 1000), 'whsec_test', now), { ok: true, event: JSON.parse(body) })
})

test('rejects stale, forged and malformed signatures', () => {
  assert.equal(verifyWebhook(body, sign(now / 1000 - 301), 'whsec_test', now).reason, 'timestamp outside the tolerance')
  assert.equal(verifyWebhook(body, sign(now / 1000, 'other'), 'whsec_test', now).reason, 'signature mismatch')
  assert.equal(verifyWebhook(body, 'v1=abc', 'whsec_test', now).reason, 'malformed signature header')
})
`,
  'test/unit/reports/monthly.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { monthlyRevenue } from '../../../src/reports/monthly.js'

test('revenue per month, oldest first', () => {
  const rows = monthlyRevenue([
    { issuedOn: '2026-03-02', net: 1000, tax: 200, total: 1200 },
    { issuedOn: '2026-02-27', net: 500, tax: 50, total: 550 },
    { issuedOn: '2026-03-31', net: 2000, tax: 400, total: 2400 },
  ])
  assert.deepEqual(rows, [
    { month: '2026-02', invoices: 1, net: 500, tax: 50, total: 550 },
    { month: '2026-03', invoices: 2, net: 3000, tax: 600, total: 3600 },
  ])
})
`,
  'test/unit/reports/tax.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { taxReport } from '../../../src/reports/tax.js'
import { productMap } from '../../helpers/fixtures.js'

test('tax per class', () => {
  const r = taxReport([{ lines: [{ sku: 'MUG-001', net: 2900, tax: 580 }, { sku: 'TEA-014', net: 890, tax: 89 }, { sku: 'BOOK-203', net: 2499, tax: 0 }] }], productMap())
  assert.deepEqual(r, { standard: { net: 2900, tax: 580 }, reduced: { net: 890, tax: 89 }, zero: { net: 2499, tax: 0 } })
})

test.todo('reverse-charge invoices for EU business customers')
`,
  'test/unit/router.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRouter } from '../../src/router.js'

test('matches patterns with parameters', () => {
  const r = createRouter()
  const h = () => {}
  r.get('/orders/:id', h)
  r.post('/orders/:id/invoice', h)
  assert.deepEqual(r.match('GET', '/orders/ord_1').params, { id: 'ord_1' })
  assert.deepEqual(r.match('POST', '/orders/a%20b/invoice').params, { id: 'a b' })
  assert.deepEqual(r.match('DELETE', '/orders/ord_1'), { methodNotAllowed: true })
  assert.equal(r.match('GET', '/customers'), null)
})
`,
}

// ------------------------------------------------------------------ the feature commit (commit 2)

const COMMIT_MESSAGE = `feat(invoices): export invoices as CSV

GET /invoices/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD returns the customer's invoices issued in the
range as an RFC 4180 attachment (plain decimal amounts, formula cells neutralised), at most
EXPORT_MAX_ROWS per request. The monthly revenue report gets a CSV form too.

Closes #412`

const ADDED_FILES: Record<string, string> = {
  'src/lib/csv.js': String.raw`/** RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/

export function csvField(value) {
  if (value === null || value === undefined) return ''
  const s = String(value)
  // a leading =, +, - or @ makes spreadsheets evaluate the cell: prefix a quote (OWASP CSV injection)
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? "'" + s : s
  return NEEDS_QUOTES.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}

export function csvRow(values) {
  return values.map(csvField).join(',')
}

/** The whole document: a header row, then one row per record. */
export function toCsv(columns, records) {
  const lines = [csvRow(columns.map((c) => c.header))]
  for (const r of records) lines.push(csvRow(columns.map((c) => (typeof c.value === 'function' ? c.value(r) : r[c.value]))))
  return lines.join('\r\n') + '\r\n'
}
`,
  'src/invoices/export.js': String.raw`import { badRequest } from '../http/errors.js'
import { toCsv } from '../lib/csv.js'
import { isoDate, startOfMonth } from '../lib/dates.js'
import { invoiceCsvColumns } from './serializers.js'

/** Parses 'from'/'to' (YYYY-MM-DD, inclusive); the default is the current month up to today. */
export function exportRange(params, now) {
  const day = /^\d{4}-\d{2}-\d{2}$/
  const from = params.get('from') ?? isoDate(startOfMonth(now))
  const to = params.get('to') ?? isoDate(now)
  if (!day.test(from) || !day.test(to)) throw badRequest('from and to must be dates (YYYY-MM-DD)')
  if (from > to) throw badRequest('from is after to')
  return { from, to }
}

/** The customer's invoices issued in the range as CSV, oldest first, at most 'maxRows' rows. */
export async function exportInvoicesCsv(invoices, customerId, range, { currency, maxRows }) {
  const rows = await invoices.listBetween(customerId, range.from, range.to)
  if (rows.length > maxRows) throw badRequest('the range holds ' + rows.length + ' invoices; export at most ' + maxRows + ' at a time')
  return {
    filename: 'invoices-' + range.from + '-' + range.to + '.csv',
    rows: rows.length,
    text: toCsv(invoiceCsvColumns(currency), rows),
  }
}
`,
  'test/unit/lib/csv.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { csvField, csvRow, toCsv } from '../../../src/lib/csv.js'

test('quotes only when needed', () => {
  assert.equal(csvField('INV-2026-000001'), 'INV-2026-000001')
  assert.equal(csvField('Smith, Jones & Co'), '"Smith, Jones & Co"')
  assert.equal(csvField('say "hi"'), '"say ""hi"""')
  assert.equal(csvField('two\nlines'), '"two\nlines"')
  assert.equal(csvField(null), '')
  assert.equal(csvRow([1, 'a', undefined]), '1,a,')
})

test('neutralises formulas but not negative numbers', () => {
  assert.equal(csvField('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"')
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)")
  assert.equal(csvField('-12.50'), '-12.50')
})

test('a document with a header and CRLF line ends', () => {
  const text = toCsv([{ header: 'sku', value: 'sku' }, { header: 'qty', value: (r) => r.n * 2 }], [{ sku: 'MUG-001', n: 1 }, { sku: 'TEA-014', n: 3 }])
  assert.equal(text, 'sku,qty\r\nMUG-001,2\r\nTEA-014,6\r\n')
})
`,
  'test/unit/invoices/export.test.js': String.raw`import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryDb } from '../../../src/db/memory.js'
import { exportInvoicesCsv, exportRange } from '../../../src/invoices/export.js'
import { invoicesRepository } from '../../../src/invoices/repository.js'
import { invoicesService } from '../../../src/invoices/service.js'
import { ordersRepository } from '../../../src/orders/repository.js'

const now = new Date('2026-03-18T12:00:00Z')

async function service() {
  const db = createMemoryDb()
  const inv = (n, issuedOn, total) => ({ id: 'inv_' + n, number: 'INV-2026-' + String(n).padStart(6, '0'), orderId: 'ord_' + n, customerId: 'cus_1', issuedOn, dueOn: issuedOn, lines: [{}], net: total - 200, tax: 200, shipping: 0, total })
  await db.insert('invoices', inv(1, '2026-02-27', 1200))
  await db.insert('invoices', inv(2, '2026-03-02', 3475))
  await db.insert('invoices', inv(3, '2026-03-17', 1099))
  await db.insert('invoices', { ...inv(4, '2026-03-05', 500), customerId: 'cus_2' })
  return invoicesService({ invoices: invoicesRepository(db), orders: ordersRepository(db) })
}

test('default range: this month up to today', () => {
  assert.deepEqual(exportRange(new URLSearchParams(), now), { from: '2026-03-01', to: '2026-03-18' })
  assert.throws(() => exportRange(new URLSearchParams('from=2026-03-10&to=2026-03-01'), now), /after/)
  assert.throws(() => exportRange(new URLSearchParams('from=03/01/2026'), now), /YYYY-MM-DD/)
})

test('exports the customer\'s invoices in the range, oldest first', async () => {
  const file = await exportInvoicesCsv(await service(), 'cus_1', { from: '2026-03-01', to: '2026-03-18' }, { currency: 'EUR', maxRows: 100 })
  assert.equal(file.filename, 'invoices-2026-03-01-2026-03-18.csv')
  assert.equal(file.rows, 2)
  assert.deepEqual(file.text.split('\r\n'), [
    'number,order,issued_on,due_on,lines,net,tax,shipping,total,currency',
    'INV-2026-000002,ord_2,2026-03-02,2026-03-02,1,32.75,2.00,0.00,34.75,EUR',
    'INV-2026-000003,ord_3,2026-03-17,2026-03-17,1,8.99,2.00,0.00,10.99,EUR',
    '',
  ])
})

test('refuses ranges over the row limit', async () => {
  await assert.rejects(exportInvoicesCsv(await service(), 'cus_1', { from: '2026-01-01', to: '2026-12-31' }, { currency: 'EUR', maxRows: 2 }), /at most 2/)
})
`,
}

type Edit = { find: string; replace: string } | { append: string }

const EDITS: Record<string, Edit[]> = {
  'src/app.js': [{ find: '    config,\n    products,', replace: '    config,\n    clock,\n    products,' }],
  'src/config.js': [{ find: "    pageSize: int('PAGE_SIZE', 25),", replace: "    pageSize: int('PAGE_SIZE', 25),\n    exportMaxRows: int('EXPORT_MAX_ROWS', 10000)," }],
  'src/http/respond.js': [
    {
      find: 'export function noContent(res) {',
      replace: String.raw`/** A CSV download ('text/csv', attachment with the given file name). */
export function csv(res, filename, text) {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="' + filename.replace(/["\\\r\n]/g, '_') + '"',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}

export function noContent(res) {`,
    },
  ],
  'src/lib/money.js': [
    {
      find: 'export function percentOf(cents, rate) {',
      replace: `/** '123456' → '1234.56': a plain decimal for files (CSV, accounting exports), no grouping, no symbol. */
export function toDecimal(cents) {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return sign + Math.floor(abs / 100) + '.' + String(abs % 100).padStart(2, '0')
}

export function percentOf(cents, rate) {`,
    },
  ],
  'src/invoices/repository.js': [
    {
      find: "    count: async () => (await db.find('invoices')).length,",
      replace: `    /** Issued between 'from' and 'to' (YYYY-MM-DD, inclusive), oldest first. */
    byCustomerBetween: async (customerId, from, to) =>
      (await db.find('invoices', { customerId })).filter((i) => i.issuedOn >= from && i.issuedOn <= to).sort((a, b) => a.number.localeCompare(b.number)),
    count: async () => (await db.find('invoices')).length,`,
    },
  ],
  'src/invoices/service.js': [
    {
      find: '    list: (customerId) => invoices.byCustomer(customerId),',
      replace: '    list: (customerId) => invoices.byCustomer(customerId),\n    listBetween: (customerId, from, to) => invoices.byCustomerBetween(customerId, from, to),',
    },
  ],
  'src/invoices/serializers.js': [
    { find: "import { formatMoney } from '../lib/money.js'", replace: "import { formatMoney, toDecimal } from '../lib/money.js'" },
    {
      find: 'export const serializeSummary',
      replace: `/** CSV columns of the invoice export: plain decimals, one row per invoice. */
export function invoiceCsvColumns(currency = 'EUR') {
  return [
    { header: 'number', value: 'number' },
    { header: 'order', value: 'orderId' },
    { header: 'issued_on', value: 'issuedOn' },
    { header: 'due_on', value: 'dueOn' },
    { header: 'lines', value: (i) => i.lines.length },
    { header: 'net', value: (i) => toDecimal(i.net) },
    { header: 'tax', value: (i) => toDecimal(i.tax) },
    { header: 'shipping', value: (i) => toDecimal(i.shipping) },
    { header: 'total', value: (i) => toDecimal(i.total) },
    { header: 'currency', value: () => currency },
  ]
}

export const serializeSummary`,
    },
  ],
  'src/invoices/routes.js': [
    { find: "import { json } from '../http/respond.js'", replace: "import { csv, json } from '../http/respond.js'" },
    {
      find: "import { serializeInvoice, serializeSummary } from './serializers.js'",
      replace: "import { exportInvoicesCsv, exportRange } from './export.js'\nimport { serializeInvoice, serializeSummary } from './serializers.js'",
    },
    {
      find: 'export function invoiceRoutes(router, { invoices, config }) {',
      replace: `export function invoiceRoutes(router, { invoices, config, clock = () => new Date() }) {
  // before /invoices/:id, which would take "export.csv" for an id
  router.get('/invoices/export.csv', async (req, res, _params, url) => {
    const session = requireSession(req, config.jwtSecret)
    const range = exportRange(url.searchParams, clock())
    const file = await exportInvoicesCsv(invoices, session.customerId, range, { currency: config.currency, maxRows: config.exportMaxRows })
    csv(res, file.filename, file.text)
  })`,
    },
  ],
  'src/reports/monthly.js': [
    { find: "import { monthKey } from '../lib/dates.js'", replace: "import { toCsv } from '../lib/csv.js'\nimport { monthKey } from '../lib/dates.js'\nimport { toDecimal } from '../lib/money.js'" },
    {
      append: `
export function monthlyRevenueCsv(invoices) {
  const money = (key) => (m) => toDecimal(m[key])
  return toCsv(
    [
      { header: 'month', value: 'month' },
      { header: 'invoices', value: 'invoices' },
      { header: 'net', value: money('net') },
      { header: 'tax', value: money('tax') },
      { header: 'total', value: money('total') },
    ],
    monthlyRevenue(invoices),
  )
}
`,
    },
  ],
  'test/unit/lib/money.test.js': [
    { find: "import { allocate, formatMoney, percentOf, toCents } from '../../../src/lib/money.js'", replace: "import { allocate, formatMoney, percentOf, toCents, toDecimal } from '../../../src/lib/money.js'" },
    {
      find: "  test('percentages round half away from zero', () => {",
      replace: `  test('plain decimals for files', () => {
    assert.equal(toDecimal(123456), '1234.56')
    assert.equal(toDecimal(5), '0.05')
    assert.equal(toDecimal(-101), '-1.01')
  })
  test('percentages round half away from zero', () => {`,
    },
  ],
  'test/unit/reports/monthly.test.js': [
    { find: "import { monthlyRevenue } from '../../../src/reports/monthly.js'", replace: "import { monthlyRevenue, monthlyRevenueCsv } from '../../../src/reports/monthly.js'" },
    {
      append: String.raw`
test('as CSV', () => {
  const text = monthlyRevenueCsv([{ issuedOn: '2026-03-02', net: 1000, tax: 200, total: 1200 }])
  assert.equal(text, 'month,invoices,net,tax,total\r\n2026-03,1,10.00,2.00,12.00\r\n')
})
`,
    },
  ],
  'test/integration/invoices.test.js': [
    {
      find: "test('lists invoices with a cursor', async () => {",
      replace: String.raw`test('exports this month\'s invoices as CSV', async () => {
  const order = await paidOrder('cus_3')
  const token = app.tokenFor('cus_3')
  await app.call('POST', '/orders/' + order.id + '/invoice', { token })
  const res = await app.call('GET', '/invoices/export.csv', { token })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^text\/csv/)
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="invoices-2026-03-01-2026-03-10.csv"')
  const lines = res.body.trim().split('\r\n')
  assert.equal(lines.length, 2)
  assert.match(lines[1], /^INV-2026-\d{6},ord_\w+,2026-03-10,2026-04-09,1,79.00,15.80,0.00,94.80,EUR$/)
  assert.equal((await app.call('GET', '/invoices/export.csv?from=2026-03-10&to=2026-03-01', { token })).status, 400)
})

test('lists invoices with a cursor', async () => {`,
    },
  ],
  'docs/api/invoices.md': [
    {
      append: `
## GET /invoices/export.csv
The customer's invoices issued between \`from\` and \`to\` (\`YYYY-MM-DD\`, inclusive; default: the current month up to
today) as an RFC 4180 CSV attachment, oldest first: \`number, order, issued_on, due_on, lines, net, tax, shipping,
total, currency\`. Amounts are plain decimals (\`1234.56\`). At most \`EXPORT_MAX_ROWS\` (default 10000) invoices per
export: a larger range is a 400 asking for a smaller one. Cells that a spreadsheet would evaluate (\`=\`, \`+\`, \`-\`,
\`@\`) are prefixed with \`'\`.
`,
    },
  ],
  'CHANGELOG.md': [
    {
      find: '# Changelog\n',
      replace:
        '# Changelog\n\n## Unreleased\n- Invoices: `GET /invoices/export.csv` exports a date range of invoices as CSV (at most `EXPORT_MAX_ROWS`).\n- Reports: monthly revenue as CSV.\n- Money: `toDecimal` for plain decimal amounts in files.\n',
    },
  ],
}

/** The second commit's files: the added ones, and the edited ones in full. */
function changedFileContents(): Record<string, string> {
  const out: Record<string, string> = { ...ADDED_FILES }
  for (const [file, edits] of Object.entries(EDITS)) {
    let text = BASE_FILES[file]
    if (text === undefined) throw new Error(`sns-fixtures: ${file} is not in the project`)
    for (const e of edits) {
      if ('append' in e) text += e.append
      else {
        if (!text.includes(e.find)) throw new Error(`sns-fixtures: ${file} has no ${JSON.stringify(e.find.slice(0, 60))}`)
        const replacement = e.replace
        text = text.replace(e.find, () => replacement)
      }
    }
    out[file] = text
  }
  return out
}

// ------------------------------------------------------------------ pipeline inputs (cicd.yml, run history)

/** cicd.yml `domains` of this repository. */
const DOMAINS: Record<string, string[]> = {
  invoices: ['src/invoices/**'],
  orders: ['src/orders/**', 'src/catalog/**'],
  customers: ['src/customers/**', 'src/auth/**'],
  payments: ['src/payments/**'],
  reports: ['src/reports/**'],
  platform: ['src/*.js', 'src/http/**', 'src/lib/**', 'src/db/**', 'Dockerfile', 'package*.json'],
  tests: ['test/**'],
  docs: ['**/*.md', 'docs/**'],
}

/** Durations (ms) of the last successful build stages, newest first, as the runs store records them. */
const BUILD_HISTORY_MS = [48213, 51877, 46390, 112604, 49951, 47128, 53302, 50466, 118930, 48807, 46655, 52019, 49274, 47733]
/** Durations (ms) of the last successful test stages, newest first. */
const TEST_HISTORY_MS = [21486, 9842, 23017, 22390, 8711, 24105, 21968, 10233, 22754, 23391, 21102, 9967]

const BUILD_POLICY: BuildPolicy = {
  autoBuild: true,
  cache: true,
  hasDockerfile: true,
  dockerAvailable: true,
  executor: 'auto',
  commands: ['npm ci', 'npm run build'],
  explicit: false,
}

/** cicd.yml deploy.production, through the config schema. */
const PRODUCTION = environmentSchema.parse({ auto_deploy: false, strategy: 'canary' })

/**
 * Ten checks, 30 s apart, of the canary after the deploy (no fixture exists: these are inputs).
 * Each is what a probe computes from one window: the success ratio of the requests, latency
 * quantiles in ms (to 0.1 ms), and CPU and memory as fractions of the container's limits. The
 * ratios are not rounded here: the runtime's `promptValue` shows them to 4 significant digits.
 */
function canaryChecks(): HealthCheck[] {
  // [requests, errors, p95, p99, cpu ns used in the window, rss bytes]; limits: 1 CPU, 512 MiB
  const windows: Array<[number, number, number, number, number, number]> = [
    [1184, 1, 212.4, 371.9, 12_348_211_004, 201_326_592],
    [1236, 0, 208.7, 365.2, 12_901_877_310, 203_423_744],
    [1311, 2, 219.3, 388.6, 13_664_020_118, 205_520_896],
    [1297, 1, 215.8, 379.4, 13_502_555_871, 206_569_472],
    [1402, 3, 231.2, 402.7, 14_887_301_926, 209_715_200],
    [1455, 4, 247.9, 436.1, 15_920_448_013, 213_909_504],
    [1391, 9, 288.6, 494.3, 17_211_908_655, 220_200_960],
    [1288, 21, 331.5, 587.8, 19_804_117_402, 229_638_144],
    [1120, 26, 356.2, 641.4, 21_377_590_236, 236_978_176],
    [1174, 31, 372.8, 688.9, 22_416_003_781, 243_269_632],
  ]
  const start = Date.parse('2026-03-10T14:02:00.000Z')
  const jitterMs = [412, 388, 401, 395, 420, 397, 409, 386, 414, 402]
  return windows.map(([requests, errors, p95, p99, cpuNs, rss], i) => ({
    at: new Date(start + i * 30_000 + (jitterMs[i] ?? 0)).toISOString(),
    up: true,
    successRate: (requests - errors) / requests,
    p95Ms: p95,
    p99Ms: p99,
    cpu: cpuNs / 30e9,
    memory: rss / (512 * 1024 * 1024),
  }))
}

// ------------------------------------------------------------------ what the runtime sends

/** One agent context exactly as the runtime would send it, plus the same prompt in minified JSON. */
export interface AgentContextSample {
  agent: 'BuildAgent' | 'TestAgent' | 'DeployAgent' | 'MonitorAgent' | 'HealerAgent'
  /** Row label (the Healer has one sample per log). */
  name: string
  /** The FACTS value the prompt carries (`promptParts`: `spec.facts(f, baseline)` as JSON, numbers readable). */
  facts: JsonValue
  /** The BASELINE value the prompt carries. */
  baseline: JsonValue
  /** The baseline decision itself as a prompt value: what BASELINE would carry without `baselineForPrompt`. */
  decision: JsonValue
  /** The fenced untrusted block exactly as it appears in the prompt, or null. */
  untrusted: string | null
  /** `renderPrompt(spec, facts, baseline)`: what the model gets (sns, or JSON when that is smaller). */
  rendered: RenderedPrompt
  /** The same prompt in minified JSON (`renderPromptAs(…, 'json')`: no legend). */
  renderedJson: RenderedPrompt
}

async function sample<F, D>(agent: AgentContextSample['agent'], name: string, spec: PromptSpec<F, D>, f: F, baseline: D): Promise<AgentContextSample> {
  const rendered = await renderPrompt(spec, f, baseline)
  const parts = promptParts(spec, f, baseline)
  const head = `FACTS ${rendered.factsText}\nBASELINE ${rendered.baselineText}`
  if (!rendered.prompt.startsWith(head)) throw new Error(`sns-fixtures: ${name}: the prompt does not start with FACTS and BASELINE`)
  const tail = rendered.prompt.slice(head.length)
  return {
    agent,
    name,
    facts: parts.facts,
    baseline: parts.baseline,
    decision: promptValue(baseline),
    untrusted: tail === '' ? null : tail.replace(/^\n/, ''),
    rendered,
    renderedJson: renderPromptAs(spec, f, baseline, 'json'),
  }
}

// ------------------------------------------------------------------ healer logs

interface ManifestEntry {
  id: string
  file: string
  category: string
  workflow_name: string
  job_name: string
  failed_step?: string
  changed_files?: string[]
}

const here = path.dirname(fileURLToPath(import.meta.url))
const HEALER_CATEGORIES = ['rust', 'frontend', 'infra', 'github', 'unknown'] as const

function healerCorpus(): { dir: string; note: string } {
  const dev = path.join(here, '..', 'test', 'fixtures', 'ci-failures')
  if (existsSync(path.join(dev, 'manifest.json'))) return { dir: dev, note: 'test/fixtures/ci-failures' }
  return { dir: '/work/shared/data/ci-failures', note: '/work/shared/data/ci-failures (test/fixtures/ci-failures is missing)' }
}

// ------------------------------------------------------------------ building everything

export interface RealContexts {
  samples: AgentContextSample[]
  /** What was built, one line each (printed by the bench). */
  setup: string[]
}

function runSelectedTests(dir: string, files: string[]): JUnitSummary {
  const command = `${PACKAGE_JSON.scripts.test} ${files.join(' ')}`
  const res = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const report = path.join(dir, 'reports', 'junit.xml')
  if (!existsSync(report)) throw new Error(`sns-fixtures: the test run wrote no JUnit report (exit ${res.status}): ${res.stderr.slice(-2000)}`)
  return parseJUnit(readFileSync(report, 'utf8'))
}

export async function realAgentContexts(): Promise<RealContexts> {
  const samples: AgentContextSample[] = []
  const setup: string[] = []
  const repo = new TempRepo('sns-bench-')
  try {
    // ---- the repository: two commits
    const before = repo.commit(BASE_FILES, 'storefront-api 3.14.0')
    const head = repo.commit(changedFileContents(), COMMIT_MESSAGE)
    const changes = await changedFiles(repo.dir, head, before)
    const sources = Object.keys(BASE_FILES).filter((f) => f.startsWith('src/')).length + Object.keys(ADDED_FILES).filter((f) => f.startsWith('src/')).length
    const tests = Object.keys({ ...BASE_FILES, ...ADDED_FILES }).filter((f) => f.endsWith('.test.js')).length
    setup.push(
      `repo: ${Object.keys(BASE_FILES).length + Object.keys(ADDED_FILES).length} files (${sources} under src/, ${tests} test files); the second commit changes ${changes.files.length} files, +${changes.additions}/-${changes.deletions}`,
    )

    // ---- BuildAgent (as shared/pipeline/build-stage.ts calls decideBuild)
    const dockerfileText = readFileSync(path.join(repo.dir, 'Dockerfile'), 'utf8')
    const buildFacts = analyseBuild({ changed: changes.files.map((f) => f.path), dockerfile: 'Dockerfile', dockerfileText, domains: DOMAINS, historyMs: BUILD_HISTORY_MS })
    const buildBaseline = buildDecisionSchema.parse(baselineBuild(buildFacts, BUILD_POLICY))
    samples.push(await sample('BuildAgent', 'BuildAgent', buildAgentSpec, { facts: buildFacts, policy: BUILD_POLICY, message: COMMIT_MESSAGE }, buildBaseline))
    setup.push(`build: ${buildBaseline.mode}, ${buildBaseline.strategy}, scope ${buildBaseline.scope.join(',')}, estimate ${buildBaseline.estimatedDurationMs} ms`)

    // ---- TestAgent (as shared/pipeline/test-stage.ts calls decideTests)
    const changed = changes.files.flatMap((f) => (f.from ? [f.path, f.from] : [f.path]))
    const testInput: TestAgentInput = { rootDir: repo.dir, changedFiles: changed, select: 'affected', testGlobs: [], selectAllOn: [], historyMs: TEST_HISTORY_MS, cores: BENCH_CORES }
    const { baseline: testBaseline, facts: testFacts } = await testAgentContext(testInput)
    samples.push(await sample('TestAgent', 'TestAgent', testAgentSpec, testFacts, testBaseline))
    setup.push(`test: mode ${testBaseline.mode}, ${testBaseline.selected.length} selected, ${testBaseline.skipped.length} skipped, parallelism ${testBaseline.parallelism}`)

    // ---- the test stage runs the selected files; its JUnit totals feed the DeployAgent
    const junit = runSelectedTests(
      repo.dir,
      testBaseline.mode === 'all' ? [] : testBaseline.selected.map((s) => s.file),
    )
    const totals = { total: junit.total, passed: junit.passed, failed: junit.failed, errors: junit.errors, skipped: junit.skipped }
    setup.push(`junit (node --test on the selected files): ${totals.total} cases, ${totals.passed} passed, ${totals.failed} failed, ${totals.errors} errors, ${totals.skipped} skipped`)

    // ---- DeployAgent (facts as shared/pipeline/deploy-stage.ts builds them: the environment's
    // auto_deploy/strategy/require_approval and the test stage's {total, failed, errors})
    const deployFacts: DeployFacts = {
      environment: 'production',
      configured: { auto_deploy: PRODUCTION.auto_deploy, strategy: PRODUCTION.strategy, ...(PRODUCTION.require_approval !== undefined ? { require_approval: PRODUCTION.require_approval } : {}) },
      tests: { total: totals.total, failed: totals.failed, errors: totals.errors },
      change: { files: changes.files.length, additions: changes.additions, deletions: changes.deletions },
      currentHealthy: true,
      recentRollbacks: 0,
      message: COMMIT_MESSAGE,
    }
    const deployBaseline = deployDecisionSchema.parse(baselineDeploy(deployFacts))
    samples.push(await sample('DeployAgent', 'DeployAgent', deployAgentSpec, deployFacts, deployBaseline))
    setup.push(`deploy: ${deployBaseline.deploy ? 'deploy' : 'hold'}, ${deployBaseline.strategy}, risk ${deployBaseline.risk}`)

    // ---- MonitorAgent
    const monitorFacts: MonitorFacts = { thresholds: thresholdsSchema.parse({ maxP95Ms: 300 }), checks: canaryChecks() }
    const monitorBaseline = monitorResultSchema.parse(baselineMonitor(monitorFacts))
    samples.push(await sample('MonitorAgent', 'MonitorAgent', monitorAgentSpec, monitorFacts, monitorBaseline))
    setup.push(`monitor: ${monitorFacts.checks.length} checks → ${monitorBaseline.status}, ${monitorBaseline.action}`)

    // ---- HealerAgent: the first log of each category (facts as shared/healer/intake.ts passes them)
    const corpus = healerCorpus()
    const manifest = JSON.parse(readFileSync(path.join(corpus.dir, 'manifest.json'), 'utf8')) as ManifestEntry[]
    const picked: string[] = []
    for (const category of HEALER_CATEGORIES) {
      const entry = manifest.find((e) => e.category === category)
      if (!entry) continue
      const facts: HealerFacts = {
        log: readFileSync(path.join(corpus.dir, entry.file), 'utf8'),
        workflow: entry.workflow_name,
        job: entry.job_name,
        ...(entry.failed_step ? { step: entry.failed_step } : {}),
      }
      const baseline = healerDecisionSchema.parse(classifyFailure(facts))
      samples.push(await sample('HealerAgent', `${entry.id} (${category})`, healerAgentSpec, facts, baseline))
      picked.push(`${entry.id} ${category}→${baseline.category}/${baseline.failureType}`)
    }
    setup.push(`healer: ${corpus.note}: ${picked.join(', ')}`)
  } finally {
    repo.remove()
  }
  setup.push(`cores: ${BENCH_CORES} given to the TestAgent (its parallelism), whatever this host has (${os.availableParallelism()}), so the counts do not depend on the machine`)
  return { samples, setup }
}
