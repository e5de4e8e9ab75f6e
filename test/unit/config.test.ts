import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDurationMs } from '../../shared/config/duration'
import { ConfigError, formatPath } from '../../shared/config/errors'
import { configJsonSchema } from '../../shared/config/json-schema'
import { configFilePath, findRepository, loadConfig, loadConfigFile, parseConfig } from '../../shared/config/load'
import type { CicdConfig } from '../../shared/config/schema'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const REPO_CONFIG = path.join(ROOT, 'config/cicd.yml')
const FILE = '/etc/cicd/pipelines.yml'

/** Parses and expects a ConfigError; returns it. */
function configError(text: string, file = FILE): ConfigError {
  try {
    parseConfig(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error('expected parseConfig to throw a ConfigError')
}

/** One repository with a local path plus the given extra YAML lines (indented by 4). */
function oneRepo(extra = ''): string {
  return `version: 1\nrepositories:\n  - name: app\n    path: ./app\n${extra}`
}

function problemPaths(err: ConfigError): string[] {
  return err.problems.map((p) => p.path)
}

describe('config/cicd.yml in the repository', () => {
  it('parses with the documented settings and defaults', () => {
    const { file, config } = loadConfigFile(REPO_CONFIG)
    expect(file).toBe(REPO_CONFIG)
    expect(config.version).toBe(1)
    expect(config.defaults).toEqual({ executor: 'auto', workspace_root: '.cicd/workspaces', log_tail_bytes: 65_536, run_retention: 7_776_000_000, llm: { enabled: 'auto', base_url: 'http://localhost:11434/v1', model: 'qwen2.5:7b-instruct', models: {}, timeout: 20_000, concurrency: 2, transport_retries: 1 } })
    expect(config.repositories).toHaveLength(1)
    const demo = config.repositories[0]
    expect(demo?.name).toBe('demo')
    // relative to config/, so ../.cicd/demo-repo is under the repository root
    expect(demo?.path).toBe(path.join(ROOT, '.cicd/demo-repo'))
    expect(demo?.github).toBe('example/demo')
    expect(demo?.build.timeout).toBe(600_000)
    expect(demo?.test.timeout).toBe(900_000)
    expect(demo?.test.select).toBe('affected')
    expect(demo?.test.report).toEqual({ format: 'junit', paths: ['reports/*.xml'] })
    expect(demo?.deploy.production).toMatchObject({ auto_deploy: false, strategy: 'blue-green' })
    expect(demo?.domains).toEqual({ core: ['src/**'], tests: ['test/**'], docs: ['**/*.md'] })
    // seed 001's open questions, answered in config/cicd.yml
    expect(config.healer).toEqual({ branch_window: 600_000, active_ttl: 3_600_000, intake_retention: 604_800_000, process_bots: false, retry_limit: 2, human_label: 'needs-human', allowed_associations: ['OWNER', 'MEMBER', 'COLLABORATOR'], fix_branch: 'new', sinks: [], models: {} })
  })

  it('is found through CICD_CONFIG and the default path', () => {
    expect(configFilePath({}, ROOT)).toBe(REPO_CONFIG)
    expect(configFilePath({ CICD_CONFIG: 'other/x.yml' }, '/srv')).toBe('/srv/other/x.yml')
    expect(configFilePath({ CICD_CONFIG: '/abs/c.yml' }, '/srv')).toBe('/abs/c.yml')
    expect(configFilePath({ CICD_CONFIG: '' }, ROOT)).toBe(REPO_CONFIG)
  })
})

describe('parseConfig: defaults', () => {
  it('an empty document is a valid config with no repositories', () => {
    const cfg = parseConfig('', FILE)
    expect(cfg.coordination).toMatchObject({ watcher: { enabled: false }, coordinator: { max_attempts: 3 } })
    const { coordination: _c, ...rest } = cfg
    expect(rest).toEqual({
      version: 1,
      defaults: { executor: 'auto', workspace_root: '.cicd/workspaces', log_tail_bytes: 65_536, run_retention: 7_776_000_000, llm: { enabled: 'auto', base_url: 'http://localhost:11434/v1', model: 'qwen2.5:7b-instruct', models: {}, timeout: 20_000, concurrency: 2, transport_retries: 1 } },
      repositories: [],
      healer: { branch_window: 600_000, active_ttl: 3_600_000, intake_retention: 604_800_000, process_bots: false, retry_limit: 2, human_label: 'needs-human', allowed_associations: ['OWNER', 'MEMBER', 'COLLABORATOR'], fix_branch: 'new', sinks: [], models: {} },
    })
    expect(parseConfig('# only a comment\n', FILE).repositories).toEqual([])
  })

  it('fills every repository default', () => {
    const repo = parseConfig(oneRepo(), FILE).repositories[0]
    // timeouts are checked on their own below
    expect(repo).toMatchObject({
      name: 'app',
      path: '/etc/cicd/app',
      branches: ['main'],
      build: { auto_build: true, dockerfile: 'Dockerfile', context: '.', commands: [], cache: true, build_args: {} },
      test: {
        auto_test: true,
        commands: [],
        select: 'all',
        test_globs: [],
        select_all_on: [],
        report: { format: 'junit', paths: [] },
      },
      deploy: expect.objectContaining({
        staging: expect.objectContaining({ auto_deploy: true, strategy: 'immediate', replicas: 1, canary_steps: [10, 25, 50, 100] }),
        production: expect.objectContaining({ auto_deploy: false, strategy: 'blue-green', bind: '127.0.0.1' }),
        app: expect.objectContaining({ container_port: 8080, health_path: '/health', memory: '256m' }),
      }),
      domains: {},
    })
    expect(Object.keys(repo ?? {}).sort()).toEqual(['branches', 'build', 'coordination', 'deploy', 'domains', 'name', 'path', 'test'])
  })

  it('default timeouts are in milliseconds like written ones (build 600 s, test 900 s)', () => {
    // Regression guard: with `durationSchema.default(600)` zod 4 skipped the transform and an
    // omitted timeout became 600 ms; `.prefault(600)` runs it through the duration parser.
    const repo = parseConfig(oneRepo(), FILE).repositories[0]
    expect(repo?.build.timeout).toBe(600_000)
    expect(repo?.test.timeout).toBe(900_000)
  })
})

describe('parseConfig: errors', () => {
  it('an unknown deploy strategy names the file, the path and the allowed values', () => {
    const err = configError(oneRepo('    deploy:\n      production:\n        strategy: bluegreen\n'))
    expect(err.name).toBe('ConfigError')
    expect(err).toBeInstanceOf(Error)
    expect(err.file).toBe(FILE)
    expect(err.message).toContain(FILE)
    expect(err.message).toContain('repositories[0].deploy.production.strategy')
    for (const v of ['immediate', 'blue-green', 'canary', 'rolling']) expect(err.message).toContain(v)
    expect(err.problems).toEqual([
      { path: 'repositories[0].deploy.production.strategy', message: 'must be one of "immediate", "blue-green", "canary", "rolling"' },
    ])
    expect(err.message.split('\n')[0]).toBe(`${FILE}: invalid configuration`)
    expect(err.message).toContain('  - repositories[0].deploy.production.strategy: must be one of')
  })

  it('defaults.redis_url: a redis URL for Redis-backed mode, never with a password', () => {
    expect(parseConfig('defaults:\n  redis_url: redis://redis:6379/2\n', FILE).defaults.redis_url).toBe('redis://redis:6379/2')
    expect(parseConfig('', FILE).defaults.redis_url).toBeUndefined()
    expect(configError('defaults:\n  redis_url: http://redis:6379\n').problems).toEqual([{ path: 'defaults.redis_url', message: 'a redis:// or rediss:// URL, e.g. redis://redis:6379/0' }])
    const secret = configError('defaults:\n  redis_url: redis://:hunter2@redis:6379\n')
    expect(secret.problems).toEqual([{ path: 'defaults.redis_url', message: 'no password in cicd.yml: give the whole URL in REDIS_URL instead' }])
    expect(secret.message).not.toContain('hunter2')
  })

  it('other enums list their allowed values too', () => {
    const err = configError('defaults:\n  executor: kubernetes\n')
    expect(err.problems).toEqual([{ path: 'defaults.executor', message: 'must be one of "auto", "local", "docker"' }])
    const sel = configError(oneRepo('    test:\n      select: some\n'))
    expect(sel.problems[0]?.path).toBe('repositories[0].test.select')
    expect(sel.problems[0]?.message).toContain('"affected"')
  })

  it('unknown keys are named with their full path, at every level', () => {
    const err = configError(`${oneRepo('    bulid: {}\n    build:\n      timout: 3\n    deploy:\n      prod: {}\n')}foo: 1\n`)
    expect(problemPaths(err).sort()).toEqual(['foo', 'repositories[0].build.timout', 'repositories[0].bulid', 'repositories[0].deploy.prod'])
    for (const p of err.problems) expect(p.message).toMatch(/not a known setting/)
    expect(err.message).toContain('repositories[0].bulid: is not a known setting')
  })

  it('a repository needs exactly one of path and url', () => {
    const both = configError('repositories:\n  - name: a\n    path: ./a\n    url: https://example.com/a.git\n')
    expect(both.problems).toHaveLength(1)
    expect(both.problems[0]?.path).toBe('repositories[0].path')
    expect(both.problems[0]?.message).toMatch(/exactly one of "path".*or "url"/)

    const neither = configError('repositories:\n  - name: a\n  - name: b\n    url: https://example.com/b.git\n  - name: c\n')
    expect(problemPaths(neither)).toEqual(['repositories[0].path', 'repositories[2].path'])

    const urlOnly = parseConfig('repositories:\n  - name: a\n    url: https://example.com/a.git\n', FILE)
    expect(urlOnly.repositories[0]?.url).toBe('https://example.com/a.git')
    expect(urlOnly.repositories[0]?.path).toBeUndefined()
  })

  it('duplicate repository names point at the second one and mention the first', () => {
    const err = configError('repositories:\n  - name: a\n    path: ./a\n  - name: b\n    path: ./b\n  - name: a\n    url: git@example.com:a.git\n')
    expect(err.problems).toEqual([{ path: 'repositories[2].name', message: 'duplicate name "a" (also repositories[0])' }])
  })

  it('repository names and github owner/name are validated', () => {
    const err = configError('repositories:\n  - name: My App\n    path: x\n    github: just-a-name\n')
    expect(problemPaths(err)).toEqual(['repositories[0].name', 'repositories[0].github'])
    expect(err.problems[0]?.message).toMatch(/lowercase letters/)
    expect(err.problems[1]?.message).toBe('owner/name')
  })

  it('a missing required setting says it is missing', () => {
    const err = configError('repositories:\n  - path: ./x\n')
    expect(err.problems).toEqual([{ path: 'repositories[0].name', message: 'expected string (it is missing)' }])
  })

  it('a value of the wrong type says what it got, not that it is missing', () => {
    // BUG (shared/config/errors.ts:31 with shared/config/load.ts:32): zod 4 only puts `input`
    // on an issue when parsing with `{ reportInput: true }`, which parseConfig does not pass,
    // so every wrong-typed value is reported as "(it is missing)".
    const err = configError('repositories: foo\n')
    expect(err.problems).toEqual([{ path: 'repositories', message: 'expected array, got the string "foo"' }])
    const branches = configError(oneRepo('    branches: main\n'))
    expect(branches.problems).toEqual([{ path: 'repositories[0].branches', message: 'expected array, got the string "main"' }])
  })

  it('the version must be 1', () => {
    const err = configError('version: 2\n')
    expect(err.problems).toEqual([{ path: 'version', message: 'must be one of 1' }])
  })

  it('a YAML syntax error reports line and column and the file', () => {
    const err = configError('version: 1\nrepositories:\n  - name: a\n    path: x\n   bad: [\n')
    expect(err.file).toBe(FILE)
    expect(err.message.startsWith(`${FILE}: invalid configuration`)).toBe(true)
    expect(err.problems.length).toBeGreaterThan(0)
    expect(err.problems[0]?.path).toMatch(/^line \d+, column \d+$/)
    expect(err.problems[0]?.path).toBe('line 5, column 1')
    // one line per problem: the pretty-printed source excerpt is not included
    for (const p of err.problems) expect(p.message).not.toContain('\n')
  })

  it('a YAML error on a later line points there', () => {
    const err = configError('version: 1\ndefaults:\n  executor: a: b\nrepositories: []\n')
    expect(err.problems[0]?.path).toBe('line 3, column 13')
  })

  it('duplicate YAML keys are an error', () => {
    const err = configError('version: 1\nversion: 1\n')
    expect(err.problems[0]?.path).toBe('line 2, column 1')
    expect(err.problems[0]?.message).toMatch(/unique/i)
  })

  it('a document that is not a mapping is reported at the root', () => {
    const err = configError('- a\n- b\n')
    expect(err.problems[0]?.path).toBe('(root)')
  })
})

describe('durations', () => {
  const timeoutOf = (value: string): number => parseConfig(oneRepo(`    build:\n      timeout: ${value}\n`), FILE).repositories[0]?.build.timeout ?? -1

  it.each([
    ['90', 90_000],
    ['"90"', 90_000],
    ['"90s"', 90_000],
    ['"10m"', 600_000],
    ['"1h"', 3_600_000],
    ['"500ms"', 500],
    ['"1.5m"', 90_000],
    ['" 45s "', 45_000],
    ['2.5', 2_500],
  ])('build.timeout %s is %d ms', (yamlValue, ms) => {
    expect(timeoutOf(yamlValue)).toBe(ms)
  })

  it.each(['0', '-5', '"0s"', '"10 minutes"', '"1d"', '"abc"', '""', 'true', '"-1m"', '"10mm"'])('build.timeout %s is rejected at its path', (yamlValue) => {
    const err = configError(oneRepo(`    build:\n      timeout: ${yamlValue}\n`))
    expect(problemPaths(err)).toEqual(['repositories[0].build.timeout'])
  })

  it('bad duration strings explain the format', () => {
    const err = configError(oneRepo('    test:\n      timeout: "10 minutes"\n'))
    expect(err.problems[0]?.path).toBe('repositories[0].test.timeout')
    expect(err.problems[0]?.message).toMatch(/"90s", "10m" or "1h"/)
  })

  it('parseDurationMs: bare numbers are seconds; units ms, s, m, h', () => {
    expect(parseDurationMs(90)).toBe(90_000)
    expect(parseDurationMs('90')).toBe(90_000)
    expect(parseDurationMs('90s')).toBe(90_000)
    expect(parseDurationMs('10m')).toBe(600_000)
    expect(parseDurationMs('1h')).toBe(3_600_000)
    expect(parseDurationMs('250ms')).toBe(250)
    expect(parseDurationMs('0.5s')).toBe(500)
  })

  it('parseDurationMs: null for anything that is not a positive duration', () => {
    for (const bad of ['', 'abc', '1d', '10 minutes', '-1', '-1s', '0', '0s', 's', '1.s', '1e3']) expect(parseDurationMs(bad)).toBeNull()
    expect(parseDurationMs(0)).toBeNull()
    expect(parseDurationMs(-3)).toBeNull()
    expect(parseDurationMs(Number.NaN)).toBeNull()
    expect(parseDurationMs(Number.POSITIVE_INFINITY)).toBeNull()
  })
})

describe('repository paths', () => {
  it('relative paths are resolved against the config file folder, absolute ones kept', () => {
    const cfg = parseConfig(
      'repositories:\n  - name: a\n    path: ./a\n  - name: b\n    path: ../../srv/b\n  - name: c\n    path: /opt/c\n  - name: d\n    path: d/e\n  - name: u\n    url: ../not-a-path.git\n',
      '/home/ci/conf/cicd.yml',
    )
    expect(cfg.repositories.map((r) => r.path)).toEqual(['/home/ci/conf/a', '/home/srv/b', '/opt/c', '/home/ci/conf/d/e', undefined])
    expect(cfg.repositories[4]?.url).toBe('../not-a-path.git')
  })
})

describe('loadConfigFile / loadConfig', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cicd-config-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads a file and resolves paths against its folder', () => {
    const file = path.join(dir, 'c1.yml')
    writeFileSync(file, 'repositories:\n  - name: r\n    path: repos/r\n')
    const loaded = loadConfigFile(file)
    expect(loaded.file).toBe(file)
    expect(loaded.config.repositories[0]?.path).toBe(path.join(dir, 'repos/r'))
  })

  it('two environments on one entrypoint port are an error naming both paths', () => {
    const text = 'repositories:\n  - name: a\n    path: a\n    deploy: { staging: { port: 18080 }, production: { port: 18081 } }\n  - name: b\n    path: b\n    deploy: { staging: { port: 18080 } }\n'
    expect(() => parseConfig(text, 'c.yml')).toThrow('repositories[1].deploy.staging.port: 18080 is also repositories[0].deploy.staging.port')
    expect(() => parseConfig(text.replace('{ port: 18080 } }\n', '{ port: 18082 } }\n'), 'c.yml')).not.toThrow()
  })

  it('a folder is a ConfigError naming it, not EISDIR', () => {
    const folder = path.join(dir, 'sub.yml')
    mkdirSync(folder)
    expect(() => loadConfigFile(folder)).toThrow(/sub\.yml[\s\S]*is not a file/)
  })

  it('a missing file is a ConfigError naming the file', () => {
    const file = path.join(dir, 'nope.yml')
    expect(() => loadConfigFile(file)).toThrow(ConfigError)
    try {
      loadConfigFile(file)
    } catch (err) {
      expect((err as ConfigError).file).toBe(file)
      expect((err as ConfigError).message).toContain(file)
      expect((err as ConfigError).problems[0]?.path).toBe('(file)')
    }
  })

  it('an invalid file reports the file it came from', () => {
    const file = path.join(dir, 'bad.yml')
    writeFileSync(file, oneRepo('    deploy:\n      production:\n        strategy: bluegreen\n'))
    expect(() => loadConfigFile(file)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}: invalid configuration`))
  })

  it('loadConfig uses CICD_CONFIG and re-reads the file when it changes', () => {
    const file = path.join(dir, 'live.yml')
    writeFileSync(file, 'repositories:\n  - name: one\n    path: one\n')
    const env = { CICD_CONFIG: file }
    const first = loadConfig(env)
    expect(first.config.repositories.map((r) => r.name)).toEqual(['one'])
    expect(loadConfig(env)).toBe(first) // cached while unchanged
    writeFileSync(file, 'repositories:\n  - name: two\n    path: two\n')
    const later = new Date(Date.now() + 5_000)
    utimesSync(file, later, later)
    expect(loadConfig(env).config.repositories.map((r) => r.name)).toEqual(['two'])
  })
})

describe('findRepository', () => {
  const cfg: CicdConfig = parseConfig(
    'repositories:\n  - name: web\n    path: web\n    github: Acme/Web-App\n  - name: api\n    url: https://example.com/api.git\n',
    FILE,
  )

  it('finds by name', () => {
    expect(findRepository(cfg, 'web')?.name).toBe('web')
    expect(findRepository(cfg, 'api')?.name).toBe('api')
    expect(findRepository(cfg, 'API')?.name).toBe('api')
  })

  it('finds by GitHub owner/name, case-insensitively', () => {
    expect(findRepository(cfg, 'Acme/Web-App')?.name).toBe('web')
    expect(findRepository(cfg, 'acme/web-app')?.name).toBe('web')
    expect(findRepository(cfg, 'ACME/WEB-APP')?.name).toBe('web')
  })

  it('is undefined for anything else', () => {
    expect(findRepository(cfg, 'acme/api')).toBeUndefined()
    expect(findRepository(cfg, 'nope')).toBeUndefined()
    expect(findRepository(cfg, '')).toBeUndefined()
  })
})

describe('formatPath', () => {
  it('writes dotted paths with [index] for list items', () => {
    expect(formatPath([])).toBe('(root)')
    expect(formatPath(['repositories', 0, 'deploy', 'production', 'strategy'])).toBe('repositories[0].deploy.production.strategy')
    expect(formatPath(['a', 1, 2, 'b'])).toBe('a[1][2].b')
    expect(formatPath([0, 'x'])).toBe('[0].x')
  })
})

describe('config/cicd.schema.json', () => {
  const committed = JSON.parse(readFileSync(path.join(ROOT, 'config/cicd.schema.json'), 'utf8')) as unknown

  it('is the committed output of configJsonSchema() (regenerate with `npm run schema`)', () => {
    expect(committed).toEqual(configJsonSchema())
  })

  it('describes the config: strict objects, the strategies, an id and a title', () => {
    const schema = configJsonSchema()
    expect(schema.$id).toBe('https://github.com/intelligent-cicd/config/cicd.schema.json')
    expect(typeof schema.title).toBe('string')
    expect(schema.type).toBe('object')
    expect(schema.additionalProperties).toBe(false)
    const text = JSON.stringify(schema)
    for (const s of ['"immediate"', '"blue-green"', '"canary"', '"rolling"', '"repositories"', '"auto_build"', '"domains"']) expect(text).toContain(s)
  })
})
