/**
 * What dkg-round1, dkg-round2 and dkg-finalize do (options: src/cli/dkg.ts): each reads the public
 * artifacts, runs the same audit as `verify`, calls its step (src/ceremony/dkg-steps.ts) and writes
 * exactly one artifact of its own; private state stays age-encrypted in the home dir.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jcs, toFileText, digest as artifactDigest } from '../artifacts/canonical.js';
import { DkgManifest, Round1, Round2, parseWith } from '../artifacts/schemas.js';
import { CEREMONY_ID, encodePoint } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { allowedAccount, checkReservedAccount, parseAllowOption } from '../ceremony/accounts.js';
import { auditDkg, checkThreshold, DkgAudit } from '../ceremony/dkg.js';
import { Self } from '../ceremony/dkg-precheck.js';
import { DkgState, dkgCommit, dkgDeal, dkgFinalize, dkgManifest, openShares } from '../ceremony/dkg-steps.js';
import { ceremonyWithFiles, readArtifactFile } from '../ceremony/tree.js';
import { PUBLIC_MODE, replaceFile, writeArtifactFile } from '../local/fsutil.js';
import { Identity, loadPublicIdentity, openIdentity } from '../local/identity.js';
import { readPrivateWith, writePrivateNew, writePrivateState } from '../local/keystore.js';
import { DkgStateFile } from '../local/state.js';
import { saveShareFile } from '../local/share.js';
import { Context } from './context.js';
import { republishIfSaved, reportShareSaved, shareFileOf } from './finalize.js';
import { expandArtifactPaths, shown } from './paths.js';
import { failOn, reportStep } from './step.js';
import { SubmitOptions } from './submit.js';

type Round1Options = { threshold: number; participants: number; ceremony: string; allow?: string } & SubmitOptions;

export async function dkgRound1Command(ctx: Context, opts: Round1Options) {
  if (!CEREMONY_ID.test(opts.ceremony))
    throw new SssError('expected lowercase letters, digits, . _ or -, at most 63', {
      code: 'usage',
      field: '--ceremony',
    });
  checkThreshold(opts.threshold, opts.participants);
  const me = loadPublicIdentity(ctx.paths);
  const dir = join(ctx.ceremoniesDir, opts.ceremony);
  const manifestPath = join(dir, 'ceremony.json');
  const manifest = existsSync(manifestPath)
    ? joinedManifest(ctx, opts, manifestPath, me.moniker)
    : newManifest(opts, me.moniker);
  // The audit refuses a round-1 artifact under a slot reserved for another account: do not write one.
  const slot = {
    file: shown(ctx.repo, manifestPath),
    culprit: me.moniker,
    slot: `the allow-list gives ${me.moniker} to`,
  };
  checkReservedAccount(allowedAccount(manifest, me.moniker), me.github, slot);
  const artifactPath = join(dir, 'round1', `${me.moniker}.json`);
  const { artifact, again } = await round1Commitment(ctx, opts, artifactPath);
  const written: string[] = [];
  if (!existsSync(manifestPath)) {
    writeArtifactFile(manifestPath, toFileText(manifest));
    written.push(manifestPath);
  }
  writeArtifactFile(artifactPath, toFileText(artifact));
  written.push(artifactPath);
  await reportStep(
    ctx,
    opts,
    { ceremony: opts.ceremony, step: 'round1', moniker: me.moniker, files: written },
    {
      fields: { again },
      said: [
        again
          ? `Round 1 was already done: your commitment is unchanged.`
          : `Round 1 done: your polynomial's commitment and proof of knowledge are published.`,
        ...written.map((f) => `  wrote ${shown(ctx.repo, f)}`),
      ],
      then: `When all ${opts.participants} round-1 artifacts are merged: sss-tool dkg-round2 --commitments ${shown(ctx.repo, join(dir, 'round1'))}`,
    },
  );
}

/** The ceremony.json someone else opened: M, N and its allow-list must admit this commitment. */
function joinedManifest(ctx: Context, opts: Round1Options, path: string, moniker: string): DkgManifest {
  const file = shown(ctx.repo, path);
  const manifest = parseWith(DkgManifest, readArtifactFile(path, file).value, file);
  if (manifest.threshold !== opts.threshold)
    throw new SssError(`--threshold ${opts.threshold} disagrees with the ceremony's threshold ${manifest.threshold}`, {
      code: 'mismatch',
      file,
      field: 'threshold',
    });
  if (manifest.participants !== opts.participants)
    throw new SssError(
      `--participants ${opts.participants} disagrees with the ceremony's ${manifest.participants} participants`,
      { code: 'mismatch', file, field: 'participants' },
    );
  if (manifest.allowList && !manifest.allowList.includes(moniker))
    throw new SssError(`${moniker} is not on the ceremony's allow-list`, {
      code: 'not-allowed',
      file,
      field: 'allowList',
    });
  return manifest;
}

/** The ceremony.json this first participant opens the ceremony with (docs/protocol.md §6.1). */
function newManifest(opts: Round1Options, moniker: string): DkgManifest {
  const { allowList, allowAccounts } = parseAllowOption(opts.allow);
  const manifest = dkgManifest(opts.ceremony, opts.threshold, opts.participants, allowList, allowAccounts);
  parseWith(DkgManifest, manifest, '--allow');
  // The audit rejects a round-1 artifact from outside the allow-list: do not write one.
  if (allowList && !allowList.includes(moniker))
    throw new SssError(`the allow-list does not include you (${moniker})`, { code: 'usage', field: '--allow' });
  return manifest;
}

/** This participant's round-1 artifact: the one made before (the state says), else a new polynomial's. */
async function round1Commitment(
  ctx: Context,
  opts: Round1Options,
  artifactPath: string,
): Promise<{ artifact: Round1; again: boolean }> {
  const statePath = ctx.paths.dkgState(opts.ceremony);
  const passphrase = await ctx.passphrase();
  if (existsSync(statePath)) {
    // A second run republishes the same commitment: never a second polynomial.
    const state = await readPrivateWith(DkgStateFile, statePath, passphrase);
    const artifact = state.round1;
    // Without a ceremony.json to compare with (e.g. a fresh checkout), the state is the reference:
    // otherwise a manifest with other M/N would be written beside the old commitment.
    for (const field of ['threshold', 'participants'] as const)
      if (artifact[field] !== opts[field])
        throw new SssError(
          `you already ran round 1 of ${opts.ceremony} as ${artifact.threshold}-of-${artifact.participants}; --threshold and --participants must match it`,
          { code: 'usage', file: statePath, field },
        );
    return { artifact, again: true };
  }
  if (existsSync(artifactPath))
    throw new SssError('a round-1 artifact under your moniker exists, but this home dir has no round-1 state for it', {
      code: 'private',
      file: shown(ctx.repo, artifactPath),
    });
  requireFreeSeat(ctx, dirname(artifactPath), opts.participants);
  const id = await openIdentity(ctx.paths, passphrase);
  const step = dkgCommit(opts.ceremony, id, opts.threshold, opts.participants);
  await writePrivateNew(statePath, step.state, passphrase);
  return { artifact: step.artifact, again: false };
}

/** An N+1st round-1 artifact can never be used, and once merged it blocks the ceremony for good. */
function requireFreeSeat(ctx: Context, round1Dir: string, participants: number): void {
  const taken = existsSync(round1Dir) ? readdirSync(round1Dir).filter((f) => f.endsWith('.json')).length : 0;
  if (taken >= participants)
    throw new SssError(`the ceremony already has all ${participants} round-1 artifacts, and none is yours`, {
      code: 'not-allowed',
      file: shown(ctx.repo, round1Dir),
      field: 'participants',
    });
}

async function loadState(ctx: Context, ceremony: string): Promise<{ state: DkgState; passphrase: string }> {
  const statePath = ctx.paths.dkgState(ceremony);
  if (!existsSync(statePath))
    throw new SssError(`no round-1 state for ceremony ${ceremony} in this home dir: run dkg-round1 first`, {
      code: 'private',
      file: statePath,
    });
  const passphrase = await ctx.passphrase();
  return { state: await readPrivateWith(DkgStateFile, statePath, passphrase), passphrase };
}

/**
 * The audit of the artifacts given (and the rounds before them in the checkout), stopped on its
 * first error: `me`'s own audit, which its own round-2 artifact spares the proofs of knowledge it
 * already verified (round1Attested, src/ceremony/dkg-precheck.ts). That is dkg-finalize's: round 2
 * reads no round-2 files, so it checks every proof.
 */
async function auditGiven(
  ctx: Context,
  me: Self,
  given: string[],
  role: 'round1' | 'round2',
  progress: (c: string) => string,
) {
  const { files, ceremony } = ceremonyWithFiles(expandArtifactPaths(given), role, role === 'round2' ? ['round1'] : [], {
    root: ctx.repo,
    ceremoniesDir: ctx.ceremoniesDir,
  });
  ctx.progress(progress(ceremony));
  const audit = auditDkg(files, { moniker: me.moniker, signingKey: me.signingKey });
  failOn(audit);
  return { audit, ceremony, N: audit.participants! };
}

export async function dkgRound2Command(ctx: Context, opts: { commitments: string[] } & SubmitOptions) {
  const me = loadPublicIdentity(ctx.paths);
  const { audit, ceremony, N } = await auditGiven(
    ctx,
    me,
    opts.commitments,
    'round1',
    (c) => `checking the round-1 artifacts of ${c} (signatures, proofs of knowledge)`,
  );
  const { state, passphrase } = await round1Closed(ctx, audit, ceremony, me.moniker);
  const dir = join(ctx.ceremoniesDir, ceremony);
  const outPath = join(dir, 'round2', `${me.moniker}.json`);
  const { artifact, again } = state.round2
    ? { artifact: round2DealtBefore(audit, state.round2), again: true }
    : { artifact: await dealShares(ctx, ceremony, audit, state, passphrase), again: false };
  writeArtifactFile(outPath, toFileText(artifact));
  const groupKey = encodePoint(audit.groupCommitment![0]);
  replaceFile(ctx.paths.publicKey, groupKey + '\n', PUBLIC_MODE);
  await reportStep(
    ctx,
    opts,
    { ceremony, step: 'round2', moniker: me.moniker, files: [outPath] },
    {
      fields: { groupKey, round1Digest: audit.round1Digest!, again },
      said: [
        again
          ? 'Round 2 was already done: your encrypted shares are unchanged.'
          : `Round 2 done: ${artifact.shares.length} shares, each encrypted to its recipient.`,
        `  wrote ${shown(ctx.repo, outPath)}`,
        `  group public key ${groupKey}`,
        `  (saved to ${ctx.paths.publicKey})`,
      ],
      then: `When all ${N} round-2 artifacts are merged: sss-tool dkg-finalize --shares ${shown(ctx.repo, join(dir, 'round2'))}`,
    },
  );
}

/**
 * Round 2 starts when round 1 is closed with this participant's own commitment in it: the one its
 * round-1 state made, or its shares would be dealt from a polynomial nobody committed to.
 */
async function round1Closed(
  ctx: Context,
  audit: DkgAudit,
  ceremony: string,
  moniker: string,
): Promise<{ state: DkgState; passphrase: string }> {
  const N = audit.participants!;
  if (audit.round1.size !== N)
    throw new SssError(`round 1 is not closed: ${audit.round1.size} of ${N} round-1 artifacts (${audit.awaiting})`, {
      code: 'incomplete',
      field: '--commitments',
    });
  const mine = audit.round1.get(moniker);
  if (!mine)
    throw new SssError(`your round-1 artifact (${moniker}) is not among the commitments`, {
      code: 'usage',
      field: '--commitments',
    });
  const loaded = await loadState(ctx, ceremony);
  if (jcs(mine.artifact) !== jcs(loaded.state.round1))
    throw new SssError('the round-1 artifact under your moniker is not the one you made', {
      code: 'private',
      file: mine.file,
      culprit: moniker,
    });
  return loaded;
}

/**
 * The round-2 artifact made before: republished only over the same round-1 digest (docs/protocol.md
 * §6.3), since shares already dealt over other commitments must never be dealt again.
 */
function round2DealtBefore(audit: DkgAudit, before: NonNullable<DkgState['round2']>): Round2 {
  const digest = audit.round1Digest!;
  if (before.round1Digest === digest) return before.artifact;
  const seen = before.seen ?? {};
  const changed = [...audit.round1.values()].filter((r) => seen[r.artifact.moniker] !== artifactDigest(r.artifact));
  throw new SssError(
    `you already ran round 2 over a different set of round-1 artifacts (digest ${before.round1Digest}, now ${digest}): a commitment changed`,
    {
      code: 'mismatch',
      file: changed[0]?.file,
      field: 'round1Digest',
      culprits: changed.map((r) => r.artifact.moniker),
    },
  );
}

/** Round 2 (docs/protocol.md §6.4): one share for each participant, encrypted to them; the state keeps it. */
async function dealShares(
  ctx: Context,
  ceremony: string,
  audit: DkgAudit,
  state: DkgState,
  passphrase: string,
): Promise<Round2> {
  ctx.progress('unlocking your identity (scrypt: about a second per private file)');
  const id = await openIdentity(ctx.paths, passphrase);
  const step = await dkgDeal(audit, id, state, (m) => ctx.progress(`encrypting the share for ${m}`));
  await writePrivateState(ctx.paths.dkgState(ceremony), step.state, passphrase);
  return step.artifact;
}

export async function dkgFinalizeCommand(
  ctx: Context,
  opts: { shares: string[]; replaceShare?: boolean } & SubmitOptions,
) {
  const me = loadPublicIdentity(ctx.paths);
  const { audit, ceremony, N } = await auditGiven(
    ctx,
    me,
    opts.shares,
    'round2',
    (c) => `checking the round-1 and round-2 artifacts of ${c}`,
  );
  if (audit.round1.size !== N) throw new SssError(`round 1 is not closed: ${audit.awaiting}`, { code: 'incomplete' });
  if (audit.round2.size !== N)
    throw new SssError(`round 2 is not closed: ${audit.round2.size} of ${N} round-2 artifacts (${audit.awaiting})`, {
      code: 'incomplete',
      field: '--shares',
    });
  if (!audit.round1.has(me.moniker))
    throw new SssError(`${me.moniker} is not a participant of ceremony ${ceremony}`, { code: 'not-allowed' });
  const groupKey = encodePoint(audit.groupCommitment![0]);
  const outPath = join(ctx.ceremoniesDir, ceremony, 'finalize', `${me.moniker}.json`);
  const passphrase = await ctx.passphrase();
  const id = await openIdentity(ctx.paths, passphrase);
  const step = { ceremony, moniker: me.moniker, outPath, groupKey };
  const again = {
    artifact: (verifyingShare: string) => dkgFinalize(audit, id, verifyingShare),
    said: 'Already finalized: your share is saved and your finalize artifact is unchanged.',
  };
  if (await republishIfSaved(ctx, opts, passphrase, step, again)) return;
  const { verifyingShare, backup } = await openAndSaveShare(ctx, opts, ceremony, id, audit, passphrase);
  writeArtifactFile(outPath, toFileText(dkgFinalize(audit, id, verifyingShare)));
  replaceFile(ctx.paths.publicKey, groupKey + '\n', PUBLIC_MODE);
  // The polynomial is no longer needed, and keeping it would only be a liability.
  rmSync(dirname(ctx.paths.dkgState(ceremony)), { recursive: true, force: true });
  await reportShareSaved(ctx, opts, step, {
    verifyingShare,
    backup,
    headline: `Finalized: all ${N - 1} shares addressed to you check out against the group commitment.`,
    then: `When all ${N} finalize artifacts are merged: sss-tool verify --ceremony ${ceremony} && sss-tool publish --ceremony ${ceremony}`,
  });
}

/**
 * Finalize (docs/protocol.md §6.6): opens the shares addressed to this participant, checks each
 * against its dealer's commitment, and saves their sum, age-encrypted, as this participant's share.
 */
async function openAndSaveShare(
  ctx: Context,
  opts: { replaceShare?: boolean },
  ceremony: string,
  id: Identity,
  audit: DkgAudit,
  passphrase: string,
): Promise<{ verifyingShare: string; backup: string | undefined }> {
  ctx.progress('unlocking your round state (scrypt: about a second per private file)');
  const { state } = await loadState(ctx, ceremony);
  const result = await openShares(audit, id, state, (m) => ctx.progress(`decrypting the share from ${m}`));
  ctx.progress('saving your share, age-encrypted');
  const verifyingShare = encodePoint(result.verifyingShare);
  const C = audit.groupCommitment!;
  const share = shareFileOf(ceremony, id, result.signingShare, verifyingShare, {
    publicKey: encodePoint(C[0]),
    threshold: audit.threshold!,
    commitment: C.map(encodePoint),
    genesis: ceremony,
  });
  const backup = await saveShareFile(ctx.paths.share, share, passphrase, Boolean(opts.replaceShare));
  return { verifyingShare, backup };
}
