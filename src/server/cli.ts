/**
 * The commands trust-server spawns per request, `info`, `get-nonce` and `sign`, outside the
 * commander program: bin/sss-tool.js sends them here so that a spawn loads only what signing needs
 * (docs/benchmarks.md). Output is exactly the lines trust-server's regular expressions read, and
 * nothing else on stdout; an error is one line on stderr and a non-zero exit.
 *
 *   info       Moniker: <m> / Initialization ceremony complete. / M = <t> / Shared Pubkey = <hex> / My share initialized / Group epoch = <n>
 *   get-nonce  nonce_priv = <base64> / nonce_pub = <base64>
 *   sign       [already included,] sigs = <JSON>, then full_signature: <128 hex> once complete
 */
import { parseArgs } from 'node:util';
import { SssError } from '../errors.js';
import { Point } from '../crypto/suite.js';
import { directoryNonceBook, findServerDir, openServerShare, serverPaths } from './install-files.js';
import { TrustServerSigner } from './signer.js';

export const SERVER_COMMANDS = ['info', 'get-nonce', 'sign'] as const;

const USAGE = `usage (the calls trust-server makes; the install comes from \`sss-tool install\`):
  sss-tool info
  sss-tool get-nonce
  sss-tool sign --pub-nonces JSON --my-nonce NONCE_PRIV --message HEX [--partial-sigs JSON]
each also takes --home DIR (default: $SSS_TOOL_HOME, else the working directory, else the home dir)
`;

export async function main(argv: string[]): Promise<number> {
  try {
    // A spawned command makes a handful of G-multiplications; noble's default W=6 table for G
    // (about 2 000 points) costs more to build than all of them. W=3 (512 points) is the fastest
    // whole for a cold process (measured: docs/benchmarks.md); the multiplication stays constant-time.
    Point.BASE.precompute(3);
    const [command, ...rest] = argv;
    const { values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        home: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...(command === 'sign'
          ? {
              'pub-nonces': { type: 'string' },
              'my-nonce': { type: 'string' },
              message: { type: 'string' },
              'partial-sigs': { type: 'string' },
            }
          : {}),
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const paths = serverPaths(findServerDir(values.home as string | undefined));
    const signer = new TrustServerSigner(await openServerShare(paths), directoryNonceBook(paths));
    process.stdout.write(run(command, signer, values as Record<string, string | undefined>));
    return 0;
  } catch (e) {
    const usage = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`sss-tool: error: ${msg.split('\n')[0]}\n`);
    if (process.env.SSS_TOOL_DEBUG && e instanceof Error && !(e instanceof SssError))
      process.stderr.write((e.stack ?? '') + '\n');
    return usage ? 2 : 1;
  }
}

function run(command: string, signer: TrustServerSigner, opts: Record<string, string | undefined>): string {
  if (command === 'info') {
    signer.checkShare();
    return [
      `Moniker: ${signer.moniker}`,
      'Initialization ceremony complete.',
      `M = ${signer.threshold}`,
      `Shared Pubkey = ${signer.groupKey}`,
      'My share initialized',
      // Not part of trust-server's contract (nothing there reads it): for the operator, who
      // re-installs after every reshare (docs/trust-server.md).
      `Group epoch = ${signer.epoch}`,
      '',
    ].join('\n');
  }
  if (command === 'get-nonce') {
    const n = signer.getNonce();
    return `nonce_priv = ${n.nonce_priv}\nnonce_pub = ${n.nonce_pub}\n`;
  }
  for (const o of ['pub-nonces', 'my-nonce', 'message'])
    if (opts[o] === undefined)
      throw new SssError(
        `sign needs --${o} (trust-server passes --pub-nonces, --my-nonce, --message and --partial-sigs)`,
        { code: 'usage' },
      );
  const r = signer.sign({
    pubNonces: opts['pub-nonces'],
    myNonce: opts['my-nonce']!,
    message: opts.message!,
    partialSigs: opts['partial-sigs'] ?? '{}',
  });
  return (
    // trust-server needs a sigs line whenever there is no full signature: a retried chain that
    // reaches a holder already in the map gets the map back, not an output its regex cannot read.
    (r.alreadyIncluded ? 'already included\n' : '') +
    `sigs = ${JSON.stringify(r.sigs)}\n` +
    (r.fullSignature ? `full_signature: ${r.fullSignature}\n` : '')
  );
}
