/**
 * The default base image, made offline: a rootfs holding the host's statically linked busybox
 * (Debian's busybox-static) with one symlink per applet, a /tmp, an /etc/passwd, tarred and
 * imported into the engine. No registry is needed, so it works where Docker Hub is unreachable.
 */
import { execFile } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { access, chmod, copyFile, mkdir, mkdtemp, open, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, posix } from 'node:path'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import type Docker from 'dockerode'
import { dockerErrorMessage, dockerStatusCode, readJsonMessages, requireFromDockerode } from './client'

export const DEFAULT_BUSYBOX_TAG = 'ci/busybox:latest'

const execFileP = promisify(execFile)

export interface TarHeader {
  name: string
  mode?: number
  uid?: number
  gid?: number
  uname?: string
  gname?: string
  type?: string
  [key: string]: unknown
}

export interface TarFs {
  pack(
    cwd: string,
    opts?: {
      ignore?: (name: string) => boolean
      map?: (header: TarHeader) => TarHeader
      umask?: number
      dereference?: boolean
      entries?: string[]
    },
  ): Readable
}

/** tar-fs, as dockerode itself uses it. */
export function loadTarFs(): TarFs {
  return requireFromDockerode('tar-fs') as TarFs
}

export interface EnsureBusyboxOptions {
  /** The busybox binary to put in the image; default: /bin/busybox, /usr/bin/busybox, then PATH. */
  busyboxPath?: string
}

export interface EnsuredImage {
  tag: string
  id: string
  /** false when the image was already there. */
  created: boolean
}

const inFlight = new WeakMap<Docker, Map<string, Promise<EnsuredImage>>>()

/**
 * Makes sure `tag` exists on the engine, importing a busybox rootfs if it does not. Idempotent
 * (and concurrent calls for the same engine and tag share one import). Throws an Error naming
 * what is missing if no static busybox is installed on this machine.
 */
export function ensureBusyboxImage(
  docker: Docker,
  tag: string = DEFAULT_BUSYBOX_TAG,
  opts: EnsureBusyboxOptions = {},
): Promise<EnsuredImage> {
  let perEngine = inFlight.get(docker)
  if (!perEngine) inFlight.set(docker, (perEngine = new Map()))
  const running = perEngine.get(tag)
  if (running) return running
  const p = ensure(docker, tag, opts).finally(() => perEngine.delete(tag))
  perEngine.set(tag, p)
  return p
}

async function ensure(docker: Docker, tag: string, opts: EnsureBusyboxOptions): Promise<EnsuredImage> {
  const existing = await imageId(docker, tag)
  if (existing) return { tag, id: existing, created: false }

  const busybox = await findBusybox(opts.busyboxPath)
  const root = await mkdtemp(join(tmpdir(), 'ci-busybox-rootfs-'))
  try {
    await buildRootfs(root, busybox)
    await importRootfs(docker, root, tag)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const id = await imageId(docker, tag)
  if (!id) throw new Error(`importing ${tag} reported success but the engine does not list the image`)
  return { tag, id, created: true }
}

async function imageId(docker: Docker, tag: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(tag).inspect()
    return info.Id
  } catch (err) {
    if (dockerStatusCode(err) === 404) return undefined
    throw new Error(`cannot inspect image ${tag}: ${dockerErrorMessage(err)}`)
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK)
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** `/bin/busybox`, `/usr/bin/busybox`, or `command -v busybox`; must be statically linked. */
export async function findBusybox(explicit?: string): Promise<string> {
  const hint = 'install busybox-static (e.g. `apt-get install busybox-static`)'
  let found: string | undefined
  if (explicit) {
    if (!(await isExecutable(explicit))) throw new Error(`busybox not found at ${explicit}: ${hint}`)
    found = explicit
  } else {
    const candidates = ['/bin/busybox', '/usr/bin/busybox']
    for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'busybox'))
    for (const c of candidates) {
      if (await isExecutable(c)) {
        found = c
        break
      }
    }
    if (!found) {
      throw new Error(
        `cannot make the base image: no busybox on this machine (/bin/busybox missing, \`command -v busybox\` finds nothing); ${hint}`,
      )
    }
  }
  if (await isDynamicElf(found)) {
    throw new Error(`${found} is dynamically linked and cannot run alone in an image; ${hint}`)
  }
  return found
}

/** True when the file is an ELF executable with a PT_INTERP header (needs a dynamic loader). */
async function isDynamicElf(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const head = Buffer.alloc(64)
    const { bytesRead } = await fh.read(head, 0, 64, 0)
    if (bytesRead < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false // not ELF: cannot tell
    const is64 = head[4] === 2
    const le = head[5] === 1
    const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o))
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o))
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(0x20) : head.readBigUInt64BE(0x20)) : u32(head, 0x1c)
    const phentsize = u16(head, is64 ? 0x36 : 0x2a)
    const phnum = u16(head, is64 ? 0x38 : 0x2c)
    if (!phoff || !phentsize || !phnum || phnum > 4096) return false
    const table = Buffer.alloc(phentsize * phnum)
    const r = await fh.read(table, 0, table.length, phoff)
    for (let i = 0; i < phnum && (i + 1) * phentsize <= r.bytesRead; i++) {
      if (u32(table, i * phentsize) === 3 /* PT_INTERP */) return true
    }
    return false
  } finally {
    await fh.close()
  }
}

async function applets(busybox: string): Promise<string[]> {
  try {
    const { stdout } = await execFileP(busybox, ['--list-full'], { env: {}, timeout: 10_000 })
    const list = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
    if (list.length) return list
  } catch {
    /* old busybox without --list-full: fall back to --list */
  }
  const { stdout } = await execFileP(busybox, ['--list'], { env: {}, timeout: 10_000 })
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((name) => `bin/${name}`)
}

async function buildRootfs(root: string, busybox: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'tmp', 'var/tmp', 'proc', 'sys', 'dev']) {
    await mkdir(join(root, d), { recursive: true })
  }
  await chmod(join(root, 'tmp'), 0o1777)
  await chmod(join(root, 'var/tmp'), 0o1777)
  await chmod(join(root, 'root'), 0o700)
  await copyFile(busybox, join(root, 'bin/busybox'))
  await chmod(join(root, 'bin/busybox'), 0o755)

  const seen = new Set<string>(['bin/busybox'])
  for (const entry of await applets(busybox)) {
    const rel = posix.normalize(entry.replace(/^\/+/, ''))
    if (!rel || rel.startsWith('..') || seen.has(rel)) continue
    seen.add(rel)
    await mkdir(dirname(join(root, rel)), { recursive: true })
    await symlink('/bin/busybox', join(root, rel))
  }
  if (!seen.has('bin/sh')) await symlink('/bin/busybox', join(root, 'bin/sh'))

  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  )
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost\n')
  await writeFile(join(root, 'etc/os-release'), 'NAME="ci-busybox"\nID=busybox\nPRETTY_NAME="CI busybox (offline base image)"\n')
}

async function importRootfs(docker: Docker, root: string, tag: string): Promise<void> {
  const tar = loadTarFs()
  const pack = tar.pack(root, {
    umask: 0, // keep /tmp at 1777
    map: (h) => ({ ...h, uid: 0, gid: 0, uname: 'root', gname: 'root' }),
  })
  let packError: unknown
  pack.on('error', (err: unknown) => {
    packError ??= err
  })
  const slash = tag.lastIndexOf('/')
  const colon = tag.lastIndexOf(':')
  const [repo, version] = colon > slash ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest']
  let stream: NodeJS.ReadableStream
  try {
    stream = await docker.importImage(pack, {
      repo,
      tag: version,
      changes: ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["sh"]'],
    })
  } catch (err) {
    pack.destroy()
    throw new Error(`importing the busybox rootfs as ${tag} failed: ${dockerErrorMessage(err)}`)
  }
  let failure: string | undefined
  await readJsonMessages(stream, (m) => {
    if (m.errorDetail?.message || m.error) failure ??= m.errorDetail?.message ?? m.error
  })
  if (packError) throw new Error(`cannot tar the busybox rootfs: ${packError instanceof Error ? packError.message : String(packError)}`)
  if (failure) throw new Error(`importing the busybox rootfs as ${tag} failed: ${failure}`)
}

