/**
 * A participant's identity: an Ed25519 signing key (signs every artifact), an X25519 encryption key
 * (shares are encrypted to it) and the FROST identifier derived from the moniker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, identifierFor, MONIKER } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { endpoint as endpointSchema, githubLogin, parseJson, parseWith } from '../artifacts/schemas.js';
import { HomePaths } from './home.js';
import { readPrivateWith, writePrivateNew } from './keystore.js';
import { IdentitySecretFile, PublicIdentityFile } from './state.js';
import { writeNewFile, PUBLIC_MODE } from './fsutil.js';
import { toFileText } from '../artifacts/canonical.js';
import { IdentityFields, identityFields } from '../artifacts/identity.js';

export interface PublicIdentity extends IdentityFields {
  format: 'sss-tool/identity@1';
}

export interface Identity extends PublicIdentity {
  signingSecret: Uint8Array;
  encryptionSecret: Uint8Array;
}

interface SecretFile {
  format: 'sss-tool/identity-secret@1';
  moniker: string;
  signingSecret: string;
  encryptionSecret: string;
}

export interface NewIdentityOptions {
  moniker: string;
  github?: string;
  endpoint?: string;
}

/** Creates an identity in the home dir; refuses to replace an existing one. */
export async function createIdentity(
  paths: HomePaths,
  opts: NewIdentityOptions,
  passphrase: string,
): Promise<PublicIdentity> {
  if (!MONIKER.test(opts.moniker))
    throw new SssError('expected lowercase letters, digits, _ or -, starting with a letter or digit, at most 63', {
      code: 'malformed',
      field: 'moniker',
    });
  if (opts.github !== undefined && !githubLogin.safeParse(opts.github).success)
    throw new SssError('not a GitHub login', { code: 'malformed', field: 'github' });
  if (opts.endpoint !== undefined && !endpointSchema.safeParse(opts.endpoint).success)
    throw new SssError('expected an http(s) URL', { code: 'malformed', field: 'endpoint' });
  if (existsSync(paths.identityPublic) || existsSync(paths.identitySecret))
    throw new SssError(`an identity already exists in ${paths.home}; refusing to replace it`, {
      code: 'private',
      file: paths.identityPublic,
    });
  const signingSecret = ed25519.utils.randomSecretKey();
  const encryptionSecret = x25519.utils.randomSecretKey();
  const pub: PublicIdentity = {
    format: 'sss-tool/identity@1',
    ...identityFields({
      moniker: opts.moniker,
      identifier: identifierFor(opts.moniker),
      signingKey: bytesToHex(ed25519.getPublicKey(signingSecret)),
      encryptionKey: bytesToHex(x25519.getPublicKey(encryptionSecret)),
      github: opts.github,
      endpoint: opts.endpoint,
    }),
  };
  const secret: SecretFile = {
    format: 'sss-tool/identity-secret@1',
    moniker: opts.moniker,
    signingSecret: bytesToHex(signingSecret),
    encryptionSecret: bytesToHex(encryptionSecret),
  };
  await writePrivateNew(paths.identitySecret, secret, passphrase);
  writeNewFile(paths.identityPublic, toFileText(pub), PUBLIC_MODE);
  return pub;
}

export function loadPublicIdentity(paths: HomePaths): PublicIdentity {
  if (!existsSync(paths.identityPublic))
    throw new SssError(`no identity in ${paths.home}: run \`sss-tool initialize --moniker NAME\` first`, {
      code: 'private',
      file: paths.identityPublic,
    });
  const file = paths.identityPublic;
  return parseWith(PublicIdentityFile, parseJson(readFileSync(file, 'utf8'), file), file) as PublicIdentity;
}

/** Opens the identity (needs the passphrase) and checks the secret keys match the public ones. */
export async function openIdentity(paths: HomePaths, passphrase: string): Promise<Identity> {
  const pub = loadPublicIdentity(paths);
  const sec = await readPrivateWith(IdentitySecretFile, paths.identitySecret, passphrase);
  const signingSecret = hexToBytes(sec.signingSecret);
  const encryptionSecret = hexToBytes(sec.encryptionSecret);
  if (
    bytesToHex(ed25519.getPublicKey(signingSecret)) !== pub.signingKey ||
    bytesToHex(x25519.getPublicKey(encryptionSecret)) !== pub.encryptionKey
  )
    throw new SssError('identity.json does not match the encrypted identity keys', {
      code: 'private',
      file: paths.identityPublic,
    });
  return { ...pub, signingSecret, encryptionSecret };
}
