/**
 * What dkg-round1, dkg-round2 and dkg-finalize do (options: src/cli/dkg.ts): each reads the public
 * artifacts, runs the same audit as `verify`, calls its step (src/ceremony/dkg-steps.ts) and writes
 * exactly one artifact of its own; private state stays age-encrypted in the home dir.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jcs, toFileText, digest as artifactDigest } from '../artifacts/canonical.js';
import { DkgManifest, Round1, Round2, parseWith } from '../artifacts/schemas.js';
import { CEREMONY_ID, CIPHERSUITE, Fn, bytesToHex, encodePoint } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { auditDkg, checkThreshold, DkgAudit } from '../ceremony/dkg.js';
import { DkgState, dkgCommit, dkgDeal, dkgFinalize, dkgManifest, openShares } from '../ceremony/dkg-steps.js';
import { ceremonyWithFiles, readArtifactFile } from '../ceremony/tree.js';
import { PUBLIC_MODE, replaceFile, writeArtifactFile } from '../local/fsutil.js';
import { loadPublicIdentity, openIdentity } from '../local/identity.js';
import { readPrivateWith, writePrivateNew, writePrivateState } from '../local/keystore.js';
import { DkgStateFile } from '../local/state.js';
import { readShareFile, saveShareFile, ShareFile } from '../local/share.js';
import { Context } from './context.js';
import { expandArtifactPaths, shown } from './paths.js';
import { nextSteps, SubmitOptions } from './submit.js';

export async function dkgRound1Command(
  ctx: Context,
  opts: { threshold: number; participants: number; ceremony: string; allow?: string } & SubmitOptions,
) {
  if (!CEREMONY_ID.test(opts.ceremony))
    throw new SssError('expected lowercase letters, digits, . _ or -, at most 63', {
      code: 'usage',
      field: '--ceremony',
    });
  checkThreshold(opts.threshold, opts.participants);
  const me = loadPublicIdentity(ctx.paths);
  const dir = join(ctx.ceremoniesDir, opts.ceremony);
  const manifestPath = join(dir, 'ceremony.json');
  const allowList = opts.allow?.split(',').filter(Boolean);
  let manifest: DkgManifest;
  if (existsSync(manifestPath)) {
    const file = shown(ctx.repo, manifestPath);
    manifest = parseWith(DkgManifest, readArtifactFile(manifestPath, file).value, file);
    if (manifest.threshold !== opts.threshold)
      throw new SssError(
        `--threshold ${opts.threshold} disagrees with the ceremony's threshold ${manifest.threshold}`,
        { code: 'mismatch', file, field: 'threshold' },
      );
    if (manifest.participants !== opts.participants)
      throw new SssError(
        `--participants ${opts.participants} disagrees with the ceremony's ${manifest.participants} participants`,
        { code: 'mismatch', file, field: 'participants' },
      );
    if (manifest.allowList && !manifest.allowList.includes(me.moniker))
      throw new SssError(`${me.moniker} is not on the ceremony's allow-list`, {
        code: 'not-allowed',
        file,
        field: 'allowList',
      });
  } else {
    manifest = dkgManifest(opts.ceremony, opts.threshold, opts.participants, allowList);
    parseWith(DkgManifest, manifest, '--allow');
    // The audit rejects a round-1 artifact from outside the allow-list: do not write one.
    if (allowList && !allowList.includes(me.moniker))
      throw new SssError(`the allow-list does not include you (${me.moniker})`, { code: 'usage', field: '--allow' });
  }
  const artifactPath = join(dir, 'round1', `${me.moniker}.json`);
  const statePath = ctx.paths.dkgState(opts.ceremony);
  const passphrase = await ctx.passphrase();
  let artifact: Round1;
  let again = false;
  if (existsSync(statePath)) {
    // A second run republishes the same commitment: never a second polynomial.
    const state = await readPrivateWith(DkgStateFile, statePath, passphrase);
    artifact = state.round1;
    again = true;
    // Without a ceremony.json to compare with (e.g. a fresh checkout), the state is the reference:
    // otherwise a manifest with other M/N would be written beside the old commitment.
    for (const field of ['threshold', 'participants'] as const)
      if (artifact[field] !== opts[field])
        throw new SssError(
          `you already ran round 1 of ${opts.ceremony} as ${artifact.threshold}-of-${artifact.participants}; --threshold and --participants must match it`,
          { code: 'usage', file: statePath, field },
        );
  } else {
    if (existsSync(artifactPath))
      throw new SssError(
        'a round-1 artifact under your moniker exists, but this home dir has no round-1 state for it',
        { code: 'private', file: shown(ctx.repo, artifactPath) },
      );
    // An N+1st round-1 artifact can never be used, and once merged it blocks the ceremony for good.
    const round1Dir = join(dir, 'round1');
    const taken = existsSync(round1Dir) ? readdirSync(round1Dir).filter((f) => f.endsWith('.json')).length : 0;
    if (taken >= opts.participants)
      throw new SssError(`the ceremony already has all ${opts.participants} round-1 artifacts, and none is yours`, {
        code: 'not-allowed',
        file: shown(ctx.repo, round1Dir),
        field: 'participants',
      });
    const id = await openIdentity(ctx.paths, passphrase);
    const step = dkgCommit(opts.ceremony, id, opts.threshold, opts.participants);
    artifact = step.artifact;
    const state = step.state;
    await writePrivateNew(statePath, state, passphrase);
  }
  const written: string[] = [];
  if (!existsSync(manifestPath)) {
    writeArtifactFile(manifestPath, toFileText(manifest));
    written.push(manifestPath);
  }
  writeArtifactFile(artifactPath, toFileText(artifact));
  written.push(artifactPath);
  ctx.result({
    ceremony: opts.ceremony,
    step: 'round1',
    moniker: me.moniker,
    files: written.map((f) => shown(ctx.repo, f)),
    again,
  });
  ctx.say(
    again
      ? `Round 1 was already done: your commitment is unchanged.`
      : `Round 1 done: your polynomial's commitment and proof of knowledge are published.`,
  );
  for (const f of written) ctx.say(`  wrote ${shown(ctx.repo, f)}`);
  await nextSteps(ctx, opts, { ceremony: opts.ceremony, step: 'round1', moniker: me.moniker, files: written });
  ctx.say(
    `When all ${opts.participants} round-1 artifacts are merged: sss-tool dkg-round2 --commitments ${shown(ctx.repo, join(dir, 'round1'))}`,
  );
}

function failOn(audit: DkgAudit): void {
  if (!audit.errors.length) return;
  const more =
    audit.errors.length > 1
      ? ` (and ${audit.errors.length - 1} more: run sss-tool verify --ceremony ${audit.ceremony})`
      : '';
  throw new SssError(audit.errors[0].message + more, { code: audit.errors[0].code });
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

export async function dkgRound2Command(ctx: Context, opts: { commitments: string[] } & SubmitOptions) {
  const me = loadPublicIdentity(ctx.paths);
  const { files, ceremony } = ceremonyWithFiles(expandArtifactPaths(opts.commitments), 'round1', [], {
    root: ctx.repo,
    ceremoniesDir: ctx.ceremoniesDir,
  });
  ctx.progress(`checking the round-1 artifacts of ${ceremony} (signatures, proofs of knowledge)`);
  const audit = auditDkg(files);
  failOn(audit);
  const N = audit.participants!;
  if (audit.round1.size !== N)
    throw new SssError(`round 1 is not closed: ${audit.round1.size} of ${N} round-1 artifacts (${audit.awaiting})`, {
      code: 'incomplete',
      field: '--commitments',
    });
  const mine = audit.round1.get(me.moniker);
  if (!mine)
    throw new SssError(`your round-1 artifact (${me.moniker}) is not among the commitments`, {
      code: 'usage',
      field: '--commitments',
    });
  const { state, passphrase } = await loadState(ctx, ceremony);
  if (jcs(mine.artifact) !== jcs(state.round1))
    throw new SssError('the round-1 artifact under your moniker is not the one you made', {
      code: 'private',
      file: mine.file,
      culprit: me.moniker,
    });
  const dir = join(ctx.ceremoniesDir, ceremony);
  const outPath = join(dir, 'round2', `${me.moniker}.json`);
  const digest = audit.round1Digest!;
  let artifact: Round2;
  let again = false;
  if (state.round2) {
    if (state.round2.round1Digest !== digest) {
      const seen = state.round2.seen ?? {};
      const changed = [...audit.round1.values()].filter((r) => seen[r.artifact.moniker] !== artifactDigest(r.artifact));
      throw new SssError(
        `you already ran round 2 over a different set of round-1 artifacts (digest ${state.round2.round1Digest}, now ${digest}): a commitment changed`,
        {
          code: 'mismatch',
          file: changed[0]?.file,
          field: 'round1Digest',
          culprits: changed.map((r) => r.artifact.moniker),
        },
      );
    }
    artifact = state.round2.artifact;
    again = true;
  } else {
    ctx.progress('unlocking your identity (scrypt: about a second per private file)');
    const id = await openIdentity(ctx.paths, passphrase);
    const step = await dkgDeal(audit, id, state, (m) => ctx.progress(`encrypting the share for ${m}`));
    artifact = step.artifact;
    await writePrivateState(ctx.paths.dkgState(ceremony), step.state, passphrase);
  }
  writeArtifactFile(outPath, toFileText(artifact));
  const groupKey = encodePoint(audit.groupCommitment![0]);
  replaceFile(ctx.paths.publicKey, groupKey + '\n', PUBLIC_MODE);
  ctx.result({
    ceremony,
    step: 'round2',
    moniker: me.moniker,
    files: [shown(ctx.repo, outPath)],
    groupKey,
    round1Digest: digest,
    again,
  });
  ctx.say(
    again
      ? 'Round 2 was already done: your encrypted shares are unchanged.'
      : `Round 2 done: ${artifact.shares.length} shares, each encrypted to its recipient.`,
  );
  ctx.say(`  wrote ${shown(ctx.repo, outPath)}`);
  ctx.say(`  group public key ${groupKey}`);
  ctx.say(`  (saved to ${ctx.paths.publicKey})`);
  await nextSteps(ctx, opts, { ceremony, step: 'round2', moniker: me.moniker, files: [outPath] });
  ctx.say(
    `When all ${N} round-2 artifacts are merged: sss-tool dkg-finalize --shares ${shown(ctx.repo, join(dir, 'round2'))}`,
  );
}

export async function dkgFinalizeCommand(
  ctx: Context,
  opts: { shares: string[]; replaceShare?: boolean } & SubmitOptions,
) {
  const me = loadPublicIdentity(ctx.paths);
  const { files, ceremony } = ceremonyWithFiles(expandArtifactPaths(opts.shares), 'round2', ['round1'], {
    root: ctx.repo,
    ceremoniesDir: ctx.ceremoniesDir,
  });
  ctx.progress(`checking the round-1 and round-2 artifacts of ${ceremony}`);
  const audit = auditDkg(files);
  failOn(audit);
  const N = audit.participants!;
  if (audit.round1.size !== N) throw new SssError(`round 1 is not closed: ${audit.awaiting}`, { code: 'incomplete' });
  if (audit.round2.size !== N)
    throw new SssError(`round 2 is not closed: ${audit.round2.size} of ${N} round-2 artifacts (${audit.awaiting})`, {
      code: 'incomplete',
      field: '--shares',
    });
  const mine = audit.round1.get(me.moniker);
  if (!mine) throw new SssError(`${me.moniker} is not a participant of ceremony ${ceremony}`, { code: 'not-allowed' });
  const C = audit.groupCommitment!;
  const groupKey = encodePoint(C[0]);
  const outPath = join(ctx.ceremoniesDir, ceremony, 'finalize', `${me.moniker}.json`);
  const passphrase = await ctx.passphrase();
  const id = await openIdentity(ctx.paths, passphrase);

  // Finalized before (the share is saved): publish the same artifact again.
  if (existsSync(ctx.paths.share) && !opts.replaceShare) {
    const share = await readShareFile(ctx.paths.share, passphrase);
    if (share.ceremony !== ceremony || share.group.publicKey !== groupKey)
      throw new SssError(
        'a share file already exists; refusing to overwrite it (pass --replace-share to keep it as a backup and write the new one)',
        { code: 'io', file: ctx.paths.share },
      );
    const artifact = dkgFinalize(audit, id, share.verifyingShare);
    writeArtifactFile(outPath, toFileText(artifact));
    ctx.result({
      ceremony,
      step: 'finalize',
      moniker: me.moniker,
      files: [shown(ctx.repo, outPath)],
      groupKey,
      verifyingShare: share.verifyingShare,
      again: true,
    });
    ctx.say('Already finalized: your share is saved and your finalize artifact is unchanged.');
    await nextSteps(ctx, opts, { ceremony, step: 'finalize', moniker: me.moniker, files: [outPath] });
    return;
  }

  ctx.progress('unlocking your round state (scrypt: about a second per private file)');
  const { state } = await loadState(ctx, ceremony);
  const result = await openShares(audit, id, state, (m) => ctx.progress(`decrypting the share from ${m}`));
  ctx.progress('saving your share, age-encrypted');
  const verifyingShare = encodePoint(result.verifyingShare);
  const share: ShareFile = {
    format: 'sss-tool/share@1',
    ciphersuite: CIPHERSUITE,
    ceremony,
    moniker: me.moniker,
    identifier: me.identifier,
    signingShare: bytesToHex(Fn.toBytes(result.signingShare)),
    verifyingShare,
    group: { publicKey: groupKey, threshold: audit.threshold!, commitment: C.map(encodePoint), genesis: ceremony },
  };
  const backup = await saveShareFile(ctx.paths.share, share, passphrase, Boolean(opts.replaceShare));
  const artifact = dkgFinalize(audit, id, verifyingShare);
  writeArtifactFile(outPath, toFileText(artifact));
  replaceFile(ctx.paths.publicKey, groupKey + '\n', PUBLIC_MODE);
  // The polynomial is no longer needed, and keeping it would only be a liability.
  rmSync(dirname(ctx.paths.dkgState(ceremony)), { recursive: true, force: true });
  ctx.result({
    ceremony,
    step: 'finalize',
    moniker: me.moniker,
    files: [shown(ctx.repo, outPath)],
    groupKey,
    verifyingShare,
    shareFile: ctx.paths.share,
    backup,
  });
  ctx.say(`Finalized: all ${N - 1} shares addressed to you check out against the group commitment.`);
  ctx.say(`  group public key  ${groupKey}`);
  ctx.say(`  verifying share   ${verifyingShare}`);
  ctx.say(`  your key share    ${ctx.paths.share} (age-encrypted; back it up offline)`);
  if (backup) ctx.say(`  previous share kept as ${backup}`);
  ctx.say(`  wrote ${shown(ctx.repo, outPath)}`);
  await nextSteps(ctx, opts, { ceremony, step: 'finalize', moniker: me.moniker, files: [outPath] });
  ctx.say(
    `When all ${N} finalize artifacts are merged: sss-tool verify --ceremony ${ceremony} && sss-tool publish --ceremony ${ceremony}`,
  );
}
