/**
 * Real-engine tests of the docker backend. They need a Docker engine at DOCKER_HOST (default
 * unix:///var/run/docker.sock) and FAIL, not skip, when none answers: `npm test` starts one.
 * Nothing is pulled: the base image is made offline by ensureBusyboxImage.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_BUSYBOX_TAG, ensureBusyboxImage } from '../../shared/executors/docker/base-image'
import { dockerEndpointFromEnv, dockerFromEnv, pingDocker } from '../../shared/executors/docker/client'
import { DockerExecutor } from '../../shared/executors/docker/executor'
import { DockerImageBuilder } from '../../shared/executors/docker/image-builder'
import type { ImageBuildSpec } from '../../shared/executors/types'

const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
const RUN_LABEL = 'cicd.test-run'
const labelFilter = { label: [`${RUN_LABEL}=${RUN_ID}`] }

let docker: Docker
let tmp: string
const imagesToRemove: string[] = []

async function runContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: labelFilter })
}

async function context(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(tmp, `ctx-${name}`)
  await mkdir(dir, { recursive: true })
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

function tagFor(name: string): string {
  const tag = `cicd-test-${name}:${RUN_ID}`
  imagesToRemove.push(tag)
  return tag
}

function buildSpec(contextDir: string, tag: string, extra: Partial<ImageBuildSpec> = {}): ImageBuildSpec {
  return { contextDir, dockerfile: 'Dockerfile', tag, noCache: false, timeoutMs: 30_000, maxLogBytes: 64 * 1024, ...extra }
}

/** Set when no engine answers: every test then FAILS with it (these tests never skip). */
let engineMissing: Error | undefined

beforeAll(async () => {
  docker = dockerFromEnv()
  const ping = await pingDocker(docker, 5000)
  if (!ping.ok) {
    engineMissing = new Error(
      `${ping.reason}\nThese tests need a real Docker engine. Run them with \`npm test\`, which starts one ` +
        `(or point DOCKER_HOST at a running engine).`,
    )
    return // not thrown here: a failing beforeAll would mark the tests skipped; beforeEach fails each one
  }
  await ensureBusyboxImage(docker)
  tmp = await mkdtemp(join(tmpdir(), 'cicd-docker-test-'))
}, 30_000)

beforeEach(() => {
  if (engineMissing) throw engineMissing
})

afterAll(async () => {
  if (docker && !engineMissing) {
    try {
      for (const c of await runContainers()) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)
    } catch {
      /* engine gone: nothing to clean */
    }
    for (const tag of imagesToRemove) await docker.getImage(tag).remove({ force: true }).catch(() => undefined)
  }
  if (tmp) await rm(tmp, { recursive: true, force: true })
}, 30_000)

describe('docker client', () => {
  it('pings the engine', async () => {
    const a = await pingDocker(docker, 5000)
    expect(a).toMatchObject({ ok: true })
    if (a.ok) expect(a.detail).toMatch(/Docker .* at /)
  })

  it('reports a bogus socket as unavailable, with the address and a reason, quickly', async () => {
    const bogus = dockerFromEnv({ DOCKER_HOST: `unix:///nonexistent/${RUN_ID}/docker.sock` })
    const t = Date.now()
    const a = await pingDocker(bogus, 2000)
    expect(Date.now() - t).toBeLessThan(2000)
    expect(a.ok).toBe(false)
    if (!a.ok) expect(a.reason).toMatch(new RegExp(`^no Docker engine answers at unix:///nonexistent/${RUN_ID}/docker.sock: .*ENOENT`))
  })

  it('never waits longer than the timeout for a silent socket', async () => {
    const sock = join(tmpdir(), `cicd-silent-${RUN_ID}.sock`)
    const accepted: Socket[] = []
    const server: Server = createServer((conn) => {
      accepted.push(conn) // accept and never answer
    })
    await new Promise<void>((resolve) => server.listen(sock, resolve))
    try {
      const t = Date.now()
      const a = await pingDocker(dockerFromEnv({ DOCKER_HOST: `unix://${sock}` }), 300)
      expect(Date.now() - t).toBeLessThan(1500)
      expect(a.ok).toBe(false)
      if (!a.ok) expect(a.reason).toContain('no answer within 300 ms')
    } finally {
      for (const conn of accepted) conn.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(sock, { force: true })
    }
  })

  it('reads DOCKER_HOST', () => {
    expect(dockerEndpointFromEnv({}).address).toBe('unix:///var/run/docker.sock')
    expect(dockerEndpointFromEnv({ DOCKER_HOST: 'unix:///tmp/x.sock' }).options.socketPath).toBe('/tmp/x.sock')
    const tcp = dockerEndpointFromEnv({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })
    expect(tcp.address).toBe('tcp://10.0.0.5:2375')
    expect(tcp.options).toMatchObject({ host: '10.0.0.5', port: '2375', protocol: 'http' })
  })
})

describe('ensureBusyboxImage', () => {
  it('creates the image offline once, then finds it', async () => {
    const tag = `ci/busybox-test-${RUN_ID}:latest`
    imagesToRemove.push(tag)
    const [first, concurrent] = await Promise.all([ensureBusyboxImage(docker, tag), ensureBusyboxImage(docker, tag)])
    expect(first.created).toBe(true)
    expect(concurrent).toEqual(first)
    const again = await ensureBusyboxImage(docker, tag)
    expect(again).toEqual({ tag, id: first.id, created: false })
    const info = await docker.getImage(tag).inspect()
    expect(info.Id).toBe(first.id)
    // the default tag exists too (beforeAll made it)
    expect((await ensureBusyboxImage(docker)).created).toBe(false)
  }, 20_000)

  it('says to install busybox-static when busybox is missing', async () => {
    await expect(
      ensureBusyboxImage(docker, `ci/never-made-${RUN_ID}:latest`, { busyboxPath: `/nonexistent/${RUN_ID}/busybox` }),
    ).rejects.toThrow(/busybox.*install busybox-static/)
  })
})

describe('DockerImageBuilder', () => {
  const builder = (): DockerImageBuilder => new DockerImageBuilder(docker)

  it('builds a tiny context, honours .dockerignore and build args, redacts secrets', async () => {
    const secret = `s3cr3t-${RUN_ID}`
    const dir = await context('ok', {
      'hello.txt': 'hello from the context\n',
      'ignored.log': 'must not be sent\n',
      '.dockerignore': '*.log\n',
      Dockerfile: [
        'FROM ci/busybox:latest',
        'COPY hello.txt /hello.txt',
        'RUN cat /hello.txt',
        'COPY . /ctx',
        'RUN test ! -e /ctx/ignored.log && test -e /ctx/hello.txt',
        'ARG GREETING',
        'ARG TOKEN',
        'RUN test "$GREETING" = hi && echo "token=$TOKEN"',
        '',
      ].join('\n'),
    })
    const tag = tagFor('ok')
    const chunks: string[] = []
    const r = await builder().build(
      buildSpec(dir, tag, { buildArgs: { GREETING: 'hi', TOKEN: secret }, secrets: [secret], onLog: (c) => chunks.push(c) }),
    )
    expect(r.error).toBeUndefined()
    expect(r).toMatchObject({ ok: true, tag, timedOut: false, truncated: false })
    expect(r.imageId).toMatch(/^sha256:/)
    expect((await docker.getImage(tag).inspect()).Id).toBe(r.imageId)
    expect(r.log).toContain('hello from the context')
    expect(r.log).toContain('token=***')
    expect(r.log).not.toContain(secret)
    expect(chunks.join('')).toContain('hello from the context')
    expect(chunks.join('')).not.toContain(secret)
  }, 30_000)

  it("counts the steps the engine's layer cache answered: none on the first build, all on the same build again, none with no-cache", async () => {
    const dir = await context('cache', { 'stamp.txt': `${RUN_ID}\n`, Dockerfile: 'FROM ci/busybox:latest\nCOPY stamp.txt /stamp.txt\nRUN cat /stamp.txt\n' })
    const tag = tagFor('cache')
    const first = await builder().build(buildSpec(dir, tag))
    expect(first.error).toBeUndefined()
    expect(first.layerCache).toEqual({ steps: 2, cached: 0 })
    const again = await builder().build(buildSpec(dir, tag))
    expect(again.layerCache).toEqual({ steps: 2, cached: 2 })
    expect(again.imageId).toBe(first.imageId)
    const fresh = await builder().build(buildSpec(dir, tag, { noCache: true }))
    expect(fresh.layerCache).toEqual({ steps: 2, cached: 0 })
  }, 60_000)

  it('names the failing RUN step and its exit code', async () => {
    // one step only: a successful earlier RUN would leave a dangling cache image behind
    const dir = await context('fail', { Dockerfile: 'FROM ci/busybox:latest\nRUN exit 3\n' })
    const r = await builder().build(buildSpec(dir, tagFor('fail'), { noCache: true }))
    expect(r.ok).toBe(false)
    expect(r.timedOut).toBe(false)
    expect(r.error).toBe('step "RUN exit 3" failed: exit code 3')
    expect(r.log).toContain("returned a non-zero code: 3")
  }, 30_000)

  it('says which COPY source is missing', async () => {
    const dir = await context('copy', { Dockerfile: 'FROM ci/busybox:latest\nCOPY missing.txt /m.txt\n' })
    const r = await builder().build(buildSpec(dir, tagFor('copy')))
    expect(r.ok).toBe(false)
    expect(r.error).toBe('step "COPY missing.txt /m.txt" failed: "missing.txt" is not in the build context (or is excluded by .dockerignore)')
  }, 30_000)

  it('says an unknown base image cannot be pulled', async () => {
    const base = `cicd-no-such-base-${RUN_ID}:1`
    const dir = await context('base', { Dockerfile: `FROM ${base}\nRUN true\n` })
    const r = await builder().build(buildSpec(dir, tagFor('base')))
    expect(r.ok).toBe(false)
    expect(r.error).toMatch(new RegExp(`^base image "${base}" is not on this engine and cannot be pulled \\(.+\\)$`))
  }, 30_000)

  it('reports a missing Dockerfile without calling the engine', async () => {
    const dir = await context('nodockerfile', { 'a.txt': 'a' })
    const r = await builder().build(buildSpec(dir, tagFor('nodockerfile')))
    expect(r.ok).toBe(false)
    expect(r.error).toMatch(/^Dockerfile "Dockerfile" not found in build context /)
  })

  it('aborts a build that runs past its timeout', async () => {
    const marker = `build-timeout-${RUN_ID}`
    const dir = await context('slow', { Dockerfile: `FROM ci/busybox:latest\nRUN sleep 30 # ${marker}\n` })
    const tag = tagFor('slow')
    const t = Date.now()
    const r = await builder().build(buildSpec(dir, tag, { timeoutMs: 1500, noCache: true }))
    expect(Date.now() - t).toBeLessThan(8000)
    expect(r).toMatchObject({ ok: false, timedOut: true })
    expect(r.error).toMatch(/^build timed out after 1500 ms during step "RUN sleep 30/)
    await expect(docker.getImage(tag).inspect()).rejects.toThrow()
    // the engine cancels the build: its intermediate container goes away
    let left: Docker.ContainerInfo[] = []
    for (let i = 0; i < 50; i++) {
      left = (await docker.listContainers({ all: true })).filter((c) => c.Command.includes(marker))
      if (!left.length) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(left).toEqual([])
  }, 30_000)
})

describe('DockerExecutor', () => {
  const executor = (opts: ConstructorParameters<typeof DockerExecutor>[1] = {}): DockerExecutor =>
    new DockerExecutor(docker, { ...opts, labels: { [RUN_LABEL]: RUN_ID, ...opts.labels } })

  async function workspace(name: string, files: Record<string, string> = {}): Promise<string> {
    const dir = join(tmp, `ws-${name}`)
    await mkdir(dir, { recursive: true })
    for (const [p, c] of Object.entries(files)) await writeFile(join(dir, p), c)
    return dir
  }

  it('runs sh -c in the workspace with only the spec env, and removes the container', async () => {
    process.env.CICD_TEST_SERVER_ONLY = 'server-env-must-not-leak'
    try {
      const cwd = await workspace('basic', { 'input.txt': 'input-from-host\n' })
      const chunks: string[] = []
      const r = await executor().run({
        command: 'pwd; cat input.txt; echo "$GREETING" > output.txt; echo to-stderr >&2; env',
        cwd,
        env: { GREETING: 'hello-container' },
        timeoutMs: 20_000,
        maxLogBytes: 64 * 1024,
        onLog: (c) => chunks.push(c),
      })
      expect(r.error).toBeUndefined()
      expect(r).toMatchObject({ exitCode: 0, timedOut: false, truncated: false })
      expect(r.log).toContain('/workspace\n')
      expect(r.log).toContain('input-from-host')
      expect(r.log).toContain('to-stderr')
      expect(r.log).toContain('GREETING=hello-container')
      expect(r.log).not.toContain('server-env-must-not-leak')
      expect(chunks.join('')).toContain('input-from-host')
      expect(await readFile(join(cwd, 'output.txt'), 'utf8')).toBe('hello-container\n')
      expect(await runContainers()).toEqual([])
    } finally {
      delete process.env.CICD_TEST_SERVER_ONLY
    }
  }, 20_000)

  it('returns a non-zero exit code', async () => {
    const r = await executor().run({ command: 'echo failing; exit 42', cwd: await workspace('exit'), timeoutMs: 20_000, maxLogBytes: 4096 })
    expect(r).toMatchObject({ exitCode: 42, timedOut: false })
    expect(r.error).toBeUndefined()
    expect(r.log).toBe('failing\n')
    expect(await runContainers()).toEqual([])
  }, 20_000)

  it('kills and removes the container on timeout; applies labels and limits', async () => {
    const ex = executor({ memoryBytes: 256 * 1024 * 1024, nanoCpus: 500_000_000 })
    let sawStart!: () => void
    const started = new Promise<void>((resolve) => (sawStart = resolve))
    const t = Date.now()
    const running = ex.run({
      command: 'echo started; sleep 30',
      cwd: await workspace('timeout'),
      timeoutMs: 2500,
      maxLogBytes: 4096,
      onLog: (c) => c.includes('started') && sawStart(),
    })
    await started
    const live = await runContainers()
    expect(live).toHaveLength(1)
    expect(live[0]?.Labels).toMatchObject({ 'cicd.managed': 'true', [RUN_LABEL]: RUN_ID })
    const info = await docker.getContainer(live[0]?.Id as string).inspect()
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024)
    expect(info.HostConfig.NanoCpus).toBe(500_000_000)
    expect(info.Config.WorkingDir).toBe('/workspace')

    const r = await running
    expect(Date.now() - t).toBeLessThan(10_000)
    expect(r).toMatchObject({ exitCode: null, timedOut: true })
    expect(r.log).toContain('started')
    expect(await runContainers()).toEqual([])
  }, 20_000)

  it('kills the container when the caller aborts', async () => {
    const ac = new AbortController()
    const r = await executor().run({
      command: 'echo up; sleep 30',
      cwd: await workspace('abort'),
      timeoutMs: 20_000,
      maxLogBytes: 4096,
      signal: ac.signal,
      onLog: (c) => c.includes('up') && ac.abort(),
    })
    expect(r).toMatchObject({ exitCode: null, timedOut: false })
    expect(r.error).toMatch(/aborted/)
    expect(await runContainers()).toEqual([])
  }, 20_000)

  it('keeps only the tail of a long log', async () => {
    const r = await executor().run({ command: 'seq 1 50000', cwd: await workspace('long'), timeoutMs: 20_000, maxLogBytes: 1000 })
    expect(r.exitCode).toBe(0)
    expect(r.truncated).toBe(true)
    expect(r.log).toMatch(/^\[… \d+ earlier bytes dropped …\]\n/)
    expect(r.log.endsWith('49999\n50000\n')).toBe(true)
    expect(Buffer.byteLength(r.log)).toBeLessThan(1000 + 100)
  }, 20_000)

  it('redacts secrets from the log and the live chunks', async () => {
    const secret = `tok-${RUN_ID}-xyz`
    const chunks: string[] = []
    const r = await executor().run({
      command: 'echo "token=$TOKEN"; echo "$TOKEN" >&2',
      cwd: await workspace('secret'),
      env: { TOKEN: secret },
      secrets: [secret],
      timeoutMs: 20_000,
      maxLogBytes: 4096,
      onLog: (c) => chunks.push(c),
    })
    expect(r.exitCode).toBe(0)
    expect(r.log).toContain('token=***')
    expect(r.log).not.toContain(secret)
    expect(chunks.join('')).not.toContain(secret)
  }, 20_000)

  it('says clearly when the image is missing', async () => {
    const image = `cicd-no-such-image-${RUN_ID}:1`
    const r = await executor().run({ command: 'true', cwd: await workspace('noimage'), image, timeoutMs: 5000, maxLogBytes: 4096 })
    expect(r.exitCode).toBeNull()
    expect(r.error).toBe(
      `image "${image}" is not on this Docker engine (build or load it first; the docker executor does not pull images)`,
    )
  })

  it('runs in an image the builder made', async () => {
    const dir = await context('forexec', { Dockerfile: 'FROM ci/busybox:latest\nRUN echo baked > /baked.txt\n' })
    const tag = tagFor('forexec')
    const b = await new DockerImageBuilder(docker).build(buildSpec(dir, tag))
    expect(b.ok).toBe(true)
    const r = await executor().run({ command: 'cat /baked.txt', cwd: await workspace('forexec'), image: tag, timeoutMs: 20_000, maxLogBytes: 4096 })
    expect(r).toMatchObject({ exitCode: 0, log: 'baked\n' })
    expect(DEFAULT_BUSYBOX_TAG).toBe('ci/busybox:latest')
  }, 30_000)
})
