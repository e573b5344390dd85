/**
 * Threshold signing from the command line (docs/signing.md): sign-commit, sign-share,
 * sign-aggregate, jwt and verify-signature. Options only: each command loads its body
 * (src/cli/sign-run.ts) when it runs.
 */
import { Command } from 'commander';
import { makeContext, withGlobals } from './context.js';

export function register(p: Command): void {
  registerRounds(p);
  registerJwt(p);
  registerVerifySignature(p);
}

/** The FROST rounds (RFC 9591 §5): commit, share, then the coordinator's aggregate. */
function registerRounds(p: Command): void {
  withGlobals(
    p
      .command('sign-commit')
      .description(
        'signing round 1: make fresh nonces for a session (kept age-encrypted in the home dir, one use) and print their public commitment',
      )
      .option('--session <id>', 'the signing session id the coordinator chose (default: a random one)')
      .option('--out <file>', 'write the commitment to this file instead of printing it'),
  ).action(async (opts) => (await import('./sign-run.js')).signCommit(makeContext(opts), opts));

  withMessage(
    withGlobals(
      p
        .command('sign-share')
        .description(
          "signing round 2: this holder's signature share over the message, for the session's commitment list (uses the session's nonces once)",
        )
        .requiredOption('--session <id>', 'the session of your sign-commit')
        .requiredOption(
          '--commitments <paths...>',
          "every signer's commitment file (or a folder of them), yours included",
        )
        .option('--out <file>', 'write the share to this file instead of printing it'),
    ),
  ).action(async (opts) => (await import('./sign-run.js')).signShareCommand(makeContext(opts), opts));

  withMessage(
    withGlobals(
      p
        .command('sign-aggregate')
        .description(
          'check every signature share, aggregate them and print the Ed25519 signature (hex) after verifying it under the group key',
        )
        .requiredOption('--commitments <paths...>', 'the commitment files (or a folder) the shares were made over')
        .requiredOption('--shares <paths...>', 'the signature share files (or a folder)')
        .option('--group <file>', 'public_info/group.json (default: the group of the share file in the home dir)')
        .option('--jwt', 'print the signature as base64url (a JWT signature segment) instead of hex'),
    ),
  ).action(async (opts) => (await import('./sign-run.js')).signAggregate(makeContext(opts), opts));
}

/** The same rounds over a JWT's signing input (EdDSA), and the compact JWT they make. */
function registerJwt(p: Command): void {
  withGlobals(
    p
      .command('jwt')
      .description(
        'sign a JWT {"alg":"EdDSA","typ":"JWT","kid":<group key>}: with --session, your signature share over its signing input; with --shares, the compact JWT',
      )
      .option('--claims <json>', 'the JWT claims, a JSON object')
      .option('--claims-file <file>', 'read the claims JSON from a file')
      .requiredOption('--commitments <paths...>', "every signer's commitment file (or a folder), from sign-commit")
      .option('--session <id>', 'round 2: the session of your sign-commit; prints your share')
      .option('--shares <paths...>', 'aggregation: the signature share files (or a folder); prints the JWT')
      .option(
        '--group <file>',
        'with --shares: public_info/group.json (default: the group of the share file in the home dir)',
      )
      .option('--out <file>', 'write the share (or the JWT) to this file instead of printing it'),
  ).action(async (opts) => (await import('./sign-run.js')).jwtCommand(makeContext(opts), opts));
}

function registerVerifySignature(p: Command): void {
  withMessage(
    withGlobals(
      p
        .command('verify-signature')
        .description('check an Ed25519 signature over a message under the group key')
        .requiredOption('--signature <sig>', 'the 64-byte signature: 128 hex characters (or 86 base64url characters)')
        .option('--public-key <file>', 'the group key file (default: public_info/public_key.txt in --repo)'),
    ),
  ).action(async (opts) => (await import('./verify-signature-run.js')).verifySignatureCommand(makeContext(opts), opts));
}

function withMessage(cmd: Command): Command {
  return cmd
    .option('--message-hex <hex>', 'the message, as hex')
    .option('--message-file <file>', 'the message: the exact bytes of this file');
}
