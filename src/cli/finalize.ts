/**
 * What the finalize steps (dkg-finalize, finalize-join, reshare-finalize) share: the share file
 * they save, and a step run again, which publishes the same finalize artifact from the share it
 * saved before instead of making a second one (docs/protocol.md §10: a share is written once).
 */
import { existsSync } from 'node:fs';
import { toFileText } from '../artifacts/canonical.js';
import { CIPHERSUITE, Fn, bytesToHex } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { writeArtifactFile } from '../local/fsutil.js';
import { readShareFile, ShareFile } from '../local/share.js';
import { Context } from './context.js';
import { shown } from './paths.js';
import { reportStep } from './step.js';
import { SubmitOptions } from './submit.js';

/** The share file a finalize step saves: this holder's signing share, and the group it is of. */
export function shareFileOf(
  ceremony: string,
  me: { moniker: string; identifier: string },
  signingShare: bigint,
  verifyingShare: string,
  group: ShareFile['group'],
): ShareFile {
  return {
    format: 'sss-tool/share@1',
    ciphersuite: CIPHERSUITE,
    ceremony,
    moniker: me.moniker,
    identifier: me.identifier,
    signingShare: bytesToHex(Fn.toBytes(signingShare)),
    verifyingShare,
    group,
  };
}

/** What a finalize step says about the share it saved (`keyNote` follows the group key, if any). */
function savedShareLines(
  ctx: Context,
  groupKey: string,
  verifyingShare: string,
  backup: string | undefined,
  keyNote = '',
): string[] {
  return [
    `  group public key  ${groupKey}${keyNote}`,
    `  verifying share   ${verifyingShare}`,
    `  your key share    ${ctx.paths.share} (age-encrypted; back it up offline)`,
    ...(backup ? [`  previous share kept as ${backup}`] : []),
  ];
}

/**
 * The share this home dir saved when it finalized `ceremony` before, if it did (then the step only
 * republishes). Without --replace-share, a share of another ceremony or group is refused: it is
 * never overwritten.
 */
async function shareSavedBefore(
  ctx: Context,
  passphrase: string,
  ceremony: string,
  groupKey: string,
  replaceShare?: boolean,
): Promise<ShareFile | undefined> {
  if (!existsSync(ctx.paths.share) || replaceShare) return undefined;
  const share = await readShareFile(ctx.paths.share, passphrase);
  if (share.ceremony !== ceremony || share.group.publicKey !== groupKey)
    throw new SssError(
      'a share file already exists; refusing to overwrite it (pass --replace-share to keep it as a backup and write the new one)',
      { code: 'io', file: ctx.paths.share },
    );
  return share;
}

/** A finalize step done again: what it publishes and what it says. */
export interface Republished {
  ceremony: string;
  moniker: string;
  /** Where the finalize artifact goes, and the artifact made again from the saved share. */
  outPath: string;
  artifact: object;
  /** The result's fields after ceremony, step, moniker and files (`again: true` comes last). */
  fields: Record<string, unknown>;
  /** What the step says: that it was already done, then any details. */
  said: string[];
  then?: string;
  /** Runs once the artifact is in place, before anything is reported (the audit again, say). */
  check?: () => void;
}

/**
 * A finalize step run again after its share was saved: writes the finalize artifact made from the
 * saved verifying share (artifact signatures are deterministic, so these are the bytes already
 * there, or the file comes back if it was lost) and reports the step as done again.
 */
export async function republishFinalize(ctx: Context, opts: SubmitOptions, r: Republished): Promise<void> {
  writeArtifactFile(r.outPath, toFileText(r.artifact));
  r.check?.();
  const step = { ceremony: r.ceremony, step: 'finalize', moniker: r.moniker, files: [r.outPath] };
  await reportStep(ctx, opts, step, { fields: { ...r.fields, again: true }, said: r.said, then: r.then });
}

/** dkg-finalize's or finalize-join's artifact, its ceremony, its author and the group key. */
export interface FinalizeStep {
  ceremony: string;
  moniker: string;
  outPath: string;
  groupKey: string;
}

/**
 * dkg-finalize and finalize-join run again: with a share of this ceremony saved (and no
 * --replace-share), republishes the finalize artifact from it and returns true.
 */
export async function republishIfSaved(
  ctx: Context,
  opts: SubmitOptions & { replaceShare?: boolean },
  passphrase: string,
  step: FinalizeStep,
  again: { artifact: (verifyingShare: string) => object; said: string },
): Promise<boolean> {
  const saved = await shareSavedBefore(ctx, passphrase, step.ceremony, step.groupKey, opts.replaceShare);
  if (!saved) return false;
  await republishFinalize(ctx, opts, {
    ...step,
    artifact: again.artifact(saved.verifyingShare),
    fields: { groupKey: step.groupKey, verifyingShare: saved.verifyingShare },
    said: [again.said],
  });
  return true;
}

/** What dkg-finalize and finalize-join print once the new share is saved and the artifact written. */
export async function reportShareSaved(
  ctx: Context,
  opts: SubmitOptions,
  step: FinalizeStep,
  r: { verifyingShare: string; backup: string | undefined; headline: string; keyNote?: string; then: string },
): Promise<void> {
  const { groupKey, outPath } = step;
  const { verifyingShare, backup } = r;
  await reportStep(
    ctx,
    opts,
    { ceremony: step.ceremony, step: 'finalize', moniker: step.moniker, files: [outPath] },
    {
      fields: { groupKey, verifyingShare, shareFile: ctx.paths.share, backup },
      said: [
        r.headline,
        ...savedShareLines(ctx, groupKey, verifyingShare, backup, r.keyNote),
        `  wrote ${shown(ctx.repo, outPath)}`,
      ],
      then: r.then,
    },
  );
}
