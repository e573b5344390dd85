/**
 * The participant's share file, `trustserver_share.json.age` in the home dir: age-encrypted JSON
 * with the identifier, the signing share and the group's public package. Written once; a second
 * write is refused unless the caller asks, and then the old file is kept as a backup.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { SssError, located } from '../errors.js';
import { CIPHERSUITE, Point, decodePoint, decodeScalar, encodePoint } from '../crypto/suite.js';
import { hex32, moniker, ceremonyId, parseWith } from '../artifacts/schemas.js';
import { readPrivate, writePrivateNew, writePrivateReplacingWithBackup } from './keystore.js';

export const ShareFile = z.strictObject({
  format: z.literal('sss-tool/share@1'),
  ciphersuite: z.literal(CIPHERSUITE),
  /** The ceremony (genesis or join) that produced this share. */
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  signingShare: hex32,
  verifyingShare: hex32,
  group: z.strictObject({
    publicKey: hex32,
    threshold: z.number().int().min(2),
    /** The group commitment C_0..C_{M-1}: any participant's verifying share is Σ x^k·C_k. */
    commitment: z.array(hex32).min(2),
    /** The genesis ceremony of the group. */
    genesis: ceremonyId,
  }),
});
export type ShareFile = z.infer<typeof ShareFile>;

/** Checks a share file's internal consistency: s·G is the verifying share, C_0 is the key. */
export function checkShareFile(value: unknown, file: string): ShareFile {
  const s = parseWith(ShareFile, value, file);
  try {
    const sk = decodeScalar(s.signingShare, 'signingShare');
    // noble's multiply refuses 0 with a RangeError: a zero share is a wrong share, said so.
    if (sk === 0n) throw new SssError('signing share is zero', { code: 'malformed', field: 'signingShare' });
    const Y = decodePoint(s.verifyingShare, 'verifyingShare');
    if (!Point.BASE.multiply(sk).equals(Y))
      throw new SssError('signing share does not match the verifying share', {
        code: 'inconsistent',
        field: 'signingShare',
      });
    if (s.group.commitment[0] !== s.group.publicKey)
      throw new SssError('publicKey is not the first commitment point', { code: 'mismatch', field: 'group.publicKey' });
    if (s.group.commitment.length !== s.group.threshold)
      throw new SssError('commitment length differs from the threshold', {
        code: 'mismatch',
        field: 'group.commitment',
      });
    s.group.commitment.forEach((c, k) => decodePoint(c, `group.commitment.${k}`));
  } catch (e) {
    throw located(e, { file });
  }
  return s;
}

export async function readShareFile(path: string, passphrase: string): Promise<ShareFile> {
  return checkShareFile(await readPrivate(path, passphrase), path);
}

/**
 * Saves a new share. With `replace`, an existing share is moved aside to a timestamped backup;
 * without it, an existing share file is an error. Returns the backup's path, if any.
 */
export async function saveShareFile(
  path: string,
  share: ShareFile,
  passphrase: string,
  replace = false,
): Promise<string | undefined> {
  if (existsSync(path) && !replace)
    throw new SssError(
      'a share file already exists; refusing to overwrite it (pass --replace-share to keep it as a backup and write the new one)',
      { code: 'io', file: path },
    );
  if (replace) return writePrivateReplacingWithBackup(path, share, passphrase);
  await writePrivateNew(path, share, passphrase);
  return undefined;
}

export { encodePoint };
