/** Signing groups made by code for the signing tests: a trusted dealer, shares as ShareFiles. */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { bytesToHex, CIPHERSUITE, identifierFor } from '../src/crypto/suite.js';
import type { ShareFile } from '../src/local/share.js';

export interface Group {
  publicKey: string;
  threshold: number;
  commitment: string[];
  monikers: string[];
  shares: ShareFile[];
}

/** An m-of-n group whose participants are named `<prefix>0`..; identifiers derived from monikers. */
export function dealGroup(n: number, m: number, prefix = 'p'): Group {
  const monikers = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const ids = monikers.map(identifierFor);
  const deal = ed25519_FROST.trustedDealer({ min: m, max: n }, ids);
  const commitment = deal.public.commitments.map((c) => bytesToHex(c));
  const shares: ShareFile[] = monikers.map((moniker, i) => ({
    format: 'sss-tool/share@1',
    ciphersuite: CIPHERSUITE,
    ceremony: 'genesis',
    moniker,
    identifier: ids[i],
    signingShare: bytesToHex(deal.secretShares[ids[i]].signingShare),
    verifyingShare: bytesToHex(deal.public.verifyingShares[ids[i]]),
    group: { publicKey: commitment[0], threshold: m, commitment, genesis: 'genesis' },
  }));
  return { publicKey: commitment[0], threshold: m, commitment, monikers, shares };
}

/** Every k-subset of [0, n), in lexicographic order. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push([...acc]);
    for (let i = start; i < n; i++) rec(i + 1, [...acc, i]);
  };
  rec(0, []);
  return out;
}

/** A group key (hex) as a node:crypto / jose public key. */
export function publicKeyObject(hex: string) {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

/** node:crypto's (OpenSSL's) Ed25519 verification. */
export function opensslVerifies(publicKeyHex: string, message: Uint8Array, signature: Uint8Array): boolean {
  return nodeVerify(null, message, publicKeyObject(publicKeyHex), signature);
}
