/**
 * The demo's third act: M holders, the newcomer among them, sign an EdDSA JWT with the CLI, in
 * trust-server's two stages (every commitment first, then the signature shares), and the JWT is
 * checked against public_info/public_key.txt.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SssError } from '../../src/errors.js';
import { DemoParticipant, sssTool } from './people.js';

export async function runSignDemo(
  repository: string,
  root: string,
  signers: DemoParticipant[],
  say: (line: string) => void,
) {
  const session = randomBytes(16).toString('hex');
  const dir = join(root, 'signing', session);
  const commitments = join(dir, 'commitments');
  const shares = join(dir, 'shares');
  mkdirSync(commitments, { recursive: true });
  mkdirSync(shares, { recursive: true });
  const claims = JSON.stringify({ sub: 'demo-machine', iss: 'sss-tool demo', iat: Math.floor(Date.now() / 1000) });
  const as = (p: DemoParticipant) => ['--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile];
  say('');
  say(`Sign: ${signers.map((p) => p.moniker).join(', ')} sign a JWT (session ${session.slice(0, 8)}…)`);
  for (const p of signers)
    await sssTool(['sign-commit', '--session', session, '--out', join(commitments, `${p.moniker}.json`), ...as(p)]);
  say(`  stage 1: ${signers.length} nonce commitments (the nonces stay, encrypted, with each holder)`);
  for (const p of signers)
    await sssTool([
      'jwt',
      '--claims',
      claims,
      '--session',
      session,
      '--commitments',
      commitments,
      '--out',
      join(shares, `${p.moniker}.json`),
      ...as(p),
    ]);
  say(`  stage 2: ${signers.length} signature shares over the JWT`);
  const jwt = (
    await sssTool([
      'jwt',
      '--claims',
      claims,
      '--commitments',
      commitments,
      '--shares',
      shares,
      '--group',
      join(repository, 'public_info', 'group.json'),
      '--repo',
      repository,
    ])
  )
    .trim()
    .split('\n')
    .pop()!
    .trim();
  const [header, payload, signature] = jwt.split('.');
  const publicKey = readFileSync(join(repository, 'public_info', 'public_key.txt'), 'utf8').trim();
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'hex').toString('base64url') },
    format: 'jwk',
  });
  if (!verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')))
    throw new SssError('the group signature does not verify under public_info/public_key.txt', { code: 'signature' });
  say(`  aggregated and verified with node:crypto against public_info/public_key.txt:`);
  say(`  ${jwt}`);
  say(`  header: ${Buffer.from(header, 'base64url').toString()}`);
  return { session, jwt };
}
