/**
 * The `sss-tool` program: one small module per command, registered here. Errors print as one
 * line on stderr and exit non-zero; nothing private is ever printed.
 */
import { Command, CommanderError } from 'commander';
import { SssError } from '../errors.js';
import { commands } from './commands.js';

export function program(): Command {
  const p = new Command('sss-tool')
    .description('Threshold Ed25519 (FROST, RFC 9591) keys for groups that work through GitHub pull requests')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride();
  for (const register of commands) register(p);
  return p;
}

export async function main(argv: string[]): Promise<number> {
  const p = program();
  try {
    await p.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      return e.exitCode || 2;
    }
    const msg = e instanceof SssError ? e.message : e instanceof Error ? e.message : String(e);
    process.stderr.write(`sss-tool: error: ${msg.split('\n')[0]}\n`);
    if (process.env.SSS_TOOL_DEBUG && e instanceof Error) process.stderr.write((e.stack ?? '') + '\n');
    return 1;
  }
}
