/**
 * What the signing commands do (options: src/cli/sign.ts; docs/signing.md): sign-commit (round 1), sign-share
 * (round 2), sign-aggregate and jwt (round 2 or aggregation over a JWT's signing input); verify-signature
 * needs none of this and is src/cli/verify-signature-run.ts. Between sign-commit and sign-share the
 * nonces wait age-encrypted in the home dir; sign-share deletes them before it releases the share.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { toFileText } from '../artifacts/canonical.js';
import { hex32, moniker as monikerSchema, parseJson, parseWith } from '../artifacts/schemas.js';
import {
  aggregateSignature,
  checkCommitmentList,
  checkSession,
  newSessionId,
  parseSignCommitment,
  parseSignShare,
  SignCommitment,
  SignShare,
} from '../artifacts/signing.js';
import { assembleJwt, jwtSigningInput, parseClaims } from '../crypto/jwt.js';
import { SigningGroup } from '../crypto/sign.js';
import { CIPHERSUITE, bytesToHex } from '../crypto/suite.js';
import { SssError, located } from '../errors.js';
import { Cosigner, openShare } from '../local/cosigner.js';
import { writeArtifactFile } from '../local/fsutil.js';
import { assertSessionUnused, consumeNonces, loadNonces, saveNonces } from '../local/nonces.js';
import { readShareFile } from '../local/share.js';
import { Context } from './context.js';
import { MessageOptions, readMessage } from './message.js';
import { expandArtifactPaths } from './paths.js';

interface ClaimsOptions {
  claims?: string;
  claimsFile?: string;
}

interface OutOptions {
  out?: string;
}

interface GroupOptions {
  group?: string;
}

export async function signCommit(ctx: Context, opts: { session?: string } & OutOptions): Promise<void> {
  const session = checkSession(opts.session ?? newSessionId(), '--session');
  assertSessionUnused(ctx.paths, session);
  const passphrase = await ctx.passphrase();
  const cosigner = await openCosigner(ctx, passphrase);
  const commitment = cosigner.commit(session);
  await saveNonces(ctx.paths, cosigner.exportNonces(session), passphrase);
  emit(ctx, opts, commitment, `round-1 commitment of ${commitment.moniker} for session ${session}`);
}

export async function signShareCommand(
  ctx: Context,
  opts: { session: string; commitments: string[] } & MessageOptions & OutOptions,
): Promise<void> {
  const session = checkSession(opts.session, '--session');
  const message = readMessage(opts);
  const commitments = readArtifacts(opts.commitments, parseSignCommitment);
  const passphrase = await ctx.passphrase();
  const share = await shareFor(ctx, passphrase, session, message, commitments);
  emit(ctx, opts, share, `signature share of ${share.moniker} for session ${session}`);
}

export async function signAggregate(
  ctx: Context,
  opts: { commitments: string[]; shares: string[]; jwt?: boolean } & MessageOptions & GroupOptions,
): Promise<void> {
  const message = readMessage(opts);
  const group = await loadGroup(ctx, opts);
  const { signature, session, signers } = aggregateFiles(
    group.group,
    message,
    opts.commitments,
    opts.shares,
    group.participants,
  );
  const text = opts.jwt ? Buffer.from(signature).toString('base64url') : bytesToHex(signature);
  if (ctx.json) ctx.result({ session, signers, groupKey: group.group.publicKey, signature: text });
  else process.stdout.write(text + '\n');
}

export async function jwtCommand(
  ctx: Context,
  opts: { commitments: string[]; session?: string; shares?: string[] } & ClaimsOptions & GroupOptions & OutOptions,
): Promise<void> {
  const claims = readClaims(opts);
  if ((opts.session === undefined) === (opts.shares === undefined))
    throw new SssError('give either --session (round 2: your signature share) or --shares (aggregation: the JWT)', {
      code: 'usage',
    });
  if (opts.session !== undefined) {
    const session = checkSession(opts.session, '--session');
    const commitments = readArtifacts(opts.commitments, parseSignCommitment);
    const passphrase = await ctx.passphrase();
    const cosigner = await openCosigner(ctx, passphrase);
    const share = await shareFor(
      ctx,
      passphrase,
      session,
      jwtSigningInput(claims, cosigner.groupKey),
      commitments,
      cosigner,
    );
    emit(ctx, opts, share, `JWT signature share of ${share.moniker} for session ${session}`);
    return;
  }
  const group = await loadGroup(ctx, opts);
  const input = jwtSigningInput(claims, group.group.publicKey);
  const { signature, session, signers } = aggregateFiles(
    group.group,
    input,
    opts.commitments,
    opts.shares!,
    group.participants,
  );
  const jwt = assembleJwt(input, signature);
  if (opts.out) {
    writeArtifactFile(resolve(opts.out), jwt + '\n');
    ctx.say(`Wrote the JWT (session ${session}, signers ${signers.join(', ')}) to ${opts.out}`);
  } else if (!ctx.json) process.stdout.write(jwt + '\n');
  ctx.result({ session, signers, groupKey: group.group.publicKey, jwt, ...(opts.out ? { file: opts.out } : {}) });
}

/** Opens the home dir's share file as a Cosigner. */
async function openCosigner(ctx: Context, passphrase: string): Promise<Cosigner> {
  if (!existsSync(ctx.paths.share))
    throw new SssError(`no share file in ${ctx.paths.home}: only a holder (after dkg-finalize or a join) can sign`, {
      code: 'private',
      file: ctx.paths.share,
    });
  // When --repo has a public_info/group.json, its epoch must be the share's: after a reshare the
  // old share is refused before it commits.
  const groupFile = resolve(ctx.publicInfoDir, 'group.json');
  if (!existsSync(groupFile)) return openShare(ctx.paths.share, passphrase);
  const g = parseWith(GroupFile, parseJson(readFile(groupFile), groupFile), groupFile);
  const share = await readShareFile(ctx.paths.share, passphrase);
  try {
    return new Cosigner(share, share.group.publicKey === g.publicKey ? { epoch: g.epoch ?? 0 } : {});
  } catch (e) {
    throw e instanceof SssError && e.field === 'epoch'
      ? new SssError(e.reason, { code: e.code, file: ctx.paths.share, field: 'group.epoch' })
      : e;
  }
}

/**
 * Round 2 with the session's stored nonces: the share is computed in memory, then the nonces are
 * marked used and deleted, and only then is the share returned to be printed.
 */
async function shareFor(
  ctx: Context,
  passphrase: string,
  session: string,
  message: Uint8Array,
  commitments: { value: SignCommitment; file: string }[],
  opened?: Cosigner,
): Promise<SignShare> {
  const record = await loadNonces(ctx.paths, session, passphrase);
  const cosigner = opened ?? (await openCosigner(ctx, passphrase));
  cosigner.importNonces(record);
  const share = inCulpritsFile(commitments, () =>
    cosigner.signShare(
      session,
      message,
      commitments.map((c) => c.value),
    ),
  );
  consumeNonces(ctx.paths, session);
  return share;
}

function aggregateFiles(
  group: SigningGroup,
  message: Uint8Array,
  commitmentPaths: string[],
  sharePaths: string[],
  participants?: Map<string, string>,
) {
  const commitments = readArtifacts(commitmentPaths, parseSignCommitment);
  const shares = readArtifacts(sharePaths, parseSignShare);
  inCulpritsFile(commitments, () => {
    checkCommitmentList(
      commitments.map((c) => c.value),
      group,
    );
    if (participants)
      for (const c of commitments)
        if (participants.get(c.value.moniker) !== c.value.identifier)
          throw new SssError('signer is not a participant of the group', {
            code: 'not-allowed',
            field: 'moniker',
            culprit: c.value.moniker,
          });
  });
  return inCulpritsFile(shares, () =>
    aggregateSignature(
      group,
      message,
      commitments.map((c) => c.value),
      shares.map((s) => s.value),
    ),
  );
}

/** Runs f; an SssError that names one culprit is located in that culprit's file. */
function inCulpritsFile<T>(files: { value: { moniker: string }; file: string }[], f: () => T): T {
  try {
    return f();
  } catch (e) {
    const one = e instanceof SssError && e.culprits.length === 1 ? e.culprits[0] : undefined;
    const hit = one && files.find((x) => x.value.moniker === one);
    throw hit ? located(e, { file: hit.file }) : e;
  }
}

function readArtifacts<T>(inputs: string[], parse: (value: unknown, file: string) => T): { value: T; file: string }[] {
  return expandArtifactPaths(inputs).map((file) => ({ file, value: parse(parseJson(readFile(file), file), file) }));
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new SssError('cannot read the file', { code: 'io', file });
  }
}

function readClaims(opts: ClaimsOptions) {
  if ((opts.claims === undefined) === (opts.claimsFile === undefined))
    throw new SssError('give the claims with exactly one of --claims or --claims-file', { code: 'usage' });
  if (opts.claims !== undefined) return parseClaims(opts.claims, '--claims');
  return parseClaims(readFile(opts.claimsFile!), opts.claimsFile);
}

/** The public part of public_info/group.json that signing reads; its other fields are not ours. */
const GroupFile = z.object({
  format: z.literal('sss-tool/group@1'),
  ciphersuite: z.literal(CIPHERSUITE),
  publicKey: hex32,
  threshold: z.number().int().min(2),
  commitment: z.array(hex32).min(2),
  epoch: z.number().int().min(1).optional(),
  participants: z.array(z.object({ moniker: monikerSchema, identifier: hex32 })),
});

/**
 * The group to aggregate for: --group (a group.json, whose participant list also rules out
 * non-members), else the group in the home dir's share file.
 */
async function loadGroup(
  ctx: Context,
  opts: GroupOptions,
): Promise<{ group: SigningGroup; participants?: Map<string, string> }> {
  if (opts.group) {
    const file = resolve(opts.group);
    const g = parseWith(GroupFile, parseJson(readFile(file), file), file);
    let group: SigningGroup;
    try {
      group = SigningGroup.of(g);
    } catch (e) {
      throw located(e, { file });
    }
    return { group, participants: new Map(g.participants.map((p) => [p.moniker, p.identifier])) };
  }
  if (!existsSync(ctx.paths.share))
    throw new SssError(`no group: pass --group public_info/group.json, or run where your share file is`, {
      code: 'usage',
      file: ctx.paths.share,
    });
  const share = await readShareFile(ctx.paths.share, await ctx.passphrase());
  return { group: SigningGroup.of(share.group) };
}

function emit(ctx: Context, opts: OutOptions, artifact: SignCommitment | SignShare, what: string): void {
  if (!opts.out) {
    process.stdout.write(toFileText(artifact));
    return;
  }
  writeArtifactFile(resolve(opts.out), toFileText(artifact));
  ctx.result({ file: opts.out, session: artifact.session, moniker: artifact.moniker });
  ctx.say(`Wrote the ${what} to ${opts.out}`);
}
