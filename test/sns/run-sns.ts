/** `node --import tsx test/sns/run-sns.ts <args>`: the sns CLI in a process of its own (tests). */
import { snsCommand } from '../../cli/sns'

process.exitCode = await snsCommand(process.argv.slice(2))
