/**
 * Deterministic randomness for the golden transcript's generator ONLY (test/golden/make.mjs loads
 * it into each CLI process with NODE_OPTIONS=--import). Never load it anywhere else: every key it
 * yields is public knowledge.
 *
 * Every library sss-tool uses draws its randomness from globalThis.crypto.getRandomValues:
 * @noble/hashes' randomBytes (and through it @noble/curves: secret keys, FROST polynomials, proofs
 * of knowledge, signing nonces, scalar blinding), @hpke/common's randomBytesAsync (HPKE ephemeral
 * keys) and age-encryption (file keys, scrypt salts, nonces). This module replaces that one
 * function with a ChaCha20 keystream (node:crypto) keyed by SHA-256(seed || 0 || label), where
 * SSS_TOOL_GOLDEN_SEED and SSS_TOOL_GOLDEN_LABEL come from the generator (one label per command).
 *
 * Draws are sorted by who asks (the call stack) into independent streams, so that a refactoring
 * which multiplies, checks or encrypts a private file once more or once less does not shift the
 * bytes the committed artifacts show:
 * - scratch: draws that cannot change any public byte: noble's scalar blinding and its probe, the
 *   batch checks' random weights, the audit's X25519 key checks, age's encryption of private files;
 * - hpke: HPKE ephemeral keys (dealt shares, join fragments);
 * - frost: FROST polynomials, proofs of knowledge and signing nonces (@noble/curves' frost.js);
 * - keys: everything else (identity keys, the join key).
 */
import { createCipheriv, createHash } from 'node:crypto';

const seed = process.env.SSS_TOOL_GOLDEN_SEED;
const label = process.env.SSS_TOOL_GOLDEN_LABEL ?? '';
if (!seed) throw new Error('seeded-random.mjs: SSS_TOOL_GOLDEN_SEED is not set');

/** An endless ChaCha20 keystream (RFC 8439 cipher over zeros, counter from 0). */
function stream(name) {
  const key = createHash('sha256').update(`${seed}\0${label}\0${name}`).digest();
  const cipher = createCipheriv('chacha20', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** First match wins: blinding inside FROST signing is scratch, not frost. */
const STREAMS = [
  ['scratch', /mulCTBlinded|probeRandomBytes|randomWeight|checkEncryptionKey|\baudit[A-Z]|age-encryption/],
  ['hpke', /@hpke\//],
  ['frost', /abstract\/frost\.js/],
  ['keys', /(?:)/],
].map(([name, pattern]) => ({ name, pattern, next: stream(name) }));

function caller() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

function getRandomValues(array) {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const stack = caller();
  const from = STREAMS.find((s) => s.pattern.test(stack));
  bytes.set(from.next(bytes.length));
  if (process.env.SSS_TOOL_GOLDEN_TRACE)
    process.stderr.write(`[golden ${label}] ${from.name} ${bytes.length}\n${stack}\n`);
  return array;
}

Object.defineProperty(globalThis.crypto, 'getRandomValues', {
  value: getRandomValues,
  configurable: true,
  writable: true,
});
