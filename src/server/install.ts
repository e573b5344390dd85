/**
 * `sss-tool install`: turns a holder's share file (passphrase-encrypted, for people) into a server
 * install (install-files.ts) that trust-server's spawned commands open without a prompt and
 * without age's scrypt. The share goes through readShareFile and the Cosigner first, so every
 * check a signing holder's share must pass applies here too; the group's holders come from
 * public_info/group.json and must match the share's group.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { z } from 'zod';
import { SssError } from '../errors.js';
import { hex32, moniker as monikerSchema, parseJson, parseWith } from '../artifacts/schemas.js';
import { identifierFor } from '../crypto/suite.js';
import { Cosigner } from '../local/cosigner.js';
import { PRIVATE_MODE, PUBLIC_MODE, replaceFile, writeNewFile } from '../local/fsutil.js';
import type { ShareFile } from '../local/share.js';
import { decodeAgeIdentity, decryptAgeX25519 } from './age-x25519.js';
import { SERVER_FORMATS, ServerManifest, ServerPaths, ServerShareFile, checkServerShare } from './install-files.js';

/** The part of public_info/group.json an install reads; its other fields are not ours. */
const GroupFile = z.object({
  publicKey: hex32,
  threshold: z.number().int().min(2),
  commitment: z.array(hex32).min(2),
  participants: z.array(z.object({ moniker: monikerSchema, identifier: hex32 })),
});

export type Protection = { recipient: string } | { newKeyFile: string } | { plaintext: true };

export interface InstallOptions {
  share: ShareFile;
  groupText: string;
  groupFile: string;
  paths: ServerPaths;
  protection: Protection;
  replace?: boolean;
}

export interface Installed {
  moniker: string;
  groupKey: string;
  holders: number;
  protection: ServerManifest['protection'];
  recipient?: string;
  /** Where the new identity was written (with `newKeyFile`). */
  keyFile?: string;
}

export async function installServerShare(o: InstallOptions): Promise<Installed> {
  const cosigner = new Cosigner(o.share);
  const holders = holdersOf(o.groupText, o.groupFile, o.share);
  const { paths } = o;
  if (existsSync(paths.manifest) && !o.replace)
    throw new SssError('a server install is already here; pass --replace to overwrite it', {
      code: 'io',
      file: paths.manifest,
    });
  const text = JSON.stringify(serverShareOf(o.share, holders));
  mkdirSync(paths.dir, { recursive: true });
  const write = (file: string, data: Uint8Array | string, mode: number) =>
    o.replace ? replaceFile(file, data, mode) : writeNewFile(file, data, mode);
  const head = { format: SERVER_FORMATS.manifest, moniker: cosigner.moniker, groupKey: cosigner.groupKey } as const;
  let manifest: ServerManifest;
  let keyFile: string | undefined;
  if ('plaintext' in o.protection) {
    write(paths.plaintextShare, text, PRIVATE_MODE);
    manifest = { ...head, protection: 'none' };
  } else {
    const sealed = await sealForServer(text, o.protection, cosigner, paths.encryptedShare);
    write(paths.encryptedShare, sealed.bytes, PRIVATE_MODE);
    manifest = { ...head, protection: 'age-x25519', recipient: sealed.recipient };
    keyFile = sealed.keyFile;
  }
  mkdirSync(paths.nonces, { recursive: true, mode: 0o700 });
  // The manifest last: a half-done install is not found by the spawned commands.
  write(paths.manifest, JSON.stringify(manifest, null, 2) + '\n', PUBLIC_MODE);
  // A replaced install leaves no share of the other protection behind (a plaintext copy, above all).
  const stale = manifest.protection === 'none' ? paths.encryptedShare : paths.plaintextShare;
  if (o.replace) rmSync(stale, { force: true });
  return {
    moniker: cosigner.moniker,
    groupKey: cosigner.groupKey,
    holders: holders.length,
    protection: manifest.protection,
    recipient: manifest.recipient,
    keyFile,
  };
}

/** The server's share file: the holder's share with the group's holders, checked as the server will read it. */
function serverShareOf(share: ShareFile, holders: { moniker: string; identifier: string }[]): ServerShareFile {
  const serverShare: ServerShareFile = {
    format: SERVER_FORMATS.share,
    ciphersuite: share.ciphersuite,
    moniker: share.moniker,
    identifier: share.identifier,
    signingShare: share.signingShare,
    verifyingShare: share.verifyingShare,
    groupKey: share.group.publicKey,
    threshold: share.group.threshold,
    commitment: share.group.commitment,
    holders,
    installedFrom: share,
  };
  checkServerShare(serverShare, 'server share');
  return serverShare;
}

/**
 * The server share sealed to an age X25519 recipient: the one given, or a new identity's, written
 * to `newKeyFile` for the operator (docs/protocol.md §16).
 */
async function sealForServer(
  text: string,
  protection: { recipient: string } | { newKeyFile: string },
  cosigner: Cosigner,
  encryptedShare: string,
): Promise<{ bytes: Uint8Array; recipient: string; keyFile?: string }> {
  let recipient: string;
  let identity: string | undefined;
  let keyFile: string | undefined;
  if ('newKeyFile' in protection) {
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
    keyFile = protection.newKeyFile;
    writeNewFile(
      keyFile,
      `# sss-tool server key for ${cosigner.moniker} (group ${cosigner.groupKey})\n# public key: ${recipient}\n${identity}\n`,
      PRIVATE_MODE,
    );
  } else recipient = protection.recipient;
  if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient))
    throw new SssError('expected an age X25519 recipient (age1…, 62 characters)', {
      code: 'usage',
      field: '--recipient',
    });
  const e = new Encrypter();
  e.addRecipient(recipient);
  const bytes = await e.encrypt(text);
  // The spawned commands read it with their own decoder: prove they can before anything is written.
  if (identity) decryptAgeX25519(bytes, decodeAgeIdentity(identity, 'identity'), encryptedShare);
  return { bytes, recipient, keyFile };
}

/** The group's holders, from group.json, which must describe the share's group. */
function holdersOf(text: string, file: string, share: ShareFile): { moniker: string; identifier: string }[] {
  const g = parseWith(GroupFile, parseJson(text, file), file);
  if (g.publicKey !== share.group.publicKey)
    throw new SssError('not the group of this share: the group key differs', {
      code: 'mismatch',
      file,
      field: 'publicKey',
    });
  if (g.threshold !== share.group.threshold || g.commitment.join() !== share.group.commitment.join())
    throw new SssError('not the group of this share: the threshold or the group commitment differ', {
      code: 'mismatch',
      file,
      field: 'commitment',
    });
  for (const p of g.participants)
    if (identifierFor(p.moniker) !== p.identifier)
      throw new SssError('identifier is not the one derived from the moniker', {
        code: 'mismatch',
        file,
        field: 'participants',
        culprit: p.moniker,
      });
  if (!g.participants.some((p) => p.moniker === share.moniker))
    throw new SssError(`${share.moniker} is not a participant of this group.json (is it the latest public_info?)`, {
      code: 'mismatch',
      file,
      field: 'participants',
    });
  return g.participants.map((p) => ({ moniker: p.moniker, identifier: p.identifier }));
}
