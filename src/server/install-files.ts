/**
 * A server install of a share (`sss-tool install --to DIR`): what the spawned `info`, `get-nonce`
 * and `sign` read, found without a prompt from the server's environment and working directory.
 *
 *   DIR/sss-tool-server.json       public: format, moniker, group key, how the share is protected
 *   DIR/sss-tool-server-share.age  the server share, age-encrypted to an X25519 recipient whose
 *                                  identity the operator supplies (SSS_TOOL_SERVER_KEY[_FILE]);
 *   or DIR/sss-tool-server-share.json  the same in plaintext, mode 0600, only when asked for
 *   DIR/sss-tool-nonces/           issued, not yet used nonces (nonce-book.ts)
 *
 * The server share is the holder's share file (checked by readShareFile and the Cosigner when it
 * was installed) with the group's holders (moniker → identifier) from public_info/group.json. It
 * is read here without zod (its import costs more than the whole signing step); the checks that
 * matter are repeated: exact fields, canonical encodings, s·G = Y(identifier) on the group's
 * polynomial, identifiers derived from monikers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SssError, locatedIn } from '../errors.js';
import { SigningGroup } from '../crypto/sign.js';
import { CIPHERSUITE, MONIKER, Point, bytesToHex, decodeHex, decodeScalar, identifierFor } from '../crypto/suite.js';
import { resolveHome } from '../local/home.js';
import { DirectoryNonceBook } from './nonce-book.js';
import type { ServerShare } from './signer.js';

export const SERVER_FORMATS = { manifest: 'sss-tool/server@1', share: 'sss-tool/server-share@1' } as const;
export const KEY_ENV = 'SSS_TOOL_SERVER_KEY';
export const KEY_FILE_ENV = 'SSS_TOOL_SERVER_KEY_FILE';

export function serverPaths(dir: string) {
  return {
    dir,
    manifest: join(dir, 'sss-tool-server.json'),
    encryptedShare: join(dir, 'sss-tool-server-share.age'),
    plaintextShare: join(dir, 'sss-tool-server-share.json'),
    nonces: join(dir, 'sss-tool-nonces'),
  };
}
export type ServerPaths = ReturnType<typeof serverPaths>;

export interface ServerManifest {
  format: typeof SERVER_FORMATS.manifest;
  moniker: string;
  groupKey: string;
  /** age-x25519: the share is encrypted to `recipient`; none: plaintext, mode 0600. */
  protection: 'age-x25519' | 'none';
  recipient?: string;
}

/** The JSON inside the share file. */
export interface ServerShareFile {
  format: typeof SERVER_FORMATS.share;
  ciphersuite: string;
  moniker: string;
  identifier: string;
  signingShare: string;
  verifyingShare: string;
  groupKey: string;
  threshold: number;
  commitment: string[];
  holders: { moniker: string; identifier: string }[];
  /** The share file it was installed from (for the record; not read when signing). */
  installedFrom: unknown;
}

/**
 * Where the spawned commands look: --home, else $SSS_TOOL_HOME, else the working directory if it
 * holds an install, else the platform's home directory (as every other command).
 */
export function findServerDir(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  if (explicit) return resolve(explicit);
  if (env.SSS_TOOL_HOME) return resolve(env.SSS_TOOL_HOME);
  if (existsSync(serverPaths(cwd).manifest)) return cwd;
  return resolveHome(undefined, env);
}

export function readManifest(paths: ServerPaths): ServerManifest {
  if (!existsSync(paths.manifest))
    throw new SssError(
      `no server install in ${paths.dir}: run sss-tool install --to ${paths.dir} (or set SSS_TOOL_HOME)`,
      { code: 'io', file: paths.manifest },
    );
  const m = readJson(paths.manifest) as Record<string, unknown>;
  exactKeys(
    m,
    ['format', 'moniker', 'groupKey', 'protection', 'recipient'],
    ['format', 'moniker', 'groupKey', 'protection'],
    paths.manifest,
  );
  if (m.format !== SERVER_FORMATS.manifest)
    throw new SssError(`unknown format ${JSON.stringify(String(m.format).slice(0, 40))}`, {
      code: 'malformed',
      file: paths.manifest,
      field: 'format',
    });
  if (typeof m.moniker !== 'string' || !MONIKER.test(m.moniker))
    throw new SssError('expected a moniker', { code: 'malformed', file: paths.manifest, field: 'moniker' });
  locatedIn({ file: paths.manifest }, () => decodeHex(m.groupKey, 32, 'groupKey'));
  if (m.protection !== 'age-x25519' && m.protection !== 'none')
    throw new SssError('expected "age-x25519" or "none"', {
      code: 'malformed',
      file: paths.manifest,
      field: 'protection',
    });
  return m as unknown as ServerManifest;
}

/** The age identity from SSS_TOOL_SERVER_KEY, else the file SSS_TOOL_SERVER_KEY_FILE names. */
export function serverKeyText(env: NodeJS.ProcessEnv = process.env): string {
  if (env[KEY_ENV]) return env[KEY_ENV];
  const file = env[KEY_FILE_ENV];
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new SssError(`cannot read the server key file ${KEY_FILE_ENV} names`, { code: 'io', file });
    }
  }
  throw new SssError(
    `the share is encrypted to an age X25519 key: set ${KEY_ENV} (AGE-SECRET-KEY-1…) or ${KEY_FILE_ENV} (a file holding it)`,
    { code: 'private' },
  );
}

/** Opens the install: decrypts (if need be) and checks the server share. */
export async function openServerShare(paths: ServerPaths, env: NodeJS.ProcessEnv = process.env): Promise<ServerShare> {
  const manifest = readManifest(paths);
  let text: string;
  if (manifest.protection === 'none') {
    text = readText(paths.plaintextShare);
  } else {
    const { decodeAgeIdentity, decryptAgeX25519 } = await import('./age-x25519.js');
    const secret = decodeAgeIdentity(serverKeyText(env), KEY_ENV);
    if (!existsSync(paths.encryptedShare))
      throw new SssError('no such file', { code: 'io', file: paths.encryptedShare });
    text = new TextDecoder().decode(decryptAgeX25519(readFileSync(paths.encryptedShare), secret, paths.encryptedShare));
  }
  const file = manifest.protection === 'none' ? paths.plaintextShare : paths.encryptedShare;
  const share = checkServerShare(parse(text, file), file);
  if (share.moniker !== manifest.moniker || share.groupKey !== manifest.groupKey)
    throw new SssError('the share is not the one the manifest describes (moniker or group key differ)', {
      code: 'mismatch',
      file: paths.manifest,
    });
  return share;
}

export const NONCE_DIR_ENV = 'SSS_TOOL_NONCE_DIR';

/**
 * The record of issued nonces: DIR/sss-tool-nonces, or $SSS_TOOL_NONCE_DIR when the install is
 * mounted read-only (it must be one directory for every process of the same install).
 */
export function directoryNonceBook(paths: ServerPaths, env: NodeJS.ProcessEnv = process.env): DirectoryNonceBook {
  return new DirectoryNonceBook(env[NONCE_DIR_ENV] ? resolve(env[NONCE_DIR_ENV]) : paths.nonces);
}

const SHARE_KEYS = [
  'format',
  'ciphersuite',
  'moniker',
  'identifier',
  'signingShare',
  'verifyingShare',
  'groupKey',
  'threshold',
  'commitment',
  'holders',
  'installedFrom',
];

/**
 * Checks a server share's fields; returns what signing needs. The costly part, that the share lies
 * on the group's polynomial (s·G = Y(identifier), the commitment points in the prime-order
 * subgroup), runs when `group()` is first called: `info` and `sign` call it, `get-nonce` needs only
 * the share and does not (its nonces are useless to a `sign` that finds the share inconsistent).
 */
export function checkServerShare(value: unknown, file: string): ServerShare {
  const v = value as Record<string, unknown>;
  exactKeys(v, SHARE_KEYS, SHARE_KEYS, file);
  if (v.format !== SERVER_FORMATS.share)
    throw new SssError('unknown format', { code: 'malformed', file, field: 'format' });
  if (v.ciphersuite !== CIPHERSUITE)
    throw new SssError(`expected ${CIPHERSUITE}`, { code: 'malformed', file, field: 'ciphersuite' });
  return locatedIn({ file }, () => {
    const moniker = checkMoniker(v.moniker, 'moniker');
    const identifier = checkIdentifier(moniker, v.identifier, 'identifier');
    const sk = decodeScalar(v.signingShare, 'signingShare');
    if (sk === 0n) throw new SssError('signing share is zero', { code: 'malformed', field: 'signingShare' });
    decodeHex(v.groupKey, 32, 'groupKey');
    if (!Number.isInteger(v.threshold) || (v.threshold as number) < 2)
      throw new SssError('expected an integer of at least 2', { code: 'malformed', field: 'threshold' });
    if (!Array.isArray(v.holders)) throw new SssError('expected a list', { code: 'malformed', field: 'holders' });
    const holders = new Map<string, string>();
    (v.holders as unknown[]).forEach((h, i) => {
      const e = h as Record<string, unknown>;
      exactKeys(e, ['moniker', 'identifier'], ['moniker', 'identifier'], undefined, `holders.${i}`);
      const m = checkMoniker(e.moniker, `holders.${i}.moniker`);
      if (holders.has(m))
        throw new SssError('a holder appears twice', { code: 'duplicate', field: `holders.${i}`, culprit: m });
      holders.set(m, checkIdentifier(m, e.identifier, `holders.${i}.identifier`));
    });
    if (holders.get(moniker) !== identifier)
      throw new SssError('this holder is not in the holders list', { code: 'mismatch', field: 'holders' });
    let group: SigningGroup | undefined;
    const checkedGroup = () =>
      (group ??= locatedIn({ file }, () => {
        if (!Array.isArray(v.commitment))
          throw new SssError('expected a list', { code: 'malformed', field: 'commitment' });
        const g = SigningGroup.of({
          publicKey: v.groupKey as string,
          threshold: v.threshold as number,
          commitment: v.commitment as string[],
        });
        const y = bytesToHex(Point.BASE.multiply(sk).toBytes());
        if (y !== v.verifyingShare || y !== bytesToHex(g.verifyingShare(identifier)))
          throw new SssError("the share is not on the group's polynomial: signingShare·G differs from Y(identifier)", {
            code: 'inconsistent',
            field: 'signingShare',
          });
        return g;
      }));
    return {
      moniker,
      identifier,
      signingShare: decodeHex(v.signingShare, 32, 'signingShare'),
      groupKey: v.groupKey as string,
      threshold: v.threshold as number,
      epoch: installedEpoch(v.installedFrom),
      group: checkedGroup,
      holders,
    };
  });
}

/** The group epoch of the share file the install was made from (absent: 0, as in share files). */
function installedEpoch(installedFrom: unknown): number {
  const epoch = (installedFrom as { group?: { epoch?: unknown } } | undefined)?.group?.epoch;
  if (epoch === undefined) return 0;
  if (!Number.isInteger(epoch) || (epoch as number) < 1)
    throw new SssError('expected an integer of at least 1', { code: 'malformed', field: 'installedFrom.group.epoch' });
  return epoch as number;
}

function checkMoniker(v: unknown, field: string): string {
  if (typeof v !== 'string' || !MONIKER.test(v)) throw new SssError('expected a moniker', { code: 'malformed', field });
  return v;
}

function checkIdentifier(moniker: string, v: unknown, field: string): string {
  if (v !== identifierFor(moniker))
    throw new SssError(`not the identifier derived from the moniker ${moniker}`, {
      code: 'mismatch',
      field,
      culprit: moniker,
    });
  return v as string;
}

function exactKeys(
  v: Record<string, unknown>,
  allowed: string[],
  required: string[],
  file?: string,
  at?: string,
): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new SssError('expected a JSON object', { code: 'malformed', file, field: at });
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      throw new SssError(`unknown field ${JSON.stringify(k.slice(0, 40))}`, { code: 'malformed', file, field: at });
  for (const k of required)
    if (!(k in v)) throw new SssError(`missing field ${k}`, { code: 'malformed', file, field: at });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new SssError('cannot read the file', { code: 'io', file });
  }
}

function parse(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SssError('malformed JSON', { code: 'malformed', file });
  }
}

function readJson(file: string): unknown {
  return parse(readText(file), file);
}
