/**
 * trust-server's signing contract over FROST (RFC 9591), without sessions: `getNonce` (stage 1) and
 * `sign` (stage 2), with the data shapes trust-server passes through its `sss-tool` command lines
 * (docs/trust-server.md). The CLI's `get-nonce` and `sign` and the library both call this.
 *
 * Stage 1: round 1 of FROST for this holder. `nonce_pub` is the two commitments, hiding then
 * binding (64 bytes, base64). `nonce_priv` is the two nonces (64 bytes, base64), sealed:
 *
 *   mask       = HKDF-SHA256(ikm = signing share, salt = "", info = LABEL || identifier || nonce_pub, 64)
 *   nonce_priv = (hiding nonce || binding nonce) XOR mask
 *
 * trust-server keeps `nonce_priv` in memory and puts it on the `sign` command line, which other
 * users of the host may read (/proc/<pid>/cmdline). A leaked pair of FROST nonces plus the public
 * signature share gives the signing share away; sealed, the string is useless without the share.
 * The mask is a pseudorandom function of the share (HKDF with a uniform 32-byte key) at a point
 * used once (nonce_pub is fresh per nonce), so it is a one-time pad; opening a `nonce_priv` with
 * another `nonce_pub` yields nonces whose commitments do not match, which `sign` refuses.
 *
 * Stage 2: the signer set is the monikers of `pubNonces`, each a holder of the group, mapped to its
 * FROST identifier; the commitment list is sorted by identifier. Every received share is verified
 * (RFC 9591 §5.4) before this holder adds its own; a bad one is named. The nonce is then consumed
 * in the NonceBook (a nonce signs at most once) and the share computed. When every signer's share
 * is present the shares are aggregated and the signature checked under the group key.
 */
import { hkdfSync } from 'node:crypto';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { SssError } from '../errors.js';
import {
  aggregateShares,
  checkElement,
  commitNonces,
  NonceCommitment,
  signShareWith,
  SigningGroup,
  verifyShareWith,
} from '../crypto/sign.js';
import { MONIKER, ORDER, Point, bytesToHex, compareIdentifiers, hexToBytes } from '../crypto/suite.js';
import type { NonceBook } from './nonce-book.js';

const LABEL = 'sss-tool/v1 trust-server nonce';

/** What signing needs from an installed share (checked by the caller: see install-files.ts). */
export interface ServerShare {
  moniker: string;
  identifier: string;
  signingShare: Uint8Array;
  groupKey: string;
  threshold: number;
  /** The group epoch the share belongs to (0 until the first reshare). */
  epoch: number;
  /** The group, checked against the share on first call (remembered). */
  group(): SigningGroup;
  /** Every holder of the group: moniker → identifier. */
  holders: ReadonlyMap<string, string>;
}

export interface ServerNonce {
  /** The sealed hiding and binding nonces, base64 (64 bytes). Secret: keep it until `sign`, once. */
  nonce_priv: string;
  /** The hiding and binding commitments, base64 (64 bytes). */
  nonce_pub: string;
}

export interface ServerSignRequest {
  /** {moniker: nonce_pub}, as an object or its JSON text. */
  pubNonces: unknown;
  /** This holder's `nonce_priv` from `getNonce`. */
  myNonce: string;
  /** The message as hex (trust-server sends the JWT signing input in hex) or bytes. */
  message: string | Uint8Array;
  /** {moniker: base64 signature share}, as an object or its JSON text; absent or {} at first. */
  partialSigs?: unknown;
}

export interface ServerSignResult {
  /** The partial signatures with this holder's added, keys sorted (absent when already included). */
  sigs: Record<string, string>;
  /** This holder's moniker was already in `partialSigs`: nothing was signed, the nonce is unused. */
  alreadyIncluded: boolean;
  /** The Ed25519 signature (128 hex), when every signer's share is present; it verifies. */
  fullSignature?: string;
}

/** The two calls of trust-server's contract for one holder. */
export class TrustServerSigner {
  readonly moniker: string;
  /** The group key, hex (trust-server's `Shared Pubkey`, the JWT `kid`). */
  readonly groupKey: string;
  readonly threshold: number;
  /** The group epoch of the installed share: after a reshare, an install of an older epoch is stale. */
  readonly epoch: number;
  readonly #share: ServerShare;
  readonly #book: NonceBook;

  constructor(share: ServerShare, book: NonceBook) {
    this.#share = share;
    this.#book = book;
    this.moniker = share.moniker;
    this.groupKey = share.groupKey;
    this.threshold = share.threshold;
    this.epoch = share.epoch;
  }

  /** Checks the share against the group's polynomial (what `info` reports as initialized). */
  checkShare(): void {
    this.#share.group();
  }

  /** Stage 1: fresh nonces, recorded as issued; returns them sealed with their commitments. */
  getNonce(): ServerNonce {
    const s = this.#share;
    const { nonces, commitment } = commitNonces(s.identifier, s.signingShare);
    const pub = concatBytes(hexToBytes(commitment.hiding), hexToBytes(commitment.binding));
    const priv = xor(concatBytes(nonces.hiding, nonces.binding), this.#mask(pub));
    nonces.hiding.fill(0);
    nonces.binding.fill(0);
    this.#book.issue(pub);
    return { nonce_priv: toBase64(priv), nonce_pub: toBase64(pub) };
  }

  /** Stage 2 (see the file header). Throws SssError naming the field and, where known, the culprit. */
  sign(req: ServerSignRequest): ServerSignResult {
    const s = this.#share;
    const group = s.group();
    const message = parseMessage(req.message);
    const signers = this.#signerSet(parseMap(req.pubNonces, '--pub-nonces'));
    const own = signers.find((c) => c.moniker === s.moniker);
    if (!own)
      throw new SssError(`this holder's nonce (${s.moniker}) is not in the signer set`, {
        code: 'mismatch',
        field: '--pub-nonces',
      });
    const received = this.#receivedShares(parseMap(req.partialSigs ?? {}, '--partial-sigs'), signers);
    const list: NonceCommitment[] = signers.map((c) => ({
      identifier: c.identifier,
      hiding: c.hiding,
      binding: c.binding,
    }));
    const bad = [...received]
      .filter(([m, share]) => !verifyShareWith(group, list, message, s.holders.get(m)!, share))
      .map(([m]) => m);
    if (bad.length)
      throw new SssError('invalid signature share', { code: 'signature', field: '--partial-sigs', culprits: bad });

    const alreadyIncluded = received.has(s.moniker);
    if (!alreadyIncluded) {
      const nonces = this.#openNonce(req.myNonce, own);
      if (!this.#book.consume(own.pub))
        throw new SssError(
          'this nonce was already used, or was not issued by get-nonce for this install; ask for a new one',
          { code: 'private', field: '--my-nonce' },
        );
      received.set(s.moniker, signShareWith(group, s.identifier, s.signingShare, nonces, list, message));
    }
    const sigs = Object.fromEntries(
      [...received].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, share]) => [m, toBase64(share)]),
    );
    const result: ServerSignResult = { alreadyIncluded, sigs };
    if (received.size === signers.length) result.fullSignature = this.#aggregate(list, message, received);
    return result;
  }

  #mask(noncePub: Uint8Array): Uint8Array {
    const info = concatBytes(utf8ToBytes(LABEL), hexToBytes(this.#share.identifier), noncePub);
    return new Uint8Array(hkdfSync('sha256', this.#share.signingShare, new Uint8Array(0), info, 64));
  }

  /** The signers of --pub-nonces, each a holder with valid commitments, sorted by identifier. */
  #signerSet(pubNonces: Map<string, string>) {
    const s = this.#share;
    const outsiders = [...pubNonces.keys()].filter((m) => !s.holders.has(m));
    if (outsiders.length)
      throw new SssError('not a holder of this group', {
        code: 'not-allowed',
        field: '--pub-nonces',
        culprits: outsiders,
      });
    const signers = [...pubNonces].map(([moniker, text]) => {
      const pub = fromBase64(text, 64, `--pub-nonces.${moniker}`);
      const hiding = bytesToHex(pub.subarray(0, 32));
      const binding = bytesToHex(pub.subarray(32));
      try {
        checkElement(hiding, 'hiding');
        checkElement(binding, 'binding');
      } catch (e) {
        throw new SssError(`not a valid nonce commitment (${(e as SssError).reason ?? 'bad point'})`, {
          code: 'malformed',
          field: `--pub-nonces.${moniker}`,
          culprit: moniker,
        });
      }
      return { moniker, identifier: s.holders.get(moniker)!, pub, hiding, binding };
    });
    if (signers.length < s.threshold)
      throw new SssError(
        `only ${signers.length} signer${signers.length === 1 ? '' : 's'}; the group needs at least ${s.threshold}`,
        { code: 'incomplete', field: '--pub-nonces' },
      );
    return signers.sort((a, b) => compareIdentifiers(a.identifier, b.identifier));
  }

  /** --partial-sigs: each from a signer of the set, a canonical scalar. */
  #receivedShares(partial: Map<string, string>, signers: { moniker: string }[]): Map<string, Uint8Array> {
    const inSet = new Set(signers.map((c) => c.moniker));
    const out = new Map<string, Uint8Array>();
    for (const [moniker, text] of partial) {
      if (!inSet.has(moniker))
        throw new SssError('a signature share from a signer not in --pub-nonces', {
          code: 'not-allowed',
          field: '--partial-sigs',
          culprit: moniker,
        });
      const share = fromBase64(text, 32, `--partial-sigs.${moniker}`);
      if (leScalar(share) >= ORDER)
        throw new SssError('not a canonical scalar', {
          code: 'malformed',
          field: `--partial-sigs.${moniker}`,
          culprit: moniker,
        });
      out.set(moniker, share);
    }
    return out;
  }

  /** Unseals --my-nonce and checks its commitments are the ones listed under this holder. */
  #openNonce(myNonce: string, own: { pub: Uint8Array; hiding: string; binding: string }) {
    const plain = xor(fromBase64(myNonce, 64, '--my-nonce'), this.#mask(own.pub));
    const hiding = plain.subarray(0, 32);
    const binding = plain.subarray(32);
    const h = leScalar(hiding);
    const b = leScalar(binding);
    const listed =
      h > 0n &&
      h < ORDER &&
      b > 0n &&
      b < ORDER &&
      bytesToHex(Point.BASE.multiply(h).toBytes()) === own.hiding &&
      bytesToHex(Point.BASE.multiply(b).toBytes()) === own.binding;
    if (!listed)
      throw new SssError(`its commitment is not the one listed under ${this.#share.moniker} in --pub-nonces`, {
        code: 'mismatch',
        field: '--my-nonce',
      });
    return { hiding: hiding.slice(), binding: binding.slice() };
  }

  #aggregate(list: NonceCommitment[], message: Uint8Array, shares: Map<string, Uint8Array>): string {
    const s = this.#share;
    const byId: Record<string, Uint8Array> = {};
    for (const [m, share] of shares) byId[s.holders.get(m)!] = share;
    const r = aggregateShares(s.group(), list, message, byId);
    if (!r.ok) {
      const who = [...s.holders].filter(([, id]) => r.invalid.includes(id)).map(([m]) => m);
      throw new SssError('invalid signature share', { code: 'signature', field: '--partial-sigs', culprits: who });
    }
    return bytesToHex(r.signature);
  }
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function leScalar(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Standard, canonical base64 of exactly `length` bytes; throws SssError naming the field. */
export function fromBase64(text: unknown, length: number, field: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text))
    throw new SssError('expected standard base64', { code: 'malformed', field });
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (bytes.length !== length)
    throw new SssError(`expected ${length} bytes, got ${bytes.length}`, { code: 'malformed', field });
  if (toBase64(bytes) !== text) throw new SssError('non-canonical base64', { code: 'malformed', field });
  return bytes;
}

function parseMessage(message: string | Uint8Array): Uint8Array {
  if (message instanceof Uint8Array) return message;
  if (typeof message !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(message))
    throw new SssError('expected hex with an even number of digits', { code: 'malformed', field: '--message' });
  return new Uint8Array(Buffer.from(message, 'hex'));
}

/**
 * A {moniker: string} map, from an object or from JSON text. The text is read by a strict scanner
 * rather than JSON.parse so that a repeated key is refused instead of silently overwritten: the
 * two values may be two different nonces or shares for one signer.
 */
export function parseMap(value: unknown, field: string): Map<string, string> {
  const entries: [string, unknown][] =
    typeof value === 'string'
      ? scanMap(value, field)
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value)
        : fail(field);
  const out = new Map<string, string>();
  for (const [k, v] of entries) {
    if (!MONIKER.test(k))
      throw new SssError(`${JSON.stringify(k.slice(0, 70))} is not a moniker`, { code: 'malformed', field });
    if (typeof v !== 'string')
      throw new SssError('expected a string value', { code: 'malformed', field: `${field}.${k}` });
    if (out.has(k)) throw new SssError('the same moniker appears twice', { code: 'duplicate', field, culprit: k });
    out.set(k, v);
  }
  return out;
}

function fail(field: string): never {
  throw new SssError('expected a JSON object {moniker: string}', { code: 'malformed', field });
}

// Keys and values are checked after the scan (monikers, base64), which refuses control characters.
const ENTRY = /\s*"([^"\\]*)"\s*:\s*"([^"\\]*)"\s*/y;

function scanMap(text: string, field: string): [string, string][] {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) fail(field);
  const body = t.slice(1, -1);
  const out: [string, string][] = [];
  if (!body.trim()) return out;
  let at = 0;
  for (;;) {
    ENTRY.lastIndex = at;
    const m = ENTRY.exec(body);
    if (!m) fail(field);
    out.push([m[1], m[2]]);
    at = ENTRY.lastIndex;
    if (at === body.length) return out;
    if (body[at] !== ',') fail(field);
    at++;
  }
}
