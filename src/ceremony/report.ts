/**
 * What a ceremony audit returns: its phase, who has done what, what is awaited, every problem found
 * (each naming a file, a field and, where someone misbehaved, the culprit) and, once complete, the
 * group's public package.
 */
import { IdentityFields, identityFields } from '../artifacts/identity.js';
import { SssError } from '../errors.js';

export type Phase = 'setup' | 'round1' | 'round2' | 'finalize' | 'request' | 'approvals' | 'complete' | 'invalid';
export type StepState = 'done' | 'awaited' | 'invalid' | '-';

export interface Row {
  moniker: string;
  github?: string;
  steps: Record<string, StepState>;
}

export interface GroupParticipant {
  moniker: string;
  identifier: string;
  verifyingShare: string;
  signingKey: string;
  encryptionKey: string;
  github?: string;
  endpoint?: string;
  /** The ceremony in which the participant received its share. */
  ceremony: string;
}

/** A participant's entry in the group package, from its public identity. */
export function groupParticipant(a: IdentityFields, verifyingShare: string, ceremony: string): GroupParticipant {
  const { moniker, identifier, ...rest } = identityFields(a);
  return { moniker, identifier, verifyingShare, ...rest, ceremony };
}

/** The group's public package, as written to public_info/group.json. */
export interface GroupPackage {
  format: 'sss-tool/group@1';
  ciphersuite: string;
  publicKey: string;
  threshold: number;
  /** The group commitment C_0..C_{M-1}; C_0 is the public key. */
  commitment: string[];
  participants: GroupParticipant[];
  /** The ceremonies this state is made of, in order: the genesis DKG, then each join. */
  ceremonies: { id: string; kind: 'dkg' | 'join' }[];
}

export interface Report {
  ceremony: string;
  kind: 'dkg' | 'join' | 'unknown';
  phase: Phase;
  threshold?: number;
  participants?: number;
  /** Column names of the round table, in order. */
  steps: string[];
  rows: Row[];
  /** One sentence: what the ceremony waits for, and from whom. */
  awaiting: string;
  errors: SssError[];
  /** Present when the ceremony is complete: the group's state after it. */
  group?: GroupPackage;
  digests?: Record<string, string>;
}

export function invalidReport(ceremony: string, errors: SssError[]): Report {
  return {
    ceremony,
    kind: 'unknown',
    phase: 'invalid',
    steps: [],
    rows: [],
    awaiting: 'a valid ceremony.json',
    errors,
  };
}
