import { dockerFromEnv, pingDocker } from '../../shared/executors/docker/client'
import { ensureBusyboxImage } from '../../shared/executors/docker/base-image'
import type Docker from 'dockerode'

/** The private Redis `npm test` starts. Suites that need it fail (not skip) without it. */
export function testRedisUrl(db: number): string {
  const base = process.env.CICD_TEST_REDIS_URL
  if (!base) throw new Error('CICD_TEST_REDIS_URL is not set: run the suites with `npm test`, which starts a private Redis')
  return `${base.replace(/\/\d*$/, '')}/${db}`
}

/** The Docker engine `npm test` found or started, with the offline base image. */
export async function requireDocker(): Promise<Docker> {
  const docker = dockerFromEnv()
  const ping = await pingDocker(docker, 3000)
  if (!ping.ok) throw new Error(`${ping.reason}: run the suites with \`npm test\`, which starts a Docker engine`)
  await ensureBusyboxImage(docker)
  return docker
}
