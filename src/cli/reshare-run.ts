/**
 * What reshare-request, reshare-deal and reshare-finalize do (options: src/cli/reshare.ts). Each
 * reads the public artifacts, runs the same audit as `verify` against the group state the
 * transcript yields, and writes exactly one artifact.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { toFileText, verifyArtifactSignature } from '../artifacts/canonical.js';
import { HolderIdentity, ReshareDealing, ReshareManifest } from '../artifacts/reshare.js';
import { parseJson, parseWith } from '../artifacts/schemas.js';
import { CEREMONY_ID, decodeScalar, encodePoint } from '../crypto/suite.js';
import { SssError, names } from '../errors.js';
import { groupAfter } from '../ceremony/join.js';
import { auditReshare, ReshareAudit } from '../ceremony/reshare.js';
import {
  OpenedReshare,
  openReshare,
  reshareDealing,
  reshareFinalize,
  reshareManifest,
} from '../ceremony/reshare-steps.js';
import { auditRepository, RepositoryState } from '../ceremony/repository.js';
import { GroupPackage, epochOf } from '../ceremony/report.js';
import { readCeremony } from '../ceremony/tree.js';
import { mergedState } from '../github/git.js';
import { PUBLIC_MODE, replaceFile, writeArtifactFile } from '../local/fsutil.js';
import { loadPublicIdentity, openIdentity } from '../local/identity.js';
import { readShareFile, saveShareFile, ShareFile } from '../local/share.js';
import { Context } from './context.js';
import { shown } from './paths.js';
import { republishFinalize, shareFileOf } from './finalize.js';
import { failOn, reportStep, withShareFile } from './step.js';
import { nextSteps, SubmitOptions } from './submit.js';

function repositoryState(ctx: Context): RepositoryState {
  const state = auditRepository(ctx.ceremoniesDir, ctx.repo);
  if (state.errors.length) throw state.errors[0];
  return state;
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const IdentityFile = z.strictObject({ format: z.literal('sss-tool/identity@1'), ...HolderIdentity.shape });

function readNewcomer(ctx: Context, path: string): HolderIdentity {
  const file = shown(ctx.repo, resolve(path));
  if (!existsSync(path)) throw new SssError('no such file', { code: 'io', file });
  const { format: _f, ...identity } = parseWith(IdentityFile, parseJson(readFileSync(path, 'utf8'), file), file);
  return identity;
}

type RequestOptions = {
  ceremony?: string;
  remove?: string;
  keep?: string;
  newcomer?: string[];
  threshold?: string;
  dealers?: string;
} & SubmitOptions;

export async function requestCommand(ctx: Context, opts: RequestOptions) {
  const group = repositoryState(ctx).group;
  if (!group)
    throw new SssError(
      `no complete group in ${shown(ctx.repo, ctx.ceremoniesDir)}: a reshare needs the genesis (and every earlier step) complete and merged`,
      { code: 'incomplete', field: '--repo' },
    );
  const ceremony = opts.ceremony ?? `reshare-${epochOf(group) + 1}`;
  if (!CEREMONY_ID.test(ceremony))
    throw new SssError('expected lowercase letters, digits, . _ or -, at most 63', {
      code: 'usage',
      field: '--ceremony',
    });
  const proposal = proposedChange(ctx, opts, group);
  const manifest = reshareManifest(ceremony, group, proposal);
  const dir = join(ctx.ceremoniesDir, ceremony);
  const path = join(dir, 'ceremony.json');
  if (existsSync(path))
    throw new SssError('this ceremony already exists: choose another --ceremony', {
      code: 'io',
      file: shown(ctx.repo, path),
    });
  const audit = auditReshare(
    {
      id: ceremony,
      dir,
      manifest: { file: shown(ctx.repo, path), value: manifest },
      byRole: new Map(),
      singles: new Map(),
      errors: [],
    },
    group,
  );
  failOn(audit);
  writeArtifactFile(path, toFileText(manifest));
  await reportProposal(ctx, opts, group, manifest, path, proposal.keep);
}

/** What the maintainer asks for: who keeps a share, who joins, the new threshold, who deals. */
function proposedChange(ctx: Context, opts: RequestOptions, group: GroupPackage) {
  if (opts.keep && opts.remove)
    throw new SssError('give --keep or --remove, not both', { code: 'usage', field: '--keep' });
  const holders = group.participants.map((p) => p.moniker);
  const removed = list(opts.remove);
  const unknown = removed.filter((m) => !holders.includes(m));
  if (unknown.length)
    throw new SssError(
      `${names(unknown)} hold${unknown.length === 1 ? 's' : ''} no share of the group (holders: ${names(holders)})`,
      { code: 'usage', field: '--remove' },
    );
  const keep = opts.keep ? list(opts.keep) : holders.filter((m) => !removed.includes(m));
  const newThreshold = opts.threshold === undefined ? group.threshold : Number(opts.threshold);
  if (!Number.isInteger(newThreshold))
    throw new SssError('expected an integer', { code: 'usage', field: '--threshold' });
  return {
    keep,
    newcomers: (opts.newcomer ?? []).map((f) => readNewcomer(ctx, f)),
    newThreshold,
    dealers: opts.dealers ? list(opts.dealers) : holders,
  };
}

/** A maintainer's proposal has no author's moniker in its result: it is the maintainers' step. */
async function reportProposal(
  ctx: Context,
  opts: SubmitOptions,
  group: GroupPackage,
  manifest: ReshareManifest,
  path: string,
  keep: string[],
): Promise<void> {
  const ceremony = manifest.ceremony;
  const holders = manifest.holders.map((h) => h.moniker);
  ctx.result({
    ceremony,
    step: 'proposal',
    files: [shown(ctx.repo, path)],
    epoch: manifest.epoch,
    threshold: manifest.newThreshold,
    holders,
    dealers: manifest.dealers,
  });
  ctx.say(
    `Reshare proposed: the ${group.threshold}-of-${group.participants.length} group becomes ${manifest.newThreshold}-of-${holders.length} (epoch ${manifest.epoch}).`,
  );
  ctx.say(`  group public key  ${group.publicKey} (a reshare does not change it)`);
  ctx.say(`  new holders       ${names(holders)}`);
  const gone = group.participants.map((p) => p.moniker).filter((m) => !keep.includes(m));
  if (gone.length) ctx.say(`  leaving           ${names(gone)} (their shares stop working once the reshare completes)`);
  ctx.say(`  dealers           ${names(manifest.dealers)} (any ${group.threshold} of them suffice)`);
  ctx.say(`  wrote ${shown(ctx.repo, path)}`);
  await nextSteps(ctx, opts, { ceremony, step: 'proposal', moniker: 'maintainer', files: [path] });
  ctx.say(`When it is merged, each dealer runs: sss-tool reshare-deal --ceremony ${ceremony}`);
}

/** The ceremony's files and audit, against the group state it replaces (which must be current). */
function loadReshare(ctx: Context, ceremony: string): { audit: ReshareAudit; groupBefore: GroupPackage; dir: string } {
  if (!CEREMONY_ID.test(ceremony)) throw new SssError('expected a ceremony id', { code: 'usage', field: '--ceremony' });
  const dir = join(ctx.ceremoniesDir, ceremony);
  if (!existsSync(join(dir, 'ceremony.json')))
    throw new SssError(`no reshare ceremony ${ceremony}: pull the repository first`, {
      code: 'incomplete',
      file: shown(ctx.repo, join(dir, 'ceremony.json')),
    });
  const state = repositoryState(ctx);
  const files = readCeremony(dir, ctx.repo);
  const ext = (files.manifest?.value as { extends?: unknown })?.extends;
  const groupBefore = typeof ext === 'string' ? groupAfter(state.reports, ext) : undefined;
  const tip = state.group?.ceremonies[state.group.ceremonies.length - 1]?.id;
  if (!groupBefore)
    throw new SssError(
      `the group state this reshare replaces (after ${String(ext)}) is not complete here: pull the repository first`,
      { code: 'incomplete', file: files.manifest?.file, field: 'extends' },
    );
  if (tip !== ext && tip !== ceremony)
    throw new SssError(
      `the group has changed since this reshare was proposed (it replaces the state after ${ext}; the group is now after ${tip}): a maintainer must propose a new one`,
      { code: 'mismatch', file: files.manifest?.file, field: 'extends' },
    );
  const audit = auditReshare(files, groupBefore);
  if (audit.kind !== 'reshare' || !audit.manifest) failOn(audit);
  return { audit, groupBefore, dir };
}

/** A dealing publishes shares of your share: deal only for a proposal the maintainers merged. */
function requireMerged(ctx: Context, path: string, remote: string): void {
  const state = mergedState(ctx.repo, remote, path, readFileSync(path));
  if (state === 'merged') return;
  const file = shown(ctx.repo, path);
  if (state === 'no-git') {
    process.stderr.write(
      `sss-tool: warning: ${ctx.repo} is not a git checkout with remote ${remote}: cannot check that ${file} is merged\n`,
    );
    return;
  }
  throw new SssError(
    `the proposal is ${state === 'absent' ? 'not merged' : 'not the one merged'} on ${remote}'s default branch: deal only for a merged proposal (git pull, then deal)`,
    { code: 'git', file },
  );
}

export async function dealCommand(ctx: Context, opts: { ceremony: string; share?: string } & SubmitOptions) {
  const me = loadPublicIdentity(ctx.paths);
  const { audit, groupBefore, dir } = loadReshare(ctx, opts.ceremony);
  requireMerged(ctx, join(dir, 'ceremony.json'), opts.remote ?? 'origin');
  failOn(audit);
  if (!audit.dealers.has(me.moniker))
    throw new SssError(`you (${me.moniker}) are not among the proposal's dealers (${names(audit.manifest!.dealers)})`, {
      code: 'not-allowed',
      file: audit.manifest && shown(ctx.repo, join(dir, 'ceremony.json')),
      field: 'dealers',
    });
  const outPath = join(dir, 'dealings', `${me.moniker}.json`);
  const passphrase = await ctx.passphrase();
  const id = await openIdentity(ctx.paths, passphrase);
  let again = false;
  if (existsSync(outPath)) {
    // HPKE and the polynomial are random: a re-run keeps the valid dealing already there.
    const prior = parseJson(readFileSync(outPath, 'utf8'), shown(ctx.repo, outPath)) as Partial<ReshareDealing>;
    if (
      prior?.proposalDigest !== audit.proposalDigest ||
      !verifyArtifactSignature(prior as Record<string, unknown>, id.signingKey)
    )
      throw new SssError('a different dealing under your moniker is already there; refusing to replace it', {
        code: 'io',
        file: shown(ctx.repo, outPath),
      });
    again = true;
  } else {
    const sharePath = opts.share ?? ctx.paths.share;
    const share = await readShareFile(sharePath, passphrase);
    checkDealerShare(share, groupBefore, sharePath, me.moniker);
    const dealing = await withShareFile(sharePath, () =>
      reshareDealing(audit, id, decodeScalar(share.signingShare, 'signingShare')),
    );
    writeArtifactFile(outPath, toFileText(dealing));
  }
  failOn(loadReshare(ctx, opts.ceremony).audit);
  ctx.result({
    ceremony: opts.ceremony,
    step: 'dealing',
    moniker: me.moniker,
    files: [shown(ctx.repo, outPath)],
    again,
  });
  ctx.say(
    again
      ? 'Already dealt: your dealing is unchanged.'
      : `Dealt: a fresh ${audit.manifest!.newThreshold}-of-${audit.holders.length} sharing of your share, encrypted to each new holder; its commitment starts with your verifying share.`,
  );
  ctx.say(`  wrote ${shown(ctx.repo, outPath)}`);
  await nextSteps(ctx, opts, { ceremony: opts.ceremony, step: 'dealing', moniker: me.moniker, files: [outPath] });
  ctx.say(
    `When ${groupBefore.threshold} dealings are merged, each new holder runs: sss-tool reshare-finalize --ceremony ${opts.ceremony}`,
  );
}

/** The dealer's share must be of the group state the reshare replaces (same key, same epoch, same commitment). */
function checkDealerShare(share: ShareFile, group: GroupPackage, file: string, moniker: string): void {
  if (share.moniker !== moniker)
    throw new SssError(`this share is ${share.moniker}'s, not yours (${moniker})`, {
      code: 'mismatch',
      file,
      field: 'moniker',
    });
  if (share.group.publicKey !== group.publicKey)
    throw new SssError(`this share is for group key ${share.group.publicKey}, not ${group.publicKey}`, {
      code: 'mismatch',
      file,
      field: 'group.publicKey',
    });
  if ((share.group.epoch ?? 0) !== epochOf(group) || share.group.commitment.join() !== group.commitment.join())
    throw new SssError(
      `this share is of epoch ${share.group.epoch ?? 0}; the reshare replaces epoch ${epochOf(group)}: pass that share with --share (a replaced share is kept as trustserver_share.json.age.bak-…)`,
      { code: 'mismatch', file, field: 'group.epoch' },
    );
}

export async function finalizeCommand(
  ctx: Context,
  opts: { ceremony: string; replaceShare?: boolean } & SubmitOptions,
) {
  const me = loadPublicIdentity(ctx.paths);
  const { audit, dir } = loadReshare(ctx, opts.ceremony);
  readyForHolder(audit, me.moniker);
  const passphrase = await ctx.passphrase();
  const id = await openIdentity(ctx.paths, passphrase);
  const opened = await openReshare(audit, id);
  const verifyingShare = encodePoint(opened.verifyingShare);
  const outPath = join(dir, 'finalize', `${me.moniker}.json`);
  const share = newShareFile(audit, me.moniker, me.identifier, opened);
  const existing = existsSync(ctx.paths.share) ? await readShareFile(ctx.paths.share, passphrase) : undefined;
  // The holder's share is saved already when this step runs again: publish, never save twice.
  const again = existing?.ceremony === opts.ceremony && existing.verifyingShare === verifyingShare;
  const step = { ceremony: opts.ceremony, moniker: me.moniker };
  const afterWrite = () => {
    replaceFile(ctx.paths.publicKey, share.group.publicKey + '\n', PUBLIC_MODE);
    failOn(loadReshare(ctx, opts.ceremony).audit);
  };
  if (again)
    return republishFinalize(ctx, opts, {
      ...step,
      outPath,
      artifact: reshareFinalize(audit, id, opened.qualified, verifyingShare),
      check: afterWrite,
      fields: reshareResult(ctx, opened, share, undefined),
      said: [
        'Already finalized: your new share is saved and your finalize artifact is unchanged.',
        ...reshareLines(ctx, opened, share, undefined, outPath),
      ],
      then: reshareDone(opts.ceremony),
    });
  if (existing && existing.group.publicKey !== share.group.publicKey && !opts.replaceShare)
    throw new SssError(
      'a share file of another group already exists; refusing to overwrite it (pass --replace-share to keep it as a backup and write the new one)',
      { code: 'io', file: ctx.paths.share },
    );
  const backup = await saveShareFile(ctx.paths.share, share, passphrase, Boolean(existing));
  if (!existsSync(outPath))
    writeArtifactFile(outPath, toFileText(reshareFinalize(audit, id, opened.qualified, verifyingShare)));
  afterWrite();
  await reportStep(
    ctx,
    opts,
    { ...step, step: 'finalize', files: [outPath] },
    {
      fields: { ...reshareResult(ctx, opened, share, backup), again: false },
      said: [
        `Reshared: the dealings of ${names(opened.qualified)} check out and combine to your new share of the same key.`,
        ...reshareLines(ctx, opened, share, backup, outPath),
      ],
      then: reshareDone(opts.ceremony),
    },
  );
}

/** A new holder finalizes once enough valid dealings are in to fix the qualified set. */
function readyForHolder(audit: ReshareAudit, moniker: string): void {
  failOn(audit);
  if (!audit.holders.some((h) => h.identity.moniker === moniker))
    throw new SssError(`you (${moniker}) are not among the proposal's new holders`, {
      code: 'not-allowed',
      field: 'holders',
    });
  if (!audit.qualified || !audit.newCommitment)
    throw new SssError(`not enough valid dealings yet: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
      field: '--ceremony',
    });
}

/** What comes once every new holder's finalize is merged. */
const reshareDone = (ceremony: string) =>
  `When every new holder's finalize is merged: sss-tool verify --ceremony ${ceremony} && sss-tool publish --ceremony ${ceremony}`;

/** The result's fields of reshare-finalize, after ceremony, step, moniker and files. */
function reshareResult(ctx: Context, opened: OpenedReshare, share: ShareFile, backup: string | undefined) {
  return {
    qualified: opened.qualified,
    badDealers: opened.bad,
    verifyingShare: share.verifyingShare,
    epoch: share.group.epoch,
    shareFile: ctx.paths.share,
    backup,
  };
}

/** What reshare-finalize says about the new share, after what it did. */
function reshareLines(
  ctx: Context,
  opened: OpenedReshare,
  share: ShareFile,
  backup: string | undefined,
  outPath: string,
): string[] {
  return [
    ...(opened.bad.length
      ? [`  warning: the shares dealt to you by ${names(opened.bad)} do not match their commitments (left out)`]
      : []),
    `  group public key  ${share.group.publicKey} (unchanged)`,
    `  epoch             ${share.group.epoch}, threshold ${share.group.threshold}`,
    `  verifying share   ${share.verifyingShare}`,
    `  your key share    ${ctx.paths.share} (age-encrypted; back it up offline)`,
    ...(backup
      ? [`  previous share kept as ${backup} (it cannot sign in the new epoch; delete it when you no longer need it)`]
      : []),
    `  wrote ${shown(ctx.repo, outPath)}`,
  ];
}

function newShareFile(audit: ReshareAudit, moniker: string, identifier: string, opened: OpenedReshare): ShareFile {
  const manifest = audit.manifest!;
  const before = audit.groupBefore!;
  return shareFileOf(audit.ceremony, { moniker, identifier }, opened.signingShare, encodePoint(opened.verifyingShare), {
    publicKey: before.publicKey,
    threshold: manifest.newThreshold,
    commitment: opened.commitment.map(encodePoint),
    genesis: before.ceremonies[0].id,
    epoch: manifest.epoch,
  });
}

export type { ReshareManifest };
