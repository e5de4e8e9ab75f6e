import { SLOTS, type EdgeRoute } from './route'

/** haproxy.cfg for every route: one frontend and one backend of SLOTS servers each. */
export function renderHaproxyConfig(socketPath: string, routes: EdgeRoute[]): string {
  const out = [
    '# Written by cicd (shared/deploy/edge): regenerated from the environments stored in Redis.',
    'global',
    `  stats socket ${socketPath} mode 600 level admin expose-fd listeners`,
    '  maxconn 8192',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 5s',
    // A request whose connection fails (a container going away) is sent to another server.
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '',
  ]
  for (const r of [...routes].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`frontend fe_${r.name}`, `  bind ${r.bind}:${r.port}`, `  default_backend be_${r.name}`, '')
    out.push(
      `backend be_${r.name}`,
      '  balance roundrobin',
      `  option httpchk GET ${r.healthPath}`,
      '  http-check expect status 200-399',
      '  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1',
    )
    const bySlot = new Map(r.servers.map((s) => [s.slot, s]))
    for (let slot = 1; slot <= SLOTS; slot++) {
      const s = bySlot.get(slot)
      out.push(s ? `  server s${slot} ${s.addr}:${s.port} weight ${s.weight} check` : `  server s${slot} 127.0.0.1:1 weight 0 disabled check`)
    }
    out.push('')
  }
  return out.join('\n')
}

/**
 * Runtime API commands that move a running backend to the route, without a reload. Servers that
 * gain traffic come first, those that lose it next, emptied slots last: a switch never leaves
 * the backend without a weighted server.
 */
export function runtimeCommands(route: EdgeRoute): string[] {
  const be = `be_${route.name}`
  const bySlot = new Map(route.servers.map((s) => [s.slot, s]))
  const up: string[] = []
  const down: string[] = []
  const off: string[] = []
  for (let slot = 1; slot <= SLOTS; slot++) {
    const s = bySlot.get(slot)
    const id = `${be}/s${slot}`
    if (!s) off.push(`set server ${id} state maint`, `set server ${id} weight 0`)
    else {
      const cmds = [`set server ${id} addr ${s.addr} port ${s.port}`, `set server ${id} weight ${s.weight}`, `set server ${id} state ready`, `enable health ${id}`]
      ;(s.weight > 0 ? up : down).push(...cmds)
    }
  }
  return [...up, ...down, ...off]
}
