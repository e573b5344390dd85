/**
 * The full public audit of a join (enrollment) ceremony: every check of docs/protocol.md §7.7,
 * "Adding a participant", that can be made without a secret. `sss-tool verify`, `status`, the
 * participants' own commands and the Action all call `auditJoin`; the repository applies each
 * completed join to the group state it extends (src/ceremony/repository.ts).
 */
import { digest, verifyArtifactSignature } from '../artifacts/canonical.js';
import {
  JoinApproval,
  JoinFinalize,
  JoinManifest,
  JoinRequest,
  approvalsDigestOf,
  requestDigestOf,
} from '../artifacts/join.js';
import { parseWith } from '../artifacts/schemas.js';
import {
  ApprovalRelation,
  badApprovalRelations,
  decodeMaskCommitment,
  lagrangeCoefficients,
  maskCommitmentSum,
} from '../crypto/join.js';
import { evaluateCommitment } from '../crypto/msm.js';
import { Point, decodePoint, encodePoint, identifierToScalar } from '../crypto/suite.js';
import { SssError, SssErrorCode, located, names } from '../errors.js';
import { checkEncryptionKey, checkIdentityFields } from './dkg.js';
import { GroupPackage, GroupParticipant, Report, Row, groupParticipant } from './report.js';
import { awaitingAfterFixes, stepState } from './table.js';
import { checkReservedAccount, sameLogin } from './accounts.js';
import { CeremonyFiles, RawFile } from './tree.js';

/** The ceremony id a join extends (the last ceremony of the group state it starts from). */
export function joinExtends(files: CeremonyFiles): string | undefined {
  const v = files.manifest?.value as { extends?: unknown } | undefined;
  return typeof v?.extends === 'string' ? v.extends : undefined;
}

/** A holder of the group before the join, as the audit uses it. */
export interface Holder {
  participant: GroupParticipant;
  x: bigint;
}

/** An approver: a holder named in the request, with its verifying share Y_i decoded. */
export interface Approver extends Holder {
  Y: Point;
}

export interface VerifiedApproval {
  file: string;
  artifact: JoinApproval;
  x: bigint;
  /** λ_i at x_n over H. */
  lambda: bigint;
  /** The fragment commitment S_i, decoded. */
  S: Point;
}

export interface JoinAudit extends Report {
  manifest?: JoinManifest;
  groupBefore?: GroupPackage;
  request?: { file: string; artifact: JoinRequest };
  requestDigest?: string;
  newcomerX?: bigint;
  /** H: the approvers, sorted by identifier. */
  approverSet?: Approver[];
  /** Valid approvals by moniker. */
  approvals: Map<string, VerifiedApproval>;
  /** Present once all |H| approvals are in and valid. */
  approvalsDigest?: string;
  /** Y(x_n) = Σ_k x_n^k·C_k: the verifying share the newcomer must end with. */
  expectedShare?: Point;
  finalize?: { file: string; artifact: JoinFinalize };
}

const STEPS = ['request', 'approval', 'finalize'];

/** The group state a ceremony leaves, from an audited repository's reports (undefined if none). */
export function groupAfter(reports: Map<string, Report>, ceremony: string): GroupPackage | undefined {
  const r = reports.get(ceremony);
  return r?.phase === 'complete' ? r.group : undefined;
}

function holdersOf(group: GroupPackage): Map<string, Holder> {
  const out = new Map<string, Holder>();
  for (const p of group.participants) out.set(p.moniker, { participant: p, x: identifierToScalar(p.identifier) });
  return out;
}

/**
 * Audits a join ceremony against the group state before it (`groupBefore`: the genesis plus every
 * earlier join; undefined while there is none). Never throws for bad input: problems land in
 * `errors`, each naming the file, the field and, where someone misbehaved, who.
 */
export function auditJoin(files: CeremonyFiles, groupBefore: GroupPackage | undefined): JoinAudit {
  const audit: JoinAudit = {
    ceremony: files.id,
    kind: 'join',
    phase: 'invalid',
    steps: STEPS,
    rows: [],
    awaiting: '',
    errors: [...files.errors],
    approvals: new Map(),
  };

  // The manifest, and the group state it extends.
  const checked = checkJoinManifest(files, groupBefore, audit);
  if ('awaiting' in checked) return finish(audit, checked.awaiting);
  groupBefore = checked.groupBefore;
  audit.groupBefore = groupBefore;
  const holders = holdersOf(groupBefore);

  // The request.
  const rawRequest = files.singles.get('request');
  if (!rawRequest) {
    audit.phase = 'request';
    const github = checked.manifest.newcomerGithub; // join-open reserved the join for this account: mention them
    audit.rows = [{ moniker: '(newcomer)', github, steps: { request: 'awaited', approval: '-', finalize: '-' } }];
    return finish(audit, 'request.json from the newcomer');
  }
  const request = auditRequest(audit, rawRequest, checked.manifest, holders);
  const newcomer = request?.moniker ?? (rawRequest.value as { moniker?: unknown })?.moniker;

  // Approvals.
  const rawApprovals = files.byRole.get('approvals') ?? new Map<string, RawFile>();
  const H = new Set(request?.approvers ?? []);
  const order = checkApprovals(audit, request, { rawApprovals, H, holders, ceremony: files.id });
  const approvalsClosed = Boolean(request) && audit.approvals.size === H.size && rawApprovals.size === H.size;
  if (approvalsClosed && audit.approverSet) closeApprovals(audit, groupBefore, rawApprovals.get(order[0])?.file);

  // Finalize.
  const rawFinalize = files.singles.get('finalize');
  if (rawFinalize) auditJoinFinalize(audit, rawFinalize, request, approvalsClosed, H.size);

  // The round table, the phase and what is awaited.
  audit.rows = joinTable(audit, {
    newcomer: typeof newcomer === 'string' ? newcomer : '(newcomer)',
    H,
    holders,
    rawApprovals,
    finalizePresent: Boolean(rawFinalize),
    approvalsOk: approvalsClosed && audit.approvals.size === H.size && !audit.errors.length,
  });
  return finish(audit, joinPhase(audit, groupBefore, request, approvalsClosed, rawApprovals));
}

/** Sets the audit's digests and what it awaits, once its checks are done. */
function finish(audit: JoinAudit, awaiting: string): JoinAudit {
  audit.digests = {
    ...(audit.requestDigest ? { request: audit.requestDigest } : {}),
    ...(audit.approvalsDigest ? { approvals: audit.approvalsDigest } : {}),
  };
  audit.awaiting = awaitingAfterFixes(audit, awaiting);
  return audit;
}

/**
 * The newcomer's request (docs/protocol.md §7.2): when valid, its digest (§7.3), the newcomer's x
 * and the approver set H with each approver's verifying share, which the approvals are checked by.
 */
function auditRequest(
  audit: JoinAudit,
  raw: RawFile,
  manifest: JoinManifest,
  holders: Map<string, Holder>,
): JoinRequest | undefined {
  try {
    audit.request = {
      file: raw.file,
      artifact: checkRequest(raw, audit.ceremony, manifest, holders, audit.groupBefore!.threshold),
    };
  } catch (e) {
    audit.errors.push(located(e, { file: raw.file }));
  }
  const request = audit.request?.artifact;
  if (request) {
    audit.requestDigest = requestDigestOf(request);
    audit.newcomerX = identifierToScalar(request.identifier);
    audit.approverSet = request.approvers.map((m) => {
      const h = holders.get(m)!;
      return { ...h, Y: decodePoint(h.participant.verifyingShare, 'verifyingShare') };
    });
  }
  return request;
}

/** finalize.json (docs/protocol.md §7.6): only once all |H| approvals are in, else an error. */
function auditJoinFinalize(
  audit: JoinAudit,
  raw: RawFile,
  request: JoinRequest | undefined,
  approvalsClosed: boolean,
  approvers: number,
): void {
  try {
    if (!approvalsClosed || !audit.expectedShare || !request)
      throw new SssError(
        `finalize before every approval is in (${audit.approvals.size} of ${approvers} valid approvals)`,
        { code: 'incomplete', file: raw.file },
      );
    const f = checkJoinFinalize(raw, audit.ceremony, request, audit, audit.expectedShare);
    audit.finalize = { file: raw.file, artifact: f };
  } catch (e) {
    audit.errors.push(located(e, { file: raw.file }));
  }
}

/** The join's phase (set on the audit) and what it awaits; a complete join yields the new group. */
function joinPhase(
  audit: JoinAudit,
  groupBefore: GroupPackage,
  request: JoinRequest | undefined,
  approvalsClosed: boolean,
  rawApprovals: Map<string, RawFile>,
): string {
  if (!request) {
    audit.phase = 'invalid';
    return 'a valid request.json';
  }
  if (!approvalsClosed) {
    audit.phase = 'approvals';
    const awaited = request.approvers.filter((m) => !rawApprovals.has(m));
    const received = request.approvers.length - awaited.length;
    return awaited.length
      ? `approvals from ${names(awaited)} (${received} of ${request.approvers.length} received)`
      : 'valid approvals from every approver';
  }
  if (!audit.finalize) {
    audit.phase = 'finalize';
    return `finalize.json from ${request.moniker}`;
  }
  if (audit.errors.length) return 'nothing more';
  audit.phase = 'complete';
  audit.group = joinedGroup(groupBefore, request, audit.finalize.artifact.verifyingShare, audit.ceremony);
  return 'nothing: the join is complete';
}

/** The request's own checks, against the manifest and the group before the join. */
function checkRequest(
  raw: RawFile,
  ceremony: string,
  manifest: JoinManifest,
  holders: Map<string, Holder>,
  threshold: number,
): JoinRequest {
  const r = parseWith(JoinRequest, raw.value, raw.file);
  const c = r.moniker;
  const at = (reason: string, field: string, code: SssErrorCode = 'mismatch') =>
    new SssError(reason, { code, file: raw.file, field, culprit: c });
  if (r.ceremony !== ceremony) throw at(`a request for ceremony ${r.ceremony}, not ${ceremony}`, 'ceremony');
  checkIdentityFields(r, raw.file);
  checkReservedAccount(manifest.newcomerGithub, r.github, { file: raw.file, culprit: c, slot: 'the join is for' });
  if (!verifyArtifactSignature(r, r.signingKey)) throw at('bad artifact signature', 'signature', 'signature');
  if (holders.has(r.moniker)) throw at(`${r.moniker} is already a member of the group`, 'moniker', 'duplicate');
  for (const h of holders.values()) {
    const p = h.participant;
    if (p.identifier === r.identifier)
      throw at(`identifier is already ${p.moniker}'s in the group`, 'identifier', 'duplicate');
    if ([p.signingKey, p.encryptionKey].includes(r.signingKey))
      throw at(`reuses a public key of ${p.moniker}`, 'signingKey', 'duplicate');
    if ([p.signingKey, p.encryptionKey].includes(r.encryptionKey))
      throw at(`reuses a public key of ${p.moniker}`, 'encryptionKey', 'duplicate');
    if ([p.signingKey, p.encryptionKey].includes(r.joinKey))
      throw at(`reuses a public key of ${p.moniker}`, 'joinKey', 'duplicate');
    // One share per person: a holder's GitHub login cannot enrol a second identity.
    if (r.github && p.github && sameLogin(r.github, p.github))
      throw at(`GitHub login @${r.github} already holds a share as ${p.moniker}`, 'github', 'duplicate');
  }
  if (r.joinKey === r.encryptionKey || r.joinKey === r.signingKey)
    throw at('the join key must be fresh, not an identity key', 'joinKey', 'duplicate');
  try {
    checkEncryptionKey(r.joinKey, 'joinKey');
  } catch (e) {
    throw located(e, { file: raw.file, field: 'joinKey', culprit: c });
  }
  if (r.groupDigest !== manifest.groupDigest)
    throw at("groupDigest differs from ceremony.json's: the request is for another group state", 'groupDigest');
  for (const [i, m] of r.approvers.entries()) {
    const h = holders.get(m);
    if (!h) throw at(`approver ${m} does not hold a share of the group`, `approvers.${i}`, 'not-allowed');
    if (i > 0 && h.x <= holders.get(r.approvers[i - 1])!.x)
      throw at(
        h.x === holders.get(r.approvers[i - 1])!.x
          ? `approver ${m} is named twice`
          : 'approvers are not sorted by identifier',
        `approvers.${i}`,
        'malformed',
      );
  }
  if (r.approvers.length < threshold)
    throw at(`${r.approvers.length} approvers, fewer than the threshold ${threshold}`, 'approvers', 'incomplete');
  return r;
}

/** The group after a completed join: the newcomer added, the key and commitment unchanged. */
export function joinedGroup(
  before: GroupPackage,
  request: JoinRequest,
  verifyingShare: string,
  ceremony: string,
): GroupPackage {
  const newcomer = groupParticipant(request, verifyingShare, ceremony);
  return {
    ...before,
    participants: [...before.participants, newcomer].sort((a, b) =>
      a.moniker < b.moniker ? -1 : a.moniker > b.moniker ? 1 : 0,
    ),
    ceremonies: [...before.ceremonies, { id: ceremony, kind: 'join' }],
  };
}

/** The newcomer's finalize.json: its own, bound to the request, the approvals and Y(x_n). */
function checkJoinFinalize(
  raw: RawFile,
  ceremony: string,
  request: JoinRequest,
  audit: JoinAudit,
  expectedShare: Point,
): JoinFinalize {
  const f = parseWith(JoinFinalize, raw.value, raw.file);
  if (f.moniker !== request.moniker)
    throw new SssError(`finalize.json is the newcomer's (${request.moniker}), not ${f.moniker}'s`, {
      code: 'not-allowed',
      file: raw.file,
      field: 'moniker',
      culprit: f.moniker,
    });
  const c = f.moniker;
  if (f.ceremony !== ceremony)
    throw new SssError(`artifact belongs to ceremony ${f.ceremony}, not ${ceremony}`, {
      code: 'mismatch',
      file: raw.file,
      field: 'ceremony',
      culprit: c,
    });
  if (f.identifier !== request.identifier)
    throw new SssError("identifier differs from the request's", {
      code: 'mismatch',
      file: raw.file,
      field: 'identifier',
      culprit: c,
    });
  if (!verifyArtifactSignature(f, request.signingKey))
    throw new SssError('bad artifact signature', {
      code: 'signature',
      file: raw.file,
      field: 'signature',
      culprit: c,
    });
  if (f.requestDigest !== audit.requestDigest)
    throw new SssError("requestDigest differs from this ceremony's request.json", {
      code: 'mismatch',
      file: raw.file,
      field: 'requestDigest',
      culprit: c,
    });
  if (f.approvalsDigest !== audit.approvalsDigest)
    throw new SssError('approvalsDigest differs from the merged approvals: the newcomer saw other approvals', {
      code: 'mismatch',
      file: raw.file,
      field: 'approvalsDigest',
      culprit: c,
    });
  if (f.verifyingShare !== encodePoint(expectedShare))
    throw new SssError('verifying share is not Y(x_n) = Σ_k x_n^k·C_k (= Σ S_i): it is not a share of the group key', {
      code: 'inconsistent',
      file: raw.file,
      field: 'verifyingShare',
      culprit: c,
    });
  return f;
}

/**
 * ceremony.json and the group state it extends: its schema and id, on the group's current tip,
 * with the group's digest, threshold and key. Returns the manifest, or what is awaited instead.
 */
function checkJoinManifest(
  files: CeremonyFiles,
  groupBefore: GroupPackage | undefined,
  audit: JoinAudit,
): { manifest: JoinManifest; groupBefore: GroupPackage } | { awaiting: string } {
  const waitFor = (awaiting: string) => ({ awaiting });
  if (!files.manifest) {
    audit.errors.push(new SssError('missing ceremony.json', { code: 'io', file: `${files.dir}/ceremony.json` }));
    return waitFor('ceremony.json');
  }
  const manifest = parseJoinManifest(files.manifest, files.id, audit);
  if (!manifest) return waitFor('a valid ceremony.json');
  const mfile = files.manifest.file;
  audit.manifest = manifest;
  audit.threshold = manifest.threshold;
  if (!groupBefore) {
    audit.phase = 'setup';
    return waitFor(`the group: ceremony ${manifest.extends}, which this join extends, is not complete`);
  }
  const last = groupBefore.ceremonies[groupBefore.ceremonies.length - 1].id;
  if (manifest.extends !== last) {
    if (!groupBefore.ceremonies.some((c) => c.id === manifest.extends)) {
      audit.phase = 'setup';
      return waitFor(`the group: ceremony ${manifest.extends}, which this join extends, is not complete`);
    }
    audit.errors.push(
      new SssError(
        `extends ${manifest.extends}, but the group has grown since (its last ceremony is ${last}): make a new request`,
        { code: 'mismatch', file: mfile, field: 'extends' },
      ),
    );
    return waitFor('a request against the current group');
  }
  try {
    checkManifestAgainstGroup(manifest, groupBefore, mfile);
  } catch (e) {
    audit.errors.push(located(e, {}));
    return waitFor('a valid ceremony.json');
  }
  return { manifest, groupBefore };
}

/** ceremony.json's schema, and the id of the folder it lives in; undefined (and a problem) if not. */
function parseJoinManifest(raw: RawFile, ceremony: string, audit: JoinAudit): JoinManifest | undefined {
  try {
    const manifest = parseWith(JoinManifest, raw.value, raw.file);
    if (manifest.ceremony !== ceremony)
      throw new SssError(`manifest names ceremony ${manifest.ceremony} but lives in ${ceremony}`, {
        code: 'mismatch',
        file: raw.file,
        field: 'ceremony',
      });
    return manifest;
  } catch (e) {
    audit.errors.push(located(e, {}));
    return undefined;
  }
}

/** docs/protocol.md §7.1: the manifest pins the group it extends by digest, threshold and key. */
function checkManifestAgainstGroup(manifest: JoinManifest, groupBefore: GroupPackage, mfile: string): void {
  const last = groupBefore.ceremonies[groupBefore.ceremonies.length - 1].id;
  if (manifest.groupDigest !== digest(groupBefore))
    throw new SssError(`groupDigest is not the digest of the group state after ${last}`, {
      code: 'mismatch',
      file: mfile,
      field: 'groupDigest',
    });
  if (manifest.threshold !== groupBefore.threshold)
    throw new SssError(`threshold ${manifest.threshold} differs from the group's ${groupBefore.threshold}`, {
      code: 'mismatch',
      file: mfile,
      field: 'threshold',
    });
  if (manifest.publicKey !== groupBefore.publicKey)
    throw new SssError('publicKey differs from the group key', { code: 'mismatch', file: mfile, field: 'publicKey' });
}

/** An approval's author: a file for a valid request, named for its author, of this ceremony, from an approver. */
function checkApprovalAuthor(
  raw: RawFile,
  m: string,
  ceremony: string,
  request: JoinRequest | undefined,
  audit: JoinAudit,
): { raw: RawFile; a: JoinApproval; holder: Approver } {
  if (!request || !audit.approverSet)
    throw new SssError('an approval of a request that is missing or invalid', {
      code: 'incomplete',
      file: raw.file,
    });
  const a = parseWith(JoinApproval, raw.value, raw.file);
  if (a.moniker !== m)
    throw new SssError(`the file is named for ${m} but the artifact's moniker is ${a.moniker}`, {
      code: 'mismatch',
      file: raw.file,
      field: 'moniker',
      culprit: a.moniker,
    });
  if (a.ceremony !== ceremony)
    throw new SssError(`an approval for ceremony ${a.ceremony}, not ${ceremony}`, {
      code: 'mismatch',
      file: raw.file,
      field: 'ceremony',
      culprit: a.moniker,
    });
  const holder = audit.approverSet.find((h) => h.participant.moniker === a.moniker);
  if (!holder)
    throw new SssError(`${a.moniker} is not in the request's approver set (${names(request.approvers)})`, {
      code: 'not-allowed',
      file: raw.file,
      field: 'moniker',
      culprit: a.moniker,
    });
  if (a.identifier !== holder.participant.identifier)
    throw new SssError("identifier differs from the approver's in the group", {
      code: 'mismatch',
      file: raw.file,
      field: 'identifier',
      culprit: a.moniker,
    });
  return { raw, a, holder };
}

/**
 * An approval's content: signed by the approver, for this request, a mask commitment for every
 * partner and no one else, valid points. Records the relation S_i must satisfy (checked for all
 * approvals at once) and the approval.
 */
function checkApprovalContent(
  { raw, a, holder }: { raw: RawFile; a: JoinApproval; holder: Approver },
  request: JoinRequest,
  ctx: {
    H: Set<string>;
    holders: Map<string, Holder>;
    lambdas: Map<string, bigint>;
    decoded: Map<string, Point>;
    relations: ApprovalRelation[];
    commitments: Map<string, Map<string, string>>;
  },
  audit: JoinAudit,
): void {
  const { holders, lambdas, decoded, relations, commitments } = ctx;
  checkApprovalOfRequest(raw, a, holder, request, ctx.H, audit.requestDigest);
  const { S, pairs } = approvalPoints(raw, a, holders, decoded);
  const lambda = lambdas.get(a.moniker)!;
  relations.push({ id: a.moniker, lambda, Y: holder.Y, S, V: maskCommitmentSum(holder.x, pairs) });
  commitments.set(a.moniker, new Map(Object.entries(a.maskCommitments)));
  audit.approvals.set(a.moniker, { file: raw.file, artifact: a, x: holder.x, lambda, S });
}

/**
 * An approval of this request by its approver (docs/protocol.md §7.4): signed by the approver,
 * naming the request's digest, a mask commitment for every partner in H and for no one else.
 */
function checkApprovalOfRequest(
  raw: RawFile,
  a: JoinApproval,
  holder: Approver,
  request: JoinRequest,
  H: Set<string>,
  requestDigest: string | undefined,
): void {
  if (!verifyArtifactSignature(a, holder.participant.signingKey))
    throw new SssError('bad artifact signature', {
      code: 'signature',
      file: raw.file,
      field: 'signature',
      culprit: a.moniker,
    });
  if (a.requestDigest !== requestDigest)
    throw new SssError("an approval of another request (requestDigest differs from this ceremony's request.json)", {
      code: 'mismatch',
      file: raw.file,
      field: 'requestDigest',
      culprit: a.moniker,
    });
  const missing = request.approvers.filter((k) => k !== a.moniker && !Object.hasOwn(a.maskCommitments, k));
  if (missing.length)
    throw new SssError(`no mask commitment for ${names(missing)}`, {
      code: 'incomplete',
      file: raw.file,
      field: 'maskCommitments',
      culprit: a.moniker,
    });
  const extra = Object.keys(a.maskCommitments).filter((k) => k === a.moniker || !H.has(k));
  if (extra.length)
    throw new SssError(`a mask commitment for ${names(extra)}, who is not a partner in the approver set`, {
      code: 'not-allowed',
      file: raw.file,
      field: 'maskCommitments',
      culprit: a.moniker,
    });
}

/**
 * The approval's points, decoded: its fragment commitment S_i, and each partner's x with its mask
 * commitment M (decoded once across all approvals: both ends of a pair publish the same one).
 */
function approvalPoints(
  raw: RawFile,
  a: JoinApproval,
  holders: Map<string, Holder>,
  decoded: Map<string, Point>,
): { S: Point; pairs: { x: bigint; M: Point }[] } {
  const field = (f: string, e: unknown) => located(e, { file: raw.file, field: f, culprit: a.moniker });
  let S: Point;
  try {
    S = decodePoint(a.fragmentCommitment, 'fragmentCommitment');
  } catch (e) {
    throw field('fragmentCommitment', e);
  }
  const pairs: { x: bigint; M: Point }[] = [];
  for (const k of Object.keys(a.maskCommitments)) {
    const hex = a.maskCommitments[k];
    let P = decoded.get(hex);
    if (!P) {
      try {
        P = decodeMaskCommitment(hex, `maskCommitments.${k}`);
      } catch (e) {
        throw field(`maskCommitments.${k}`, e);
      }
      decoded.set(hex, P);
    }
    pairs.push({ x: holders.get(k)!.x, M: P });
  }
  return { S, pairs };
}

/** Both ends of every pair publish the same M_ik (equal encodings are equal points); returns who disagrees. */
function checkPairMasks(
  order: string[],
  commitments: Map<string, Map<string, string>>,
  rawApprovals: Map<string, RawFile>,
  audit: JoinAudit,
): Set<string> {
  const disagree = new Set<string>();
  for (let i = 0; i < order.length; i++) {
    const mi = commitments.get(order[i]);
    if (!mi) continue;
    for (let k = i + 1; k < order.length; k++) {
      const mk = commitments.get(order[k]);
      if (mk && mi.get(order[k]) !== mk.get(order[i])) {
        audit.errors.push(
          new SssError(`${order[i]} and ${order[k]} publish different commitments to their pair mask`, {
            code: 'inconsistent',
            file: rawApprovals.get(order[i])?.file,
            field: `maskCommitments.${order[k]}`,
            culprits: [order[i], order[k]],
          }),
        );
        disagree.add(order[i]).add(order[k]);
      }
    }
  }
  return disagree;
}

/** The join's round table: the newcomer's request and finalize, each approver's approval. */
function joinTable(
  audit: JoinAudit,
  ctx: {
    newcomer: string;
    H: Set<string>;
    holders: Map<string, Holder>;
    rawApprovals: Map<string, RawFile>;
    finalizePresent: boolean;
    approvalsOk: boolean;
  },
): Row[] {
  const rows: Row[] = [
    {
      moniker: ctx.newcomer,
      github: audit.request?.artifact.github ?? audit.manifest?.newcomerGithub,
      steps: {
        request: stepState(Boolean(audit.request), true, true),
        approval: '-',
        finalize: stepState(Boolean(audit.finalize), ctx.finalizePresent, ctx.approvalsOk),
      },
    },
  ];
  const approverNames = [...new Set([...ctx.H, ...ctx.rawApprovals.keys()])].sort();
  for (const m of approverNames)
    rows.push({
      moniker: m,
      github: ctx.holders.get(m)?.participant.github,
      steps: {
        request: '-',
        approval: stepState(audit.approvals.has(m), ctx.rawApprovals.has(m), Boolean(audit.request)),
        finalize: '-',
      },
    } satisfies Row);
  return rows;
}

/** With every approval in: their digest, Y(x_n) from the group commitment, and Σ S_i = Y(x_n). */
function closeApprovals(audit: JoinAudit, groupBefore: GroupPackage, firstFile: string | undefined): void {
  audit.approvalsDigest = approvalsDigestOf([...audit.approvals.values()].map((a) => a.artifact));
  const C = groupBefore.commitment.map((c, k) => decodePoint(c, `commitment.${k}`));
  audit.expectedShare = evaluateCommitment(C, audit.newcomerX!);
  let sum = Point.ZERO;
  for (const a of audit.approvals.values()) sum = sum.add(a.S);
  if (!sum.equals(audit.expectedShare))
    audit.errors.push(
      new SssError('the fragment commitments do not sum to Y(x_n) = Σ_k x_n^k·C_k', {
        code: 'inconsistent',
        file: firstFile,
        field: 'fragmentCommitment',
      }),
    );
}

/**
 * Every approval: its author (checkApprovalAuthor), its content (checkApprovalContent), then for
 * all of them at once the relations S_i must satisfy and the pair masks both ends publish. A
 * refused approval is one problem and is left out. Returns the approvers in identifier order.
 */
function checkApprovals(
  audit: JoinAudit,
  request: JoinRequest | undefined,
  ctx: { rawApprovals: Map<string, RawFile>; H: Set<string>; holders: Map<string, Holder>; ceremony: string },
): string[] {
  const { rawApprovals, H, holders } = ctx;
  const lambdas = new Map<string, bigint>();
  if (audit.approverSet) {
    const ls = lagrangeCoefficients(
      audit.approverSet.map((h) => h.x),
      audit.newcomerX!,
    );
    audit.approverSet.forEach((h, i) => lambdas.set(h.participant.moniker, ls[i]));
  }
  const candidates = approvalAuthors(audit, request, rawApprovals, ctx.ceremony);
  const relations: ApprovalRelation[] = [];
  const commitments = new Map<string, Map<string, string>>();
  const decoded = new Map<string, Point>();
  for (const { raw, a, holder } of candidates) {
    try {
      checkApprovalContent(
        { raw, a, holder },
        request!,
        { H, holders, lambdas, decoded, relations, commitments },
        audit,
      );
    } catch (e) {
      audit.errors.push(located(e, { file: raw.file }));
    }
  }
  dropBadRelations(audit, relations);
  // Both ends of every pair publish the same M_ik.
  const order = (audit.approverSet ?? []).map((h) => h.participant.moniker);
  for (const m of checkPairMasks(order, commitments, rawApprovals, audit)) audit.approvals.delete(m);
  return order;
}

/** Each approval's author checked (checkApprovalAuthor); a second file from one author is refused. */
function approvalAuthors(
  audit: JoinAudit,
  request: JoinRequest | undefined,
  rawApprovals: Map<string, RawFile>,
  ceremony: string,
): { raw: RawFile; a: JoinApproval; holder: Approver }[] {
  const candidates: { raw: RawFile; a: JoinApproval; holder: Approver }[] = [];
  for (const [m, raw] of rawApprovals) {
    const author = (raw.value as { moniker?: unknown })?.moniker;
    if (typeof author === 'string' && author !== m && rawApprovals.has(author)) {
      audit.errors.push(
        new SssError(`a second approval from ${author} (the first is ${rawApprovals.get(author)!.file})`, {
          code: 'duplicate',
          file: raw.file,
          field: 'moniker',
          culprit: author,
        }),
      );
      continue;
    }
    try {
      candidates.push(checkApprovalAuthor(raw, m, ceremony, request, audit));
    } catch (e) {
      audit.errors.push(located(e, { file: raw.file }));
    }
  }
  return candidates;
}

/**
 * The relations S_i must satisfy, checked for all approvals at once (docs/protocol.md §7.7); an
 * approval whose fragment commitment fails is named and left out.
 */
function dropBadRelations(audit: JoinAudit, relations: ApprovalRelation[]): void {
  for (const id of badApprovalRelations(relations)) {
    const a = audit.approvals.get(id)!;
    audit.errors.push(
      new SssError(
        "S_i differs from λ_i·Y_i + Σ_{k>i} M_ik − Σ_{k<i} M_ki: the fragment is not the approver's weighted share plus its published masks",
        { code: 'inconsistent', file: a.file, field: 'fragmentCommitment', culprit: id },
      ),
    );
    audit.approvals.delete(id);
  }
}
