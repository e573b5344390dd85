// Three holders of a group sign an EdDSA JWT in one Node process with the library, the way a
// trust-server cosigner would in-process, and jose verifies it against public_info/public_key.txt.
//
//   node examples/sign-jwt.mjs <demo dir>      (the directory `npm run demo` printed)
//
// Outside the demo, open each holder's own share file with its own passphrase, on its own server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { openShare, aggregate, jwtSigningInput, assembleJwt } from 'sss-tool';

const root = process.argv[2];
if (!root) throw new Error('usage: node examples/sign-jwt.mjs <demo dir>');
const repo = join(root, 'maintainer');
const group = JSON.parse(readFileSync(join(repo, 'public_info', 'group.json'), 'utf8'));
const monikers = group.participants.map((p) => p.moniker).slice(-group.threshold);

const cosigners = [];
for (const m of monikers) {
  const dir = join(root, 'participants', m);
  const passphrase = readFileSync(join(dir, 'passphrase.txt'), 'utf8').trim();
  cosigners.push(await openShare(join(dir, 'home', 'trustserver_share.json.age'), passphrase));
}

const t0 = performance.now();
const session = randomBytes(16).toString('hex');
// Stage 1: every cosigner commits to fresh nonces (they never leave its process).
const commitments = cosigners.map((c) => c.commit(session));
// Stage 2: the first cosigner fixes the claims; each signs exactly those bytes.
const claims = { sub: 'example-machine', iat: Math.floor(Date.now() / 1000) };
const input = jwtSigningInput(claims, group.publicKey);
const shares = cosigners.map((c) => c.signShare(session, input, commitments));
const { signature } = aggregate(group, input, commitments, shares);
const jwt = assembleJwt(input, signature);
const ms = (performance.now() - t0).toFixed(1);

const publicKey = readFileSync(join(repo, 'public_info', 'public_key.txt'), 'utf8').trim();
const key = await importJWK(
  { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'hex').toString('base64url') },
  'EdDSA',
);
const { payload, protectedHeader } = await jwtVerify(jwt, key);
console.log(`${monikers.join(', ')} signed in ${ms} ms; jose verified it against public_info/public_key.txt`);
console.log(jwt);
console.log('header', JSON.stringify(protectedHeader), 'payload', JSON.stringify(payload));
