import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliRedisUrl } from '../../cli/coordination-redis'

describe('which Redis the CLI uses', () => {
  it('REDIS_URL, else cicd.yml defaults.redis_url, else Motia’s host/port, else npm start’s', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cicd-redis-url-'))
    try {
      const withUrl = path.join(dir, 'with.yml')
      writeFileSync(withUrl, 'defaults:\n  redis_url: redis://shared-redis:6379/3\n')
      const without = path.join(dir, 'without.yml')
      writeFileSync(without, 'repositories: []\n')
      expect(cliRedisUrl({ REDIS_URL: 'redis://a:1', CICD_CONFIG: withUrl })).toBe('redis://a:1')
      expect(cliRedisUrl({ CICD_CONFIG: withUrl })).toBe('redis://shared-redis:6379/3')
      expect(cliRedisUrl({ CICD_CONFIG: without, MOTIA_REDIS_HOST: 'm' })).toBe('redis://m:6379')
      expect(cliRedisUrl({ CICD_CONFIG: without, CICD_REDIS_PORT: '7000' })).toBe('redis://127.0.0.1:7000')
      expect(cliRedisUrl({ CICD_CONFIG: path.join(dir, 'missing.yml') })).toBe('redis://127.0.0.1:6390')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
