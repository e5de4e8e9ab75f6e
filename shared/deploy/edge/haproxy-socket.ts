import net from 'node:net'

/** Sends commands to haproxy's runtime API (a unix socket) and returns its answer. */
export function haproxyCommand(socketPath: string, commands: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath)
    let out = ''
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error(`haproxy runtime API at ${socketPath} did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
    sock.setEncoding('utf8')
    sock.on('data', (d: string) => (out += d))
    sock.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`haproxy runtime API at ${socketPath}: ${err.message}`))
    })
    sock.on('end', () => {
      clearTimeout(timer)
      resolve(out)
    })
    sock.write(`${commands.join('; ')}\n`)
  })
}

export interface ServerStat {
  backend: string
  server: string
  status: string
  weight: number
  hrsp2xx: number
  hrsp5xx: number
  requests: number
}

/** `show stat`, the servers' lines (CSV with a `# ` header). */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter(Boolean)
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',')
  const col = (name: string) => header.indexOf(name)
  const out: ServerStat[] = []
  for (const line of lines) {
    const f = line.split(',')
    const server = f[col('svname')] ?? ''
    if (server === 'FRONTEND' || server === 'BACKEND') continue
    const num = (name: string) => Number(f[col(name)] ?? 0) || 0
    out.push({
      backend: f[col('pxname')] ?? '',
      server,
      status: f[col('status')] ?? '',
      weight: num('weight'),
      hrsp2xx: num('hrsp_2xx'),
      hrsp5xx: num('hrsp_5xx'),
      requests: num('req_tot'),
    })
  }
  return out
}
