/**
 * Share encryption: HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
 * ChaCha20-Poly1305, through the @hpke/* packages. The info string binds a ciphertext to its
 * purpose, ceremony, sender and recipient, so it cannot be replayed elsewhere.
 */
import { CipherSuite, HkdfSha256, DhkemX25519HkdfSha256 as NativeDhkemX25519 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { x25519 } from '@noble/curves/ed25519.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { hexToBytes } from './suite.js';

const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

/**
 * The same suite with @hpke/core's DHKEM(X25519), which runs X25519 in the platform's WebCrypto
 * (OpenSSL in Node) instead of JavaScript: opening is deterministic, so both give the same bytes,
 * and a finalize opens N−1 shares. Sealing keeps the suite above.
 */
const opener = new CipherSuite({
  kem: new NativeDhkemX25519(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

export interface Sealed {
  /** The KEM's encapsulated key, 32 bytes. */
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/** The HPKE info: label || ceremony || sender identifier || recipient identifier (32 bytes each). */
export function hpkeInfo(label: string, ceremony: string, sender: string, recipient: string): Uint8Array {
  return concatBytes(utf8ToBytes(label), utf8ToBytes(ceremony), hexToBytes(sender), hexToBytes(recipient));
}

/** Encrypts plaintext to an X25519 public key. */
export async function seal(recipientPublicKey: Uint8Array, info: Uint8Array, plaintext: Uint8Array): Promise<Sealed> {
  const pk = await suite.kem.importKey('raw', ab(recipientPublicKey), true);
  const ctx = await suite.createSenderContext({ recipientPublicKey: pk, info: ab(info) });
  const ct = await ctx.seal(ab(plaintext));
  return { enc: new Uint8Array(ctx.enc), ciphertext: new Uint8Array(ct) };
}

type ImportedKey = Awaited<ReturnType<typeof opener.kem.importKey>>;
export interface RecipientKeys {
  privateKey: ImportedKey;
  publicKey: ImportedKey;
}

/**
 * A recipient's X25519 key pair imported once, for opening many ciphertexts: given the secret key
 * alone, every open derives the public key again (an X25519 multiplication in JavaScript).
 */
export async function recipientKeys(secretKey: Uint8Array): Promise<RecipientKeys> {
  return {
    privateKey: await opener.kem.importKey('raw', ab(secretKey), false),
    publicKey: await opener.kem.importKey('raw', ab(x25519.getPublicKey(secretKey)), true),
  };
}

/** Decrypts with an X25519 secret key (or its recipientKeys); throws if the ciphertext or its binding is wrong. */
export async function open(
  recipient: Uint8Array | RecipientKeys,
  info: Uint8Array,
  sealed: Sealed,
): Promise<Uint8Array> {
  const recipientKey =
    recipient instanceof Uint8Array ? await opener.kem.importKey('raw', ab(recipient), false) : recipient;
  const ctx = await opener.createRecipientContext({ recipientKey, enc: ab(sealed.enc), info: ab(info) });
  return new Uint8Array(await ctx.open(ab(sealed.ciphertext)));
}
