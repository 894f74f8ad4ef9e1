import { Command, CommanderError } from 'commander';
import { commands } from './commands';

/** Builds the `flowsight` program; each subcommand lives in bin/commands/<name>.ts. */
export function buildProgram(): Command {
  const program = new Command('flowsight')
    .description('Network-security dashboard for Kubernetes on Azure: flows, policies, NSGs and firewall')
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code (0 ok, 1 findings/failure, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`flowsight: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
