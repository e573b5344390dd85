/**
 * What join-request, approve-participant and finalize-join do (options: src/cli/join.ts; the
 * steps: src/ceremony/join-steps.ts). Each reads the public
 * artifacts, runs the same audit as `verify` against the group state the transcript yields, and
 * writes exactly one artifact of its own (join-request also writes ceremony.json).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { jcs, toFileText, verifyArtifactSignature } from '../artifacts/canonical.js';
import { JoinApproval, JoinManifest } from '../artifacts/join.js';
import { parseWith } from '../artifacts/schemas.js';
import { CEREMONY_ID, Point, bytesToHex, decodeScalar, encodePoint, hexToBytes } from '../crypto/suite.js';
import { SssError, names } from '../errors.js';
import { checkReservedAccount } from '../ceremony/accounts.js';
import { JoinAudit, auditJoin, groupAfter } from '../ceremony/join.js';
import { joinApproval, joinFinalize, joinManifest, joinRequest, openFragments } from '../ceremony/join-steps.js';
import { auditRepository, RepositoryState } from '../ceremony/repository.js';
import { GroupPackage } from '../ceremony/report.js';
import { RawFile, ceremonyOf, readArtifactFile } from '../ceremony/tree.js';
import { PUBLIC_MODE, replaceFile, writeArtifactFile } from '../local/fsutil.js';
import { Identity, loadPublicIdentity, openIdentity } from '../local/identity.js';
import { readPrivateWith, writePrivateNew } from '../local/keystore.js';
import { JoinState, JoinStateFile } from '../local/state.js';
import { readShareFile, saveShareFile, ShareFile } from '../local/share.js';
import { Context } from './context.js';
import { expandArtifactPaths, shown } from './paths.js';
import { mergedState, upstreamRemote } from '../github/git.js';
import { republishIfSaved, reportShareSaved, shareFileOf } from './finalize.js';
import { failOn, reportStep, withShareFile } from './step.js';
import { SubmitOptions } from './submit.js';

/** The repository's audited state; its own problems (two genesis ceremonies…) stop any join step. */
function repositoryState(ctx: Context): RepositoryState {
  const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
  if (state.errors.length) throw state.errors[0];
  return state;
}

function readJson(path: string, ctx: Context): RawFile {
  return readArtifactFile(path, shown(ctx.repo, path));
}

function ceremonyIdOf(value: unknown, file: string): string {
  const c = (value as { ceremony?: unknown })?.ceremony;
  if (typeof c !== 'string' || !CEREMONY_ID.test(c))
    throw new SssError('missing or invalid ceremony id', { code: 'malformed', file, field: 'ceremony' });
  return c;
}

/** The join's manifest, and the group state it extends (which must be complete in this checkout). */
function manifestAndGroup(
  ctx: Context,
  dir: string,
  state: RepositoryState,
): { manifest: RawFile; parsed: JoinManifest; groupBefore: GroupPackage } {
  const manifest = readJson(join(dir, 'ceremony.json'), ctx);
  const parsed = parseWith(JoinManifest, manifest.value, manifest.file);
  const groupBefore = groupAfter(state.reports, parsed.extends);
  if (!groupBefore)
    throw new SssError(
      `the group state this join extends (after ceremony ${parsed.extends}) is not complete in ${shown(ctx.repo, ctx.ceremoniesDir)}: pull the repository first`,
      { code: 'incomplete', file: manifest.file, field: 'extends' },
    );
  // Only a join on the group's current state may proceed (or, re-run, the join that made it).
  const tip = state.group?.ceremonies[state.group.ceremonies.length - 1]?.id;
  if (tip !== parsed.extends && tip !== parsed.ceremony)
    throw new SssError(
      `the group has grown since this join was requested (it extends ${parsed.extends}; the group is now after ${tip}): the newcomer must make a new request`,
      { code: 'mismatch', file: manifest.file, field: 'extends' },
    );
  return { manifest, parsed, groupBefore };
}

/**
 * An approval publishes a fragment only the request's join key opens: approve only a request the
 * maintainers merged, never one still under review on a branch.
 */
function requireMerged(ctx: Context, path: string, remote: string): void {
  const file = shown(ctx.repo, resolve(path));
  const state = mergedState(ctx.repo, remote, path, readFileSync(path));
  if (state === 'merged') return;
  if (state === 'no-git') {
    process.stderr.write(
      `sss-tool: warning: ${ctx.repo} is not a git checkout with remote ${remote}: cannot check that ${file} is merged\n`,
    );
    return;
  }
  throw new SssError(
    state === 'absent'
      ? `the request is not merged on ${remote}'s default branch: approve only merged requests (git pull, then approve)`
      : `the request differs from the one merged on ${remote}'s default branch: approve only the merged request (git pull)`,
    { code: 'git', file },
  );
}

/** The group a join extends: complete in this checkout, and the one --group names, if it names one. */
function currentGroup(ctx: Context, state: RepositoryState, groupFile?: string): GroupPackage {
  const group = state.group;
  if (!group)
    throw new SssError(
      `no complete group in ${shown(ctx.repo, ctx.ceremoniesDir)}: a join needs the genesis ceremony (and any earlier join) complete and merged`,
      { code: 'incomplete', field: '--repo' },
    );
  if (groupFile) {
    const given = readJson(groupFile, ctx);
    if (jcs(given.value) !== jcs(group))
      throw new SssError(
        `differs from the group state the transcript yields (after ${group.ceremonies[group.ceremonies.length - 1].id}): pull, or run sss-tool publish`,
        { code: 'mismatch', file: given.file },
      );
  }
  return group;
}

/**
 * The account a maintainer's `join-open` reserved this join for, refusing to write a request from
 * any other: the audit would refuse it (docs/protocol.md §7.1).
 */
function reservedFor(ctx: Context, manifestPath: string, me: { moniker: string; github?: string }): string | undefined {
  if (!existsSync(manifestPath)) return undefined;
  const raw = readJson(manifestPath, ctx);
  const reserved = parseWith(JoinManifest, raw.value, raw.file).newcomerGithub;
  checkReservedAccount(reserved, me.github, { file: raw.file, culprit: me.moniker, slot: 'the join is for' });
  return reserved;
}

export async function joinRequestCommand(
  ctx: Context,
  opts: { approvers: string; ceremony?: string; group?: string } & SubmitOptions,
) {
  const me = loadPublicIdentity(ctx.paths);
  const ceremony = opts.ceremony ?? `join-${me.moniker}`;
  if (!CEREMONY_ID.test(ceremony))
    throw new SssError('expected lowercase letters, digits, . _ or -, at most 63', {
      code: 'usage',
      field: '--ceremony',
    });
  const state = repositoryState(ctx);
  const group = currentGroup(ctx, state, opts.group);
  const approvers = opts.approvers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const dir = join(ctx.ceremoniesDir, ceremony);
  const manifestPath = join(dir, 'ceremony.json');
  const requestPath = join(dir, 'request.json');
  const reserved = reservedFor(ctx, manifestPath, me);
  const { saved, again } = await joinRequestState(ctx, ceremony, group, approvers, requestPath);
  const written: string[] = [];
  // A maintainer may have opened the join for this account since an earlier run wrote the manifest.
  const manifest = reserved ? { ...saved.manifest, newcomerGithub: reserved } : saved.manifest;
  if (writeArtifactFile(manifestPath, toFileText(manifest)) === 'written') written.push(manifestPath);
  writeArtifactFile(requestPath, toFileText(saved.request));
  written.push(requestPath);
  const files = ceremonyOf(ceremony, dir, {
    manifest: readJson(manifestPath, ctx),
    singles: [['request', readJson(requestPath, ctx)]],
  });
  failOn(auditJoin(files, groupAfter(state.reports, saved.manifest.extends)));
  const r = saved.request;
  await reportStep(
    ctx,
    opts,
    { ceremony, step: 'request', moniker: me.moniker, files: written },
    {
      fields: { approvers: r.approvers, again },
      said: [
        again
          ? 'The join request was already made: it is unchanged.'
          : `Join request made: ${r.moniker} asks to join the ${group.threshold}-of-${group.participants.length} group.`,
        `  group public key  ${group.publicKey} (a join does not change it)`,
        `  approvers         ${r.approvers.join(', ')} (every one of them must approve)`,
        ...written.map((f) => `  wrote ${shown(ctx.repo, f)}`),
      ],
      then: `When it is merged, each approver runs: sss-tool approve-participant --request ${shown(ctx.repo, requestPath)}`,
    },
  );
}

/**
 * The join state behind this request: the one saved before (a second run republishes the same
 * request, never a second join key), else a new join key and request (docs/protocol.md §7.2).
 */
async function joinRequestState(
  ctx: Context,
  ceremony: string,
  group: GroupPackage,
  approvers: string[],
  requestPath: string,
): Promise<{ saved: JoinState; again: boolean }> {
  const statePath = ctx.paths.joinState(ceremony);
  const passphrase = await ctx.passphrase();
  if (existsSync(statePath)) {
    const saved = await readPrivateWith(JoinStateFile, statePath, passphrase);
    if ([...approvers].sort().join(',') !== [...saved.request.approvers].sort().join(','))
      throw new SssError(
        `you already asked to join in ${ceremony} with approvers ${names(saved.request.approvers)}; to name others, make a new request with another --ceremony`,
        { code: 'usage', field: '--approvers' },
      );
    return { saved, again: true };
  }
  if (existsSync(requestPath))
    throw new SssError(
      'this ceremony already has a request, but this home dir has no join state for it: choose another --ceremony',
      { code: 'private', file: shown(ctx.repo, requestPath) },
    );
  const id = await openIdentity(ctx.paths, passphrase);
  const joinSecret = x25519.utils.randomSecretKey();
  const request = joinRequest(ceremony, id, group, approvers, bytesToHex(x25519.getPublicKey(joinSecret)));
  const saved: JoinState = {
    format: 'sss-tool/join-state@1',
    ceremony,
    moniker: id.moniker,
    joinSecret: bytesToHex(joinSecret),
    manifest: joinManifest(ceremony, group),
    request,
  };
  joinSecret.fill(0);
  await writePrivateNew(statePath, saved, passphrase);
  return { saved, again: false };
}

/** The ceremony's folder: the one the given file sits in when it is one, else the checkout's. */
function ceremonyDir(ctx: Context, nearby: string, ceremony: string): string {
  return basename(nearby) === ceremony && existsSync(join(nearby, 'ceremony.json'))
    ? nearby
    : join(ctx.ceremoniesDir, ceremony);
}

export async function approveCommand(ctx: Context, opts: { request: string; share?: string } & SubmitOptions) {
  const me = loadPublicIdentity(ctx.paths);
  const { ceremony, dir, request, files, audit, groupBefore } = mergedRequest(ctx, opts);
  const req = audit.request!.artifact;
  if (!req.approvers.includes(me.moniker))
    throw new SssError(`you (${me.moniker}) are not among the request's approvers (${names(req.approvers)})`, {
      code: 'not-allowed',
      file: request.file,
      field: 'approvers',
    });
  const passphrase = await ctx.passphrase();
  const sharePath = opts.share ?? ctx.paths.share;
  ctx.progress('unlocking your share and identity (scrypt: about a second per private file)');
  const share = await approverShare(sharePath, passphrase, groupBefore, me);
  const id = await openIdentity(ctx.paths, passphrase);
  const outPath = join(dir, 'approvals', `${me.moniker}.json`);
  const { again } = await publishApproval(ctx, outPath, id, () => {
    ctx.progress(`computing your masked fragment for ${req.moniker}`);
    return withShareFile(sharePath, () => joinApproval(audit, id, decodeScalar(share.signingShare, 'signingShare')));
  });
  files.byRole.set('approvals', new Map([[me.moniker, readJson(outPath, ctx)]]));
  failOn(auditJoin(files, groupBefore));
  await reportStep(
    ctx,
    opts,
    { ceremony, step: 'approval', moniker: me.moniker, files: [outPath] },
    {
      fields: { newcomer: req.moniker, again },
      said: [
        again
          ? 'Already approved: your approval is unchanged.'
          : `Approved ${req.moniker}: your fragment is masked, encrypted to the newcomer, and publicly checkable.`,
        // Without join-open's newcomerGithub the manifest names no account: the approver knows who was invited.
        `  newcomer          ${req.moniker}, GitHub ${req.github ? `@${req.github}` : '(no login declared)'}`,
        `  wrote ${shown(ctx.repo, outPath)}`,
      ],
      then: `When all ${req.approvers.length} approvals are merged, ${req.moniker} runs: sss-tool finalize-join --approvals ${shown(ctx.repo, join(dir, 'approvals'))}`,
    },
  );
}

/** The request to approve, merged upstream, and its audit against the group state it extends. */
function mergedRequest(ctx: Context, opts: { request: string; remote?: string }) {
  const request = readJson(opts.request, ctx);
  // In a clone of a fork, merged means merged upstream.
  requireMerged(ctx, opts.request, upstreamRemote(ctx.repo) === 'upstream' ? 'upstream' : (opts.remote ?? 'origin'));
  const ceremony = ceremonyIdOf(request.value, request.file);
  const dir = ceremonyDir(ctx, dirname(opts.request), ceremony);
  const { manifest, groupBefore } = manifestAndGroup(ctx, dir, repositoryState(ctx));
  const files = ceremonyOf(ceremony, dir, { manifest, singles: [['request', request]] });
  const audit = auditJoin(files, groupBefore);
  failOn(audit);
  return { ceremony, dir, request, files, audit, groupBefore };
}

/** The approver's share: of the group the join extends, and this approver's own. */
async function approverShare(
  sharePath: string,
  passphrase: string,
  groupBefore: GroupPackage,
  me: { moniker: string; identifier: string },
): Promise<ShareFile> {
  const share = await readShareFile(sharePath, passphrase);
  if (share.group.publicKey !== groupBefore.publicKey)
    throw new SssError(
      `this share is for group key ${share.group.publicKey}, but the request is to join ${groupBefore.publicKey}`,
      { code: 'mismatch', file: sharePath, field: 'group.publicKey' },
    );
  if (share.moniker !== me.moniker || share.identifier !== me.identifier)
    throw new SssError(`this share is ${share.moniker}'s, not yours (${me.moniker})`, {
      code: 'not-allowed',
      file: sharePath,
      field: 'moniker',
    });
  return share;
}

/**
 * Writes the approval `approve` makes (docs/protocol.md §7.4). HPKE is randomized: a re-run keeps
 * the approval already there if it is this one's equal, and refuses to replace any other.
 */
async function publishApproval(
  ctx: Context,
  outPath: string,
  id: Identity,
  approve: () => Promise<JoinApproval>,
): Promise<{ approval: JoinApproval; again: boolean }> {
  const approval = await approve();
  if (!existsSync(outPath)) {
    writeArtifactFile(outPath, toFileText(approval));
    return { approval, again: false };
  }
  const prior = readJson(outPath, ctx);
  const a = prior.value as Partial<JoinApproval>;
  if (
    a?.requestDigest !== approval.requestDigest ||
    a?.fragmentCommitment !== approval.fragmentCommitment ||
    !verifyArtifactSignature(a as Record<string, unknown>, id.signingKey)
  )
    throw new SssError('a different approval under your moniker is already there; refusing to replace it', {
      code: 'io',
      file: prior.file,
    });
  return { approval: a as JoinApproval, again: true };
}

/** Reads approval files given on the command line, keyed by their author; one author, one file. */
function readApprovals(ctx: Context, paths: string[]): { ceremony: string; approvals: Map<string, RawFile> } {
  const approvals = new Map<string, RawFile>();
  const nearby = dirname(dirname(paths[0]));
  // Files in ceremonies/<id>/approvals/ belong to <id>: one naming another ceremony is its own fault.
  let ceremony =
    basename(dirname(paths[0])) === 'approvals' &&
    CEREMONY_ID.test(basename(nearby)) &&
    existsSync(join(nearby, 'ceremony.json'))
      ? basename(nearby)
      : undefined;
  for (const p of paths) {
    const raw = readJson(p, ctx);
    const c = ceremonyIdOf(raw.value, raw.file);
    const m = (raw.value as { moniker?: unknown })?.moniker;
    if (typeof m !== 'string')
      throw new SssError('missing moniker', { code: 'malformed', file: raw.file, field: 'moniker' });
    ceremony ??= c;
    if (c !== ceremony)
      throw new SssError(`an approval for ceremony ${c}, the others are for ${ceremony}`, {
        code: 'mismatch',
        file: raw.file,
        field: 'ceremony',
        culprit: m,
      });
    const first = approvals.get(m);
    if (first)
      throw new SssError(`a second approval from ${m} (the first is ${first.file})`, {
        code: 'duplicate',
        file: raw.file,
        field: 'moniker',
        culprit: m,
      });
    approvals.set(m, raw);
  }
  return { ceremony: ceremony!, approvals };
}

export async function finalizeJoinCommand(
  ctx: Context,
  opts: { approvals: string[]; replaceShare?: boolean } & SubmitOptions,
) {
  const me = loadPublicIdentity(ctx.paths);
  const { ceremony, dir, requestPath, files, audit, groupBefore } = allApprovals(ctx, opts.approvals, me.moniker);
  const passphrase = await ctx.passphrase();
  const id = await openIdentity(ctx.paths, passphrase);
  const outPath = join(dir, 'finalize.json');
  const groupKey = groupBefore.publicKey;
  const step = { ceremony, moniker: me.moniker, outPath, groupKey };
  const again = {
    artifact: (verifyingShare: string) => joinFinalize(audit, id, verifyingShare),
    said: 'Already finalized: your share is saved and your finalize.json is unchanged.',
  };
  if (await republishIfSaved(ctx, opts, passphrase, step, again)) return;
  const statePath = ctx.paths.joinState(ceremony);
  const result = await openWithJoinKey(ctx, statePath, passphrase, audit, shown(ctx.repo, requestPath));
  const verifyingShare = encodePoint(result.verifyingShare);
  const share = shareFileOf(ceremony, me, result.signingShare, verifyingShare, {
    publicKey: groupKey,
    threshold: groupBefore.threshold,
    commitment: groupBefore.commitment,
    genesis: groupBefore.ceremonies[0].id,
  });
  const backup = await saveShareFile(ctx.paths.share, share, passphrase, Boolean(opts.replaceShare));
  writeArtifactFile(outPath, toFileText(joinFinalize(audit, id, verifyingShare)));
  replaceFile(ctx.paths.publicKey, groupKey + '\n', PUBLIC_MODE);
  // The join key has done its job; keeping its secret would only be a liability.
  rmSync(dirname(statePath), { recursive: true, force: true });
  files.singles.set('finalize', readJson(outPath, ctx));
  failOn(auditJoin(files, groupBefore));
  await reportShareSaved(ctx, opts, step, {
    verifyingShare,
    backup,
    headline: `Joined: all ${audit.approvals.size} fragments check out, and they sum to your share of the group key.`,
    keyNote: ' (unchanged)',
    then: `When finalize.json is merged: sss-tool verify --ceremony ${ceremony} && sss-tool publish --ceremony ${ceremony}`,
  });
}

/** The join's audit with the approvals given: this newcomer's own request, every approval in. */
function allApprovals(ctx: Context, given: string[], moniker: string) {
  const paths = expandArtifactPaths(given);
  const { ceremony, approvals } = readApprovals(ctx, paths);
  const dir = ceremonyDir(ctx, dirname(dirname(paths[0])), ceremony);
  const { manifest, groupBefore } = manifestAndGroup(ctx, dir, repositoryState(ctx));
  const requestPath = join(dir, 'request.json');
  const files = ceremonyOf(ceremony, dir, {
    manifest,
    byRole: [['approvals', approvals]],
    singles: [['request', readJson(requestPath, ctx)]],
  });
  const audit = auditJoin(files, groupBefore);
  failOn(audit);
  const req = audit.request!.artifact;
  if (req.moniker !== moniker)
    throw new SssError(`this join is ${req.moniker}'s, not yours (${moniker})`, {
      code: 'not-allowed',
      file: shown(ctx.repo, requestPath),
      field: 'moniker',
    });
  if (audit.phase !== 'finalize' || !audit.expectedShare)
    throw new SssError(`not every approval is in: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
      field: '--approvals',
    });
  return { ceremony, dir, requestPath, files, audit, groupBefore };
}

/**
 * The newcomer's finalize (docs/protocol.md §7.6): the join key this home dir made for the request
 * opens every approver's fragment, and they sum to the newcomer's share.
 */
async function openWithJoinKey(
  ctx: Context,
  statePath: string,
  passphrase: string,
  audit: JoinAudit,
  requestFile: string,
): Promise<{ signingShare: bigint; verifyingShare: Point }> {
  if (!existsSync(statePath))
    throw new SssError(
      `no join state for ceremony ${audit.ceremony} in this home dir: the request was made elsewhere`,
      {
        code: 'private',
        file: statePath,
      },
    );
  const saved = await readPrivateWith(JoinStateFile, statePath, passphrase);
  const joinSecret = hexToBytes(saved.joinSecret);
  if (bytesToHex(x25519.getPublicKey(joinSecret)) !== audit.request!.artifact.joinKey)
    throw new SssError("the request's join key is not the one this home dir made", {
      code: 'private',
      file: requestFile,
      field: 'joinKey',
    });
  ctx.progress(`decrypting and checking the fragments of ${audit.approvals.size} approvers`);
  const result = await openFragments(audit, joinSecret);
  joinSecret.fill(0);
  return result;
}
