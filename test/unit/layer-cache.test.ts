import { describe, expect, it } from 'vitest'
import { LayerCacheCounter } from '../../shared/executors/docker/layer-cache'

const count = (log: string, appendedLabels = false) => {
  const c = new LayerCacheCounter(appendedLabels)
  for (const line of log.split('\n')) c.line(line)
  return c.stats()
}

describe('layer cache counter (classic builder output)', () => {
  const log = [
    'Step 1/5 : FROM node:20 AS deps',
    ' ---> e27b3d659798',
    'Step 2/5 : COPY package.json .',
    ' ---> Using cache',
    ' ---> cba8ab2d1a37',
    'Step 3/5 : RUN npm ci',
    ' ---> Running in a391c873124c',
    'npm warn ---> Using cache (a line of the program, after Running in: not a cache hit)',
    ' ---> d273661106b0',
    'Step 4/5 : FROM busybox',
    ' ---> 0123456789ab',
    'Step 5/5 : LABEL cicd.managed=true',
    ' ---> Using cache',
    ' ---> 1e4b5b2a8a2d',
  ].join('\n')

  it('counts every step but FROM, and the ones the cache answered', () => {
    expect(count(log)).toEqual({ steps: 3, cached: 2 })
  })
  it("leaves out the LABEL step the engine appends for the build's labels", () => {
    expect(count(log, true)).toEqual({ steps: 2, cached: 1 })
    expect(count('Step 1/2 : FROM x\nStep 2/2 : RUN true\n ---> Using cache', true)).toEqual({ steps: 1, cached: 1 })
  })
  it('leaves out the global ARG steps before the first FROM (never answered by the cache)', () => {
    expect(count('Step 1/4 : ARG NODE=20\nStep 2/4 : FROM node:${NODE}\nStep 3/4 : ARG MODE\n ---> Using cache\nStep 4/4 : RUN true\n ---> Running in 1')).toEqual({ steps: 2, cached: 1 })
  })
  it('reads nothing from a log without steps (BuildKit, or a build that never started)', () => {
    expect(count('#1 [internal] load build definition\nERROR: failed')).toEqual({ steps: 0, cached: 0 })
  })
})
