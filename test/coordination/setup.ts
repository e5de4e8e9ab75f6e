import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { parseConfig } from '../../shared/config/load'
import type { CicdConfig } from '../../shared/config/schema'
import { Coordinator, type CoordinatorTimings } from '../../shared/coordination/coordinator'
import { CoordinationKeys } from '../../shared/coordination/keys'
import { Publisher } from '../../shared/coordination/publisher'
import { CiWatcher } from '../../shared/coordination/watcher'
import { testRedisUrl } from '../helpers/services'

/** cicd.yml for the coordination suites: `extra` is appended under `coordination:` (top level). */
export function testConfig(extra = ''): CicdConfig {
  return parseConfig(testConfigText(extra), '/tmp/cicd.yml')
}

export function testConfigText(extra = ''): string {
  return `repositories:
  - name: webapp
    path: /tmp
    github: acme/webapp
    coordination: { commands: [rerun, label, notify], merge: true, required_checks: [build, unit] }
  - name: locked
    path: /tmp
    github: acme/locked
    coordination: { commands: [notify] }
  - name: local-only
    path: /tmp
    coordination: { commands: [label] }
coordination:
${extra || '  notify: {}'}
`
}

/** A private namespace per suite: pub/sub channels are shared by every database of a Redis. */
export function testKeys(name: string): CoordinationKeys {
  return new CoordinationKeys(`t-${name}-${process.pid}-${Date.now().toString(36)}:`)
}

export function testRedis(db: number): Redis {
  return new Redis(testRedisUrl(db), { maxRetriesPerRequest: 1 })
}

export function octokitFor(url: string): Octokit {
  return new Octokit({ baseUrl: url, auth: 'test-token-not-secret', request: { retries: 0 } })
}

export function publisherFor(redis: Redis, keys: CoordinationKeys, config: CicdConfig, source = 'test'): Publisher {
  return new Publisher({ redis, keys, config: () => config, source, instance: `test:${process.pid}` })
}

export function coordinatorFor(redis: Redis, keys: CoordinationKeys, config: CicdConfig, githubUrl: string, o: { consumer?: string; notifyUrl?: string; timings?: Partial<CoordinatorTimings> } = {}): Coordinator {
  return new Coordinator(
    { redis, keys, config: () => config, source: 'ci_coordinator', instance: `test:${process.pid}`, github: octokitFor(githubUrl), notifyUrl: () => o.notifyUrl, consumer: o.consumer ?? 'c1' },
    o.timings,
  )
}

export function watcherFor(redis: Redis, keys: CoordinationKeys, config: CicdConfig, githubUrl: string): CiWatcher {
  return new CiWatcher({ redis, keys, config: () => config, source: 'ci_watcher', instance: `test:${process.pid}`, github: octokitFor(githubUrl) })
}

/** A Slack-compatible incoming webhook on loopback: records `{text}` bodies; answers `failures` 500s first. */
export class FakeSlack {
  readonly messages: string[] = []
  failures = 0
  private server: Server | undefined
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString()))
      req.on('end', () => {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') {
          res.statusCode = 400
          return res.end('invalid_payload')
        }
        if (this.failures > 0) {
          this.failures--
          res.statusCode = 500
          return res.end('server_error')
        }
        this.messages.push((JSON.parse(raw) as { text: string }).text)
        res.setHeader('content-type', 'text/plain')
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/services/T000/B000/XXXXSECRETXXXX`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
