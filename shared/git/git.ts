import { execFile } from 'node:child_process'

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message)
    this.name = 'GitError'
  }
}

/** Runs git with a fixed, non-interactive environment; resolves stdout. */
export function git(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'true',
          LC_ALL: 'C',
        },
      },
      (err, stdout, stderr) => {
        if (err) {
          const first = stderr.trim().split('\n').filter(Boolean).pop() ?? err.message
          reject(new GitError(`git ${args[0]} failed: ${first}`, stderr))
        } else resolve(stdout)
      },
    )
  })
}
