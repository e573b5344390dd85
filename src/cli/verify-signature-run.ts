/**
 * verify-signature (options: src/cli/sign.ts): an Ed25519 signature over a message under the group
 * key. Its own module, apart from src/cli/sign-run.ts, so that a check loads none of the signing
 * machinery (age, the share file, FROST), and a good signature not even @noble/curves: it starts
 * as fast as a command can (docs/benchmarks.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validByOpenSsl } from '../crypto/ed25519-openssl.js';
import { SssError } from '../errors.js';
import { Context } from './context.js';
import { MessageOptions, readMessage } from './message.js';

export async function verifySignatureCommand(
  ctx: Context,
  opts: { signature: string; publicKey?: string } & MessageOptions,
): Promise<void> {
  const message = readMessage(opts);
  const keyFile = resolve(opts.publicKey ?? resolve(ctx.publicInfoDir, 'public_key.txt'));
  if (!existsSync(keyFile))
    throw new SssError('no group key file: pass --public-key public_info/public_key.txt', {
      code: 'usage',
      file: keyFile,
    });
  const key = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key))
    throw new SssError('expected the group key as 64 lowercase hex characters', { code: 'malformed', file: keyFile });
  const sig = parseSignatureText(opts.signature);
  // A good signature is confirmed by OpenSSL alone; anything else is decided by @noble/curves,
  // exactly as before (src/crypto/ed25519-openssl.ts says why the two agree).
  const valid =
    validByOpenSsl(Buffer.from(key, 'hex'), message, sig) ||
    (await import('../crypto/sign.js')).verifySignature(key, message, sig);
  if (!valid)
    throw new SssError(`the signature does not verify under the group key ${key}`, {
      code: 'signature',
      field: '--signature',
    });
  ctx.result({ valid: true, publicKey: key });
  ctx.say(`valid: an Ed25519 signature by the group key ${key}`);
}

function parseSignatureText(text: string): Uint8Array {
  if (/^[0-9a-fA-F]{128}$/.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
  if (/^[A-Za-z0-9_-]{86}$/.test(text)) return new Uint8Array(Buffer.from(text, 'base64url'));
  throw new SssError('expected 128 hex characters or 86 base64url characters', { code: 'usage', field: '--signature' });
}
