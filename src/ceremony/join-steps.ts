/**
 * The three steps of a join, as functions from the audited public state and the author's keys to
 * the artifact the author publishes: the newcomer's request, an approver's approval, the newcomer's
 * finalize (after opening the fragments). The CLI (src/cli/join-run.ts) adds files and passphrases;
 * tests and benchmarks call these directly.
 */
import { digest, signArtifact } from '../artifacts/canonical.js';
import { JoinApproval, JoinFinalize, JoinManifest, JoinRequest } from '../artifacts/join.js';
import { IdentityFields, identityFields } from '../artifacts/identity.js';
import { FORMATS } from '../artifacts/schemas.js';
import {
  FRAGMENT_LABEL,
  OpenedFragment,
  combineFragments,
  encodeMaskCommitment,
  joinFragment,
  pairMasks,
} from '../crypto/join.js';
import { hpkeInfo, open, seal } from '../crypto/hpke.js';
import {
  CIPHERSUITE,
  Fn,
  Point,
  bytesToHex,
  compareIdentifiers,
  decodeScalar,
  encodePoint,
  hexToBytes,
} from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { JoinAudit } from './join.js';
import { GroupPackage } from './report.js';

/** The public identity and secret keys of whoever writes an artifact (src/local/identity's Identity fits). */
export interface Author extends IdentityFields {
  signingSecret: Uint8Array;
  encryptionSecret: Uint8Array;
}

/** ceremony.json for a join that extends `group`. */
export function joinManifest(ceremony: string, group: GroupPackage, newcomerGithub?: string): JoinManifest {
  return {
    format: FORMATS.ceremony,
    ceremony,
    kind: 'join',
    ciphersuite: CIPHERSUITE,
    threshold: group.threshold,
    publicKey: group.publicKey,
    extends: group.ceremonies[group.ceremonies.length - 1].id,
    groupDigest: digest(group),
    identityBinding: 'github-ssh-signing-key',
    ...(newcomerGithub ? { newcomerGithub } : {}),
  };
}

/**
 * The newcomer's signed request. Refuses a moniker or identifier already in the group, an approver
 * who holds no share, an approver named twice and fewer approvers than the threshold.
 * `joinKey` is the public half of a fresh X25519 key kept for this join only.
 */
export function joinRequest(
  ceremony: string,
  me: Author,
  group: GroupPackage,
  approvers: string[],
  joinKey: string,
): JoinRequest {
  const members = new Map(group.participants.map((p) => [p.moniker, p]));
  if (members.has(me.moniker))
    throw new SssError(`${me.moniker} is already a member of the group`, {
      code: 'duplicate',
      field: 'moniker',
      culprit: me.moniker,
    });
  const same = group.participants.find((p) => p.identifier === me.identifier);
  if (same)
    throw new SssError(`your identifier is already ${same.moniker}'s in the group`, {
      code: 'duplicate',
      field: 'identifier',
      culprit: me.moniker,
    });
  const seen = new Set<string>();
  for (const a of approvers) {
    if (!members.has(a))
      throw new SssError(
        `approver ${a} does not hold a share of the group (holders: ${[...members.keys()].join(', ')})`,
        { code: 'usage', field: '--approvers' },
      );
    if (seen.has(a)) throw new SssError(`approver ${a} is named twice`, { code: 'usage', field: '--approvers' });
    seen.add(a);
  }
  if (approvers.length < group.threshold)
    throw new SssError(
      `${approvers.length} approver${approvers.length === 1 ? '' : 's'}, but the threshold is ${group.threshold}: name at least ${group.threshold}`,
      { code: 'usage', field: '--approvers' },
    );
  const sorted = [...approvers].sort((a, b) =>
    compareIdentifiers(members.get(a)!.identifier, members.get(b)!.identifier),
  );
  return signArtifact(
    {
      format: FORMATS.joinRequest,
      ceremony,
      ...identityFields(me),
      groupDigest: digest(group),
      joinKey,
      approvers: sorted,
    },
    me.signingSecret,
  ) as JoinRequest;
}

/**
 * An approver's approval of the audited request: σ_i = λ_i·s_i + μ_i encrypted to the newcomer's
 * join key, S_i = σ_i·G and the pair mask commitments. `signingShare` is the approver's s_i.
 */
export async function joinApproval(audit: JoinAudit, me: Author, signingShare: bigint): Promise<JoinApproval> {
  const { request, requestDigest, newcomerX, approverSet, mine } = approverOf(audit, me, signingShare);
  const partners = approverSet.filter((h) => h !== mine);
  const masks = pairMasks(
    audit.ceremony,
    requestDigest,
    { identifier: me.identifier, x: mine.x, encryptionSecret: me.encryptionSecret },
    partners.map((h) => ({ identifier: h.participant.identifier, x: h.x, encryptionKey: h.participant.encryptionKey })),
  );
  const { sigma } = joinFragment(
    mine.x,
    signingShare,
    approverSet.map((h) => h.x),
    newcomerX,
    masks,
  );
  const maskCommitments: Record<string, string> = {};
  partners.forEach(
    (h, i) => (maskCommitments[h.participant.moniker] = encodeMaskCommitment(Point.BASE.multiply(masks[i].mask))),
  );
  const plain = Fn.toBytes(sigma);
  const sealed = await seal(
    hexToBytes(request.joinKey),
    hpkeInfo(FRAGMENT_LABEL, audit.ceremony, me.identifier, request.identifier),
    plain,
  );
  plain.fill(0);
  return signArtifact(
    {
      format: FORMATS.joinApproval,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      requestDigest,
      fragment: { enc: bytesToHex(sealed.enc), ciphertext: bytesToHex(sealed.ciphertext) },
      fragmentCommitment: encodePoint(Point.BASE.multiply(sigma)),
      maskCommitments,
    },
    me.signingSecret,
  ) as JoinApproval;
}

/**
 * The approver's entry in the audited request's approver set H, for `me` holding `signingShare`:
 * its identifier as the group records it, and s_i·G its verifying share Y_i.
 */
function approverOf(audit: JoinAudit, me: Author, signingShare: bigint) {
  const request = audit.request?.artifact;
  const { approverSet, requestDigest, newcomerX } = audit;
  if (!request || !approverSet || !requestDigest || newcomerX === undefined)
    throw new SssError(`ceremony ${audit.ceremony} has no valid request to approve (${audit.awaiting})`, {
      code: 'incomplete',
    });
  const mine = approverSet.find((h) => h.participant.moniker === me.moniker);
  if (!mine)
    throw new SssError(`${me.moniker} is not among the request's approvers (${request.approvers.join(', ')})`, {
      code: 'not-allowed',
      field: 'approvers',
      culprit: me.moniker,
    });
  if (mine.participant.identifier !== me.identifier)
    throw new SssError("your identifier differs from the group's record of you", {
      code: 'mismatch',
      field: 'identifier',
    });
  if (!Point.BASE.multiply(signingShare).equals(mine.Y))
    throw new SssError(
      `your share does not match your verifying share in the group state after ${audit.manifest!.extends}`,
      { code: 'inconsistent', field: 'signingShare' },
    );
  return { request, requestDigest, newcomerX, approverSet, mine };
}

/**
 * The newcomer's side: decrypts every fragment with the join key's secret, checks each against its
 * S_i (naming the approver) and the sum against Y(x_n). Needs an audit with all approvals in.
 */
export async function openFragments(
  audit: JoinAudit,
  joinSecret: Uint8Array,
): Promise<{ signingShare: bigint; verifyingShare: Point }> {
  const request = audit.request?.artifact;
  if (!request || !audit.expectedShare)
    throw new SssError(`ceremony ${audit.ceremony} is not ready to finalize: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
    });
  const fragments: OpenedFragment[] = [];
  for (const [moniker, a] of audit.approvals) {
    const field = 'fragment';
    let plain: Uint8Array;
    try {
      plain = await open(
        joinSecret,
        hpkeInfo(FRAGMENT_LABEL, audit.ceremony, a.artifact.identifier, request.identifier),
        {
          enc: hexToBytes(a.artifact.fragment.enc),
          ciphertext: hexToBytes(a.artifact.fragment.ciphertext),
        },
      );
    } catch {
      throw new SssError('the fragment addressed to you does not decrypt', {
        code: 'inconsistent',
        file: a.file,
        field,
        culprit: moniker,
      });
    }
    try {
      fragments.push({ id: moniker, sigma: decodeScalar(bytesToHex(plain), field), S: a.S });
    } catch (e) {
      throw new SssError(`decrypted fragment: ${(e as SssError).reason}`, {
        code: 'inconsistent',
        file: a.file,
        field,
        culprit: moniker,
      });
    } finally {
      plain.fill(0);
    }
  }
  try {
    return combineFragments(fragments, audit.expectedShare);
  } catch (e) {
    const err = e as SssError;
    const first = err.culprits[0];
    throw new SssError(err.reason, {
      code: err.code,
      file: first ? audit.approvals.get(first)?.file : undefined,
      field: first ? 'fragmentCommitment' : undefined,
      culprits: err.culprits,
    });
  }
}

/** The newcomer's finalize.json: its verifying share, bound to the request and the approvals. */
export function joinFinalize(audit: JoinAudit, me: Author, verifyingShare: string): JoinFinalize {
  if (!audit.requestDigest || !audit.approvalsDigest)
    throw new SssError(`ceremony ${audit.ceremony} is not ready to finalize: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
    });
  return signArtifact(
    {
      format: FORMATS.joinFinalize,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      requestDigest: audit.requestDigest,
      approvalsDigest: audit.approvalsDigest,
      verifyingShare,
    },
    me.signingSecret,
  ) as JoinFinalize;
}
