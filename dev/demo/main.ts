/**
 * `npm run demo`: a complete local run in four acts. A genesis ceremony and a join, every step a
 * pull request checked by the real bundled Action, then M holders sign a JWT, then a reshare
 * removes a holder (dev/demo/reshare.ts) whose old share is then refused. It lives beside the
 * library, not in it: the published package holds no demo and no GitHub stand-in.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { SssError } from '../../src/errors.js';
import { NAMES, runGenesisDemo } from './genesis.js';
import { runJoinDemo } from './join.js';
import { runSignDemo } from './sign.js';
import { runReshareDemo } from './reshare.js';
import { runTrustServerDemo } from './trust-server.js';

interface DemoOptions {
  participants: string;
  threshold: string;
  dir?: string;
  json?: boolean;
}

async function demo(opts: DemoOptions): Promise<void> {
  const say = (line: string) => {
    if (!opts.json) process.stdout.write(line + '\n');
  };
  const n = Number(opts.participants);
  const t = Number(opts.threshold);
  if (!Number.isInteger(n) || n < 2 || n > NAMES.length)
    throw new SssError(`--participants must be from 2 to ${NAMES.length}`, { code: 'usage' });
  if (!Number.isInteger(t) || t < 2 || t > n)
    throw new SssError('--threshold must be from 2 to --participants', { code: 'usage' });
  const root = opts.dir ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'sss-demo-'));
  const result = await runGenesisDemo(root, n, t, say);
  const joined = await runJoinDemo(result, say);
  const signers = [...result.participants.slice(0, t - 1), joined.newcomer];
  const signed = await runSignDemo(result.repository, root, signers, say);
  // Issue 11: a reshare removes the last genesis holder; its old share can no longer sign.
  const reshared = await runReshareDemo(
    result,
    [...result.participants, joined.newcomer],
    result.participants[n - 1],
    say,
  );
  // The trust-server path, with shares of the new epoch: install, get-nonce, sign.
  const trustServer = await runTrustServerDemo(result.repository, root, signers, say);
  say('');
  say(`Sign with the library, in one Node process: node examples/sign-jwt.mjs ${root}`);
  if (opts.json)
    process.stdout.write(
      JSON.stringify({ ...result, join: joined, sign: signed, reshare: reshared, trustServer }, null, 2) + '\n',
    );
}

const program = new Command('demo')
  .description(
    'a complete local run: a genesis ceremony and a join through pull requests checked by the bundled Action, then M holders sign a JWT',
  )
  .option('--participants <n>', 'number of participants', '5')
  .option('--threshold <t>', 'signers needed', '3')
  .option('--dir <dir>', 'where to put the demo (default: a new temporary directory)')
  .option('--json', 'machine-readable output')
  .exitOverride()
  .action(demo);

try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (e) {
  if (!(e instanceof CommanderError))
    process.stderr.write(`demo: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof CommanderError ? e.exitCode : 1;
}
