/**
 * The demo's last act: trust-server's way. Each of the M signers installs its share for a server
 * (`sss-tool install`, re-encrypted to a new age key), then the calls trust-server spawns run with
 * only a server's environment (no passphrase): `info`, `get-nonce` for each, and `sign` chained
 * through the M of them over a JWT signing input built as trust-server builds it. The JWT is
 * checked against public_info/public_key.txt (docs/trust-server.md).
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SssError } from '../../src/errors.js';
import { DemoParticipant, sssTool } from './people.js';

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

export async function runTrustServerDemo(
  repository: string,
  root: string,
  signers: DemoParticipant[],
  say: (line: string) => void,
) {
  const servers = join(root, 'trust-server');
  mkdirSync(join(servers, 'keys'), { recursive: true });
  say('');
  say(`trust-server: ${signers.map((p) => p.moniker).join(', ')} install their shares for a cosigner server`);
  // What each cosigner process has: the install and its key, nothing of the participant's home.
  const serverEnv = (p: DemoParticipant): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    SSS_TOOL_HOME: join(servers, p.moniker),
    SSS_TOOL_SERVER_KEY_FILE: join(servers, 'keys', `${p.moniker}.txt`),
  });
  for (const p of signers)
    await sssTool([
      'install',
      '--to',
      join(servers, p.moniker),
      '--new-key',
      join(servers, 'keys', `${p.moniker}.txt`),
      '--home',
      p.home,
      '--repo',
      repository,
      '--passphrase-file',
      p.passphraseFile,
    ]);
  const info = await sssTool(['info'], serverEnv(signers[0]));
  const kid = info.match(/Shared Pubkey\s*=\s*([0-9a-fA-F]+)/)?.[1];
  if (!kid) throw new SssError('info printed no Shared Pubkey', { code: 'malformed' });
  say(`  info: ${info.trim().split('\n').join(' | ')}`);

  const nonces = new Map<string, { priv: string; pub: string }>();
  for (const p of signers) {
    const out = await sssTool(['get-nonce'], serverEnv(p));
    const priv = out.match(/nonce_priv\s*=\s*([A-Za-z0-9+/=]+)/)?.[1];
    const pub = out.match(/nonce_pub\s*=\s*([A-Za-z0-9+/=]+)/)?.[1];
    if (!priv || !pub) throw new SssError(`get-nonce printed no nonce for ${p.moniker}`, { code: 'malformed' });
    nonces.set(p.moniker, { priv, pub });
  }
  say(`  stage 1: get-nonce on ${signers.length} servers (each keeps nonce_priv in memory)`);

  const header = { alg: 'EdDSA', typ: 'JWT', kid };
  const payload = { quote_hash: 'demo', machine_id: 'demo-machine', label: 'sss-tool demo' };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const chain = [...signers].sort((a, b) => (a.moniker < b.moniker ? -1 : 1));
  const pubNonces = JSON.stringify(Object.fromEntries(chain.map((p) => [p.moniker, nonces.get(p.moniker)!.pub])));
  let sigs = '{}';
  let jwt: string | undefined;
  for (const p of chain) {
    const out = await sssTool(
      [
        'sign',
        '--pub-nonces',
        pubNonces,
        '--my-nonce',
        nonces.get(p.moniker)!.priv,
        '--message',
        Buffer.from(signingInput).toString('hex'),
        '--partial-sigs',
        sigs,
      ],
      serverEnv(p),
    );
    const full = out.match(/^\s*full_signature\s*:\s*([0-9a-fA-F]+)\s*$/m);
    if (full) jwt = `${signingInput}.${b64url(Buffer.from(full[1], 'hex'))}`;
    else sigs = out.match(/^\s*sigs\s*=\s*(\{.*\})\s*$/m)?.[1] ?? '{}';
  }
  if (!jwt) throw new SssError('the sign chain ended without a full signature', { code: 'incomplete' });
  say(`  stage 2: sign chained through ${chain.map((p) => p.moniker).join(' → ')}; the last printed full_signature`);

  const publicKey = readFileSync(join(repository, 'public_info', 'public_key.txt'), 'utf8').trim();
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: b64url(Buffer.from(publicKey, 'hex')) },
    format: 'jwk',
  });
  const [h, pl, sig] = jwt.split('.');
  if (!verify(null, Buffer.from(`${h}.${pl}`), key, Buffer.from(sig, 'base64url')))
    throw new SssError('the trust-server JWT does not verify under public_info/public_key.txt', { code: 'signature' });
  say('  verified with node:crypto against public_info/public_key.txt:');
  say(`  ${jwt}`);
  return { jwt, servers };
}
