import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import { DockerImageBuilder } from '../../shared/executors/docker/image-builder'

const WEBAPP = fileURLToPath(new URL('../../examples/webapp', import.meta.url))

/** Builds examples/webapp (busybox httpd + CGI) as `tag`: ok, answering 500s, or slow. */
export async function buildWebapp(docker: Docker, tag: string, version: string, mode: 'ok' | 'error' | 'slow' = 'ok'): Promise<string> {
  const res = await new DockerImageBuilder(docker).build({
    contextDir: WEBAPP,
    dockerfile: 'Dockerfile',
    tag,
    noCache: false,
    timeoutMs: 120_000,
    maxLogBytes: 65_536,
    buildArgs: { APP_VERSION: version, APP_MODE: mode },
  })
  if (!res.ok) throw new Error(`cannot build ${tag}: ${res.error}\n${res.log}`)
  return tag
}

export interface LoadReport {
  requests: number
  failed: number
  /** Answers by body (the app answers "hello from <version>"). */
  byBody: Map<string, number>
  errors: string[]
}

/**
 * A steady, bounded load on loopback: `concurrency` clients, each sending requests one after
 * the other (keep-alive) with `pauseMs` between them, until stopped.
 */
export function startLoad(url: string, concurrency = 4, pauseMs = 5): { stop: () => Promise<LoadReport>; snapshot: () => LoadReport } {
  const report: LoadReport = { requests: 0, failed: 0, byBody: new Map(), errors: [] }
  let running = true
  const worker = async () => {
    while (running) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
        const body = (await res.text()).trim()
        report.requests++
        if (res.status !== 200) {
          report.failed++
          if (report.errors.length < 20) report.errors.push(`HTTP ${res.status}: ${body.slice(0, 80)}`)
        }
        report.byBody.set(body.slice(0, 60), (report.byBody.get(body.slice(0, 60)) ?? 0) + 1)
      } catch (err) {
        report.requests++
        report.failed++
        if (report.errors.length < 20) report.errors.push(err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : String(err))
      }
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs))
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  return {
    snapshot: () => ({ ...report, byBody: new Map(report.byBody), errors: [...report.errors] }),
    stop: async () => {
      running = false
      await Promise.all(workers)
      return report
    },
  }
}

/** The body the entrypoint answers now. */
export async function answer(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  return `${res.status} ${(await res.text()).trim()}`
}
