import { runCommand } from './run'
import { validateConfigCommand, configSchemaCommand } from './config'
import { flakyCommand, runsCommand, statusCommand } from './server'
import { snsCommand } from './sns'
import { healerCommand } from './healer'
import { watchCommand, WATCH_HELP } from './watch'
import { publishCommand, PUBLISH_HELP } from './publish'
import { tailCommand, TAIL_HELP } from './tail'
import { approvalsCommand, approveCommand, environmentsCommand, rollbackCommand } from './deploy'

const HELP = `cicd: the intelligent CI/CD pipeline from the command line

  cicd run --repo <name|path> [--commit <sha>] [--before <sha>] [--json]
        run build and test in this process, no server needed; exit 1 when a stage fails
  cicd validate-config [file]        check config/cicd.yml (or CICD_CONFIG, or file)
  cicd config-schema                 print the JSON Schema of cicd.yml
  cicd runs [--repo r] [--status s] [--limit n] [--server url] [--json]
        list runs from a running server (default http://localhost:3000 or CICD_SERVER)
  cicd status [runId] [--server url] [--json]
        one run's stages and decisions, or the server's health without a run id
  cicd flaky [--repo r] [--limit n] [--server url] [--json]
        tests that failed and passed on the same code (a rerun, or another run of the commit)
  cicd sns encode | decode | stats [--json]
        the compact notation agents use (JSON on stdin)
  cicd healer classify <logfile> [--workflow n] [--job n] [--step n] [--changed-files a,b] [--json]
        classify a failed CI job's log by root cause and route it (rust|frontend|infra|github|unknown)
  cicd healer eval <dir>             accuracy of the healer classifier on <dir>/manifest.json
  ${WATCH_HELP.trimEnd()}
  ${PUBLISH_HELP.trimEnd()}
  ${TAIL_HELP.trimEnd()}
  cicd approvals [--status pending|approved|rejected]   deploys waiting for approval
  cicd approve <runId> [--reject] [--by name] [--comment text]   release (or reject) a waiting deploy
  cicd rollback <repo> <staging|production> [--reason text]      put the previous version back
  cicd environments [--json]         what is live where (entrypoint, version, canary, standby)
`

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    switch (cmd) {
      case 'run':
        return await runCommand(rest)
      case 'validate-config':
        return validateConfigCommand(rest)
      case 'config-schema':
        return configSchemaCommand()
      case 'runs':
        return await runsCommand(rest)
      case 'flaky':
        return await flakyCommand(rest)
      case 'status':
        return await statusCommand(rest)
      case 'sns':
        return await snsCommand(rest)
      case 'healer':
        return await healerCommand(rest)
      case 'watch':
        return await watchCommand(rest)
      case 'publish':
        return await publishCommand(rest)
      case 'tail':
        return await tailCommand(rest)
      case 'approvals':
        return await approvalsCommand(rest)
      case 'approve':
        return await approveCommand(rest)
      case 'rollback':
        return await rollbackCommand(rest)
      case 'environments':
        return await environmentsCommand(rest)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP)
        return cmd === undefined ? 2 : 0
      default:
        process.stderr.write(`cicd: unknown command "${cmd}"\n\n${HELP}`)
        return 2
    }
  } catch (err) {
    process.stderr.write(`cicd ${cmd}: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
