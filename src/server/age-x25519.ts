/**
 * Reading the server's share file: an age file (age-encryption.org/v1, C2SP) for one X25519
 * recipient, decrypted with the identity the operator supplies. `install` writes it with the
 * age-encryption library; this module only reads it, because that library loads its
 * post-quantum and NIST-curve recipients on import (~90 ms), which a command spawned per request
 * cannot pay. The same files open with `age -d -i key.txt`.
 *
 * What is checked, as the age specification defines it, for the one shape install writes:
 *
 *   header  = "age-encryption.org/v1\n" "-> X25519 " b64(E) "\n" b64(body) "\n" "--- " b64(mac) "\n"
 *   shared  = X25519(identity, E), refused when all-zero (E of small order)
 *   wrapKey = HKDF-SHA256(ikm = shared, salt = E || identity·B, info = "age-encryption.org/v1/X25519")
 *   fileKey = ChaCha20-Poly1305(wrapKey, nonce 0^12).open(body)            (16 bytes)
 *   mac     = HMAC-SHA256(HKDF-SHA256(fileKey, salt = "", info = "header"), header up to "---")
 *   payload = nonce(16) || ChaCha20-Poly1305(HKDF-SHA256(fileKey, nonce, "payload"), 0^11 || 1)
 *
 * The payload must be one final STREAM chunk (at most 64 KiB): a share file is ~1 kB. Anything
 * else (other stanzas, several chunks, a bad tag or MAC) is refused as "not a server share file
 * for this identity". b64 is base64 without padding, canonical. X25519, HKDF, HMAC and
 * ChaCha20-Poly1305 are OpenSSL's (node:crypto): noble's pure-JS X25519 costs ~40 ms cold.
 */
import {
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import { bech32 } from '@scure/base';
import { SssError } from '../errors.js';

const VERSION_LINE = 'age-encryption.org/v1';
const CHUNK = 64 * 1024;

/** The 32 secret bytes of an `AGE-SECRET-KEY-1…` identity; throws SssError naming `field`. */
export function decodeAgeIdentity(text: string, field: string): Uint8Array {
  // An age-keygen file: '#' comment lines, then the key; or the key alone.
  const s = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .join('\n');
  let decoded: { prefix: string; bytes: Uint8Array } | undefined;
  try {
    if (s.startsWith('AGE-SECRET-KEY-1')) decoded = bech32.decodeToBytes(s);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded.prefix.toUpperCase() !== 'AGE-SECRET-KEY-' || decoded.bytes.length !== 32)
    throw new SssError('expected an age X25519 identity (AGE-SECRET-KEY-1…)', { code: 'malformed', field });
  return decoded.bytes;
}

// X25519 keys as OpenSSL takes them: the fixed DER prefixes of RFC 8410's PKCS#8 and SPKI forms.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const privateKeyOf = (secret: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([PKCS8_X25519, secret]), format: 'der', type: 'pkcs8' });
const publicKeyBytes = (key: KeyObject) =>
  Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' })).subarray(SPKI_X25519.length);

/** The `age1…` recipient of an identity's secret bytes. */
export function ageRecipientOf(secret: Uint8Array): string {
  return bech32.encodeFromBytes('age', publicKeyBytes(privateKeyOf(secret)));
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer {
  if (sealed.length < 16) throw new Error('short');
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

/**
 * Decrypts an age file written for one X25519 recipient with that recipient's identity (secret
 * bytes). Throws SssError located in `file` on any mismatch; never says which check failed, so the
 * error cannot be used as an oracle. The primitives are OpenSSL's (node:crypto), whose X25519
 * refuses an all-zero shared secret (an ephemeral key of small order).
 */
export function decryptAgeX25519(data: Uint8Array, secret: Uint8Array, file: string): Uint8Array {
  const refuse = () =>
    new SssError('not a server share file for this identity (wrong identity, or a damaged or foreign file)', {
      code: 'private',
      file,
    });
  try {
    const { stanzaArg, body, headerNoMac, mac, payload } = splitFile(data);
    const ephemeral = base64NoPad(stanzaArg);
    if (ephemeral.length !== 32 || body.length !== 32) throw refuse();
    const privateKey = privateKeyOf(secret);
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, ephemeral]), format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey, publicKey });
    const wrapKey = hkdf(
      shared,
      Buffer.concat([ephemeral, publicKeyBytes(privateKey)]),
      'age-encryption.org/v1/X25519',
    );
    const fileKey = open(wrapKey, new Uint8Array(12), body);
    const macKey = hkdf(fileKey, new Uint8Array(0), 'header');
    const expected = createHmac('sha256', macKey).update(headerNoMac).digest();
    if (mac.length !== 32 || !timingSafeEqual(expected, mac)) throw refuse();
    if (payload.length < 16 + 16 || payload.length > 16 + CHUNK + 16) throw refuse();
    const streamKey = hkdf(fileKey, payload.subarray(0, 16), 'payload');
    const lastChunk = new Uint8Array(12);
    lastChunk[11] = 1;
    return new Uint8Array(open(streamKey, lastChunk, payload.subarray(16)));
  } catch (e) {
    if (e instanceof SssError) throw e;
    throw refuse();
  }
}

/** age's base64: standard alphabet, no padding, canonical (re-encoding gives the same text). */
function base64NoPad(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) throw new Error('base64');
  const b = Buffer.from(text, 'base64');
  if (b.toString('base64').replace(/=+$/, '') !== text) throw new Error('base64');
  return b;
}

/** The header's parts for the one-X25519-stanza shape; throws on anything else. */
function splitFile(data: Uint8Array) {
  const lines: string[] = [];
  let at = 0;
  // Four header lines, each ended by "\n"; what follows the fourth is the binary payload.
  while (lines.length < 4) {
    const end = data.indexOf(0x0a, at);
    if (end < 0 || end - at > 200) throw new Error('header');
    lines.push(new TextDecoder('ascii', { fatal: true }).decode(data.subarray(at, end)));
    at = end + 1;
  }
  const [version, stanza, bodyLine, macLine] = lines;
  const args = stanza.split(' ');
  if (
    version !== VERSION_LINE ||
    args.length !== 3 ||
    args[0] !== '->' ||
    args[1] !== 'X25519' ||
    !macLine.startsWith('--- ')
  )
    throw new Error('header');
  const macStart = at - macLine.length - 1;
  return {
    stanzaArg: args[2],
    body: base64NoPad(bodyLine),
    // The MAC covers the header up to and including "---" (not the space and MAC after it).
    headerNoMac: data.subarray(0, macStart + 3),
    mac: base64NoPad(macLine.slice(4)),
    payload: data.subarray(at),
  };
}
