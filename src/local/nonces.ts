/**
 * Signing nonces at rest, for the CLI's two steps: `nonces/<session>.age` (age-encrypted, mode
 * 0600) from sign-commit until sign-share, then `nonces/<session>.used`. sign-share creates the
 * marker (exclusively: of two concurrent uses, one fails) and deletes the nonce file before it
 * releases the share, so a nonce signs at most once, and a second use is refused by name.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { SssError } from '../errors.js';
import { parseWith } from '../artifacts/schemas.js';
import { SignNonces } from '../artifacts/signing.js';
import { HomePaths } from './home.js';
import { readPrivate, writePrivateNew } from './keystore.js';
import { PRIVATE_MODE, writeNewFile } from './fsutil.js';

function usedError(paths: HomePaths, session: string): SssError {
  return new SssError(
    `the nonces of session ${JSON.stringify(session)} were already used; start a new session with sign-commit`,
    { code: 'private', file: paths.nonceUsed(session) },
  );
}

/** Refuses a session that already has nonces or was used (each session id is for one signing). */
export function assertSessionUnused(paths: HomePaths, session: string): void {
  if (existsSync(paths.nonceUsed(session))) throw usedError(paths, session);
  if (existsSync(paths.nonce(session)))
    throw new SssError(
      `session ${JSON.stringify(session)} already has nonces waiting for sign-share; choose another session id`,
      { code: 'private', file: paths.nonce(session) },
    );
}

/** Stores a new session's nonces; refuses an existing or used session. */
export async function saveNonces(paths: HomePaths, record: SignNonces, passphrase: string): Promise<void> {
  assertSessionUnused(paths, record.session);
  await writePrivateNew(paths.nonce(record.session), record, passphrase);
}

/** Decrypts a session's nonces (they stay on disk until `consumeNonces`). */
export async function loadNonces(paths: HomePaths, session: string, passphrase: string): Promise<SignNonces> {
  if (existsSync(paths.nonceUsed(session))) throw usedError(paths, session);
  const file = paths.nonce(session);
  if (!existsSync(file))
    throw new SssError(`no nonces for session ${JSON.stringify(session)}: run sign-commit for it first`, {
      code: 'private',
      file,
    });
  const record = parseWith(SignNonces, await readPrivate(file, passphrase), file);
  if (record.session !== session)
    throw new SssError(`the nonce file is for session ${JSON.stringify(record.session)}`, {
      code: 'mismatch',
      file,
      field: 'session',
    });
  return record;
}

/**
 * Marks a session used and deletes its nonce file. Call it after computing the share and before
 * releasing it; if it throws, the share must not be released.
 */
export function consumeNonces(paths: HomePaths, session: string): void {
  try {
    writeNewFile(paths.nonceUsed(session), `used ${new Date().toISOString()}\n`, PRIVATE_MODE);
  } catch (e) {
    if (existsSync(paths.nonceUsed(session))) throw usedError(paths, session);
    throw e;
  }
  unlinkSync(paths.nonce(session));
}
