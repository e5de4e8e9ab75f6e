#!/usr/bin/env node
// `npm start`: the server with the Motia Workbench on embedded defaults.
// Starts Debian's Redis on a private port (and a Docker engine when it can), prepares the demo
// repository, checks config/cicd.yml, then runs Motia. Set REDIS_URL to use your own Redis.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
const stateDir = path.resolve(process.env.CICD_STATE_DIR ?? '.cicd')
const servicesDir = path.join(stateDir, 'services')
const port = Number(process.env.PORT ?? 3000)
// The Workbench's hot-reload socket listens on 21678 + port (Motia's rule).
if (!Number.isInteger(port) || port < 1 || port > 65535 - 21678) {
  console.error(`[cicd] PORT=${process.env.PORT} is not usable: it must be 1..${65535 - 21678} (the Workbench also listens on 21678 + PORT)`)
  process.exit(1)
}
const env = { ...process.env, MOTIA_ANALYTICS_DISABLED: 'true' }
const say = (msg) => console.log(`[cicd] ${msg}`)
const fail = (msg) => {
  console.error(`[cicd] ${msg}`)
  process.exit(1)
}

// 1. Config first: an invalid file stops start-up with the file, the path and what is allowed.
const { loadConfig } = await import('../shared/config/load.ts')
const { ensureDemoRepo } = await import('../shared/demo/demo-repo.ts')
await ensureDemoRepo(root, stateDir)
let loaded
try {
  loaded = loadConfig(env)
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
}
say(`config ${path.relative(root, loaded.file)}: ${loaded.config.repositories.map((r) => r.name).join(', ') || 'no repositories'}`)

// 2. Redis (and a Docker engine) on private ports and sockets; or the shared Redis that
// REDIS_URL, else cicd.yml's defaults.redis_url, names (Redis-backed mode).
if (!env.REDIS_URL && loaded.config.defaults.redis_url) env.REDIS_URL = loaded.config.defaults.redis_url
let startedServices = false
if (!env.REDIS_URL) {
  const redisPort = env.CICD_REDIS_PORT ?? '6390'
  const r = spawnSync('bash', [path.join(root, 'scripts/services.sh'), 'up', servicesDir, redisPort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env })
  if (r.status !== 0) fail('could not start Redis (see the messages above)')
  startedServices = true
  for (const line of r.stdout.split('\n')) {
    const m = /^(REDIS_URL|DOCKER_HOST)=(.+)$/.exec(line.trim())
    if (m && !(m[1] === 'DOCKER_HOST' && env.DOCKER_HOST)) env[m[1]] = m[2]
  }
}
const { redisConnectionFromUrl, redisWhere } = await import('../shared/redis/client.ts')
const { Redis } = await import('ioredis')
const probe = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null })
probe.on('error', () => {})
try {
  await probe.connect()
  await probe.ping()
  probe.disconnect()
} catch (err) {
  fail(`Redis does not answer at ${redisWhere(env.REDIS_URL)} (${err.message}). Motia needs Redis: unset REDIS_URL to let npm start run one, or fix the URL.`)
}
const { host, port: rport, db } = redisConnectionFromUrl(env.REDIS_URL)
// Redis-backed mode: every instance given this REDIS_URL shares runs, queues, cron and streams.
say(`redis ${host}:${rport}${db ? `/${db}` : ''}${startedServices ? ' (embedded)' : ' (shared: instances on the same REDIS_URL share state, queues, cron and streams)'}`)
const lockSeconds = env.CICD_QUEUE_LOCK_SECONDS
if (lockSeconds && !(Number.isInteger(Number(lockSeconds)) && Number(lockSeconds) >= 5 && Number(lockSeconds) <= 3600))
  fail(`CICD_QUEUE_LOCK_SECONDS=${lockSeconds} is not usable: it must be a whole number of seconds, 5..3600 (or unset: each step's visibilityTimeout)`)

// 3. Docker: the demo's Dockerfile builds FROM ci/busybox:latest, made offline.
try {
  const { dockerFromEnv, pingDocker } = await import('../shared/executors/docker/client.ts')
  const docker = dockerFromEnv(env)
  const ping = await pingDocker(docker, 2000)
  if (ping.ok) {
    const { ensureBusyboxImage } = await import('../shared/executors/docker/base-image.ts')
    await ensureBusyboxImage(docker)
    say(`docker engine ${env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}`)
  } else say(`no Docker engine (${ping.reason}): builds run the configured commands locally`)
} catch (err) {
  say(`docker: ${err.message}; builds run the configured commands locally`)
}

// 3b. Entrypoints: the edge proxy (haproxy) and the deployed containers outlive the server; after
// a reboot the proxy is started again from the environments stored in Redis.
env.CICD_EDGE_DIR ??= path.join(stateDir, 'edge')
try {
  const { HaproxyEdge } = await import('../shared/deploy/edge/haproxy-edge.ts')
  const { EnvironmentStore } = await import('../shared/deploy/environment-store.ts')
  const { restoreEdge } = await import('../shared/deploy/restore.ts')
  const { dockerFromEnv } = await import('../shared/executors/docker/client.ts')
  const r = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 })
  r.on('error', () => {})
  const out = await restoreEdge({ docker: dockerFromEnv(env), edge: new HaproxyEdge(env.CICD_EDGE_DIR), store: new EnvironmentStore(r) })
  r.disconnect()
  if (out.routes) say(`entrypoints: ${out.routes} environment(s) served by haproxy (${path.relative(root, env.CICD_EDGE_DIR) || env.CICD_EDGE_DIR})`)
} catch (err) {
  say(`entrypoints: ${err.message}`)
}

// 4. The LLM: agents ask it when it answers, and use their baselines otherwise.
{
  const { probeModelEndpoint } = await import('../agents/runtime/openai-compatible-client.ts')
  const llm = loaded.config.defaults.llm
  const url = env.OLLAMA_BASE_URL || llm.base_url
  if (llm.enabled === 'off') say('LLM: off (defaults.llm.enabled): agents use their baseline decisions')
  else {
    const p = await probeModelEndpoint(url, 1500)
    say(p.ok ? `LLM: ${url} answers (model ${llm.model}); agents may refine their decisions` : `LLM: ${p.reason}; agents use their baseline decisions (probed again for every stage)`)
  }
}

// 5. A token for the API (manual events), kept in a file that only root can read; never printed.
if (!env.CICD_API_TOKEN) {
  const tokenFile = path.join(stateDir, 'api-token')
  if (!existsSync(tokenFile)) {
    mkdirSync(stateDir, { recursive: true })
    writeFileSync(tokenFile, randomBytes(24).toString('hex') + '\n')
    chmodSync(tokenFile, 0o600)
  }
  env.CICD_API_TOKEN = readFileSync(tokenFile, 'utf8').trim()
  say(`API token: in ${path.relative(root, tokenFile)} (Authorization: Bearer $(cat ${path.relative(root, tokenFile)}))`)
}
if (!env.GITHUB_WEBHOOK_SECRET) say(env.CICD_INSECURE_WEBHOOKS === '1' ? 'WARNING: accepting unsigned webhooks (CICD_INSECURE_WEBHOOKS=1)' : 'GITHUB_WEBHOOK_SECRET is not set: GitHub webhooks are refused until it is')

// 6. Motia.
const motiaBin = path.join(root, 'node_modules/.bin/motia')
const mode = process.env.CICD_MOTIA_MODE === 'dev' ? 'dev' : 'start'
say(`starting Motia (${mode}) on http://localhost:${port}/ — open it for the Workbench; API under /api/cicd, health at /health`)
const child = spawn(motiaBin, [mode, '-p', String(port), '-H', process.env.HOST ?? '0.0.0.0', ...(process.env.CICD_VERBOSE ? [] : ['-v'])], { stdio: 'inherit', env })
const stop = (sig) => child.kill(sig)
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
child.on('exit', (code, signal) => {
  if (startedServices && process.env.CICD_KEEP_SERVICES !== '1') spawnSync('bash', [path.join(root, 'scripts/services.sh'), 'down', servicesDir], { stdio: 'inherit' })
  if (code && code !== 0) console.error(`[cicd] Motia exited with code ${code}${code === 1 ? ' (is Redis reachable? is the port free?)' : ''}`)
  process.exit(code ?? (signal ? 0 : 1))
})
