/** End to end: the real sss-tool binary runs the signing rounds, one home dir per holder. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { jwtVerify } from 'jose';
import { saveShareFile } from '../src/local/share.js';
import { CIPHERSUITE } from '../src/crypto/suite.js';
import { cleanupTempDirs, cli, ok, PASSPHRASE, ROOT, tempDir } from './helpers.js';
import { dealGroup, opensslVerifies, publicKeyObject } from './sign-fixtures.js';

const g = dealGroup(5, 3, 'c');
let root: string;
const home = (i: number) => join(root, 'homes', g.monikers[i]);
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

beforeAll(async () => {
  root = tempDir('sss-sign-cli-');
  for (let i = 0; i < 5; i++) {
    mkdirSync(home(i), { recursive: true });
    await saveShareFile(join(home(i), 'trustserver_share.json.age'), g.shares[i], PASSPHRASE);
  }
  mkdirSync(join(root, 'public_info'));
  writeFileSync(join(root, 'public_info', 'public_key.txt'), g.publicKey + '\n');
  writeFileSync(
    join(root, 'public_info', 'group.json'),
    JSON.stringify({
      format: 'sss-tool/group@1',
      ciphersuite: CIPHERSUITE,
      publicKey: g.publicKey,
      threshold: 3,
      commitment: g.commitment,
      participants: g.shares.slice(0, 4).map((s) => ({
        moniker: s.moniker,
        identifier: s.identifier,
        verifyingShare: s.verifyingShare,
        ceremony: 'genesis',
      })),
      ceremonies: [{ id: 'genesis', kind: 'dkg' }],
    }),
  );
});

afterAll(() => cleanupTempDirs());

/** Round 1 for the given holders; returns the folder of their commitment files. */
function commitAll(session: string, who: number[]): string {
  const dir = join(root, session, 'commitments');
  mkdirSync(dir, { recursive: true });
  for (const i of who)
    ok(['sign-commit', '--home', home(i), '--session', session, '--out', join(dir, `${g.monikers[i]}.json`)]);
  return dir;
}

function shareAll(session: string, who: number[], message: string[], commitments: string): string {
  const dir = join(root, session, 'shares');
  mkdirSync(dir, { recursive: true });
  for (const i of who)
    ok([
      'sign-share',
      '--home',
      home(i),
      '--session',
      session,
      ...message,
      '--commitments',
      commitments,
      '--out',
      join(dir, `${g.monikers[i]}.json`),
    ]);
  return dir;
}

describe('sss-tool signing commands', () => {
  it('signs a message in three steps; the signature verifies with node:crypto and verify-signature', () => {
    const msg = ['--message-hex', hex('attestation for machine 42')];
    const commitments = commitAll('s1', [0, 2, 3]);
    const c = JSON.parse(readFileSync(join(commitments, 'c0.json'), 'utf8'));
    expect(Object.keys(c)).toEqual(['format', 'session', 'moniker', 'identifier', 'groupKey', 'hiding', 'binding']);
    expect(statSync(join(home(0), 'nonces', 's1.age')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home(0), 'nonces', 's1.age'), 'utf8')).toMatch(/^age-encryption\.org\/v1\n/);

    const shares = shareAll('s1', [0, 2, 3], msg, commitments);
    expect(existsSync(join(home(0), 'nonces', 's1.age'))).toBe(false);
    expect(existsSync(join(home(0), 'nonces', 's1.used'))).toBe(true);

    const sig = ok([
      'sign-aggregate',
      '--home',
      home(1),
      ...msg,
      '--commitments',
      commitments,
      '--shares',
      shares,
    ]).stdout.trim();
    expect(sig).toMatch(/^[0-9a-f]{128}$/);
    expect(opensslVerifies(g.publicKey, Buffer.from('attestation for machine 42'), Buffer.from(sig, 'hex'))).toBe(true);

    const v = ok(['verify-signature', '--repo', root, ...msg, '--signature', sig]);
    expect(v.stdout).toMatch(/^valid/);
    const bad = cli(['verify-signature', '--repo', root, '--message-hex', hex('another'), '--signature', sig]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/does not verify under the group key/);

    const b64 = ok([
      'sign-aggregate',
      '--group',
      join(root, 'public_info', 'group.json'),
      ...msg,
      '--commitments',
      commitments,
      '--shares',
      shares,
      '--jwt',
    ]).stdout.trim();
    expect(Buffer.from(b64, 'base64url').toString('hex')).toBe(sig);
  });

  it('prints artifacts on stdout without --out, and reads the message from a file', () => {
    const file = join(root, 'message.bin');
    writeFileSync(file, Buffer.from([0, 1, 2, 255]));
    const dir = join(root, 's2');
    mkdirSync(join(dir, 'c'), { recursive: true });
    mkdirSync(join(dir, 's'), { recursive: true });
    for (const i of [1, 2, 3])
      writeFileSync(join(dir, 'c', `${i}.json`), ok(['sign-commit', '--home', home(i), '--session', 's2']).stdout);
    for (const i of [1, 2, 3])
      writeFileSync(
        join(dir, 's', `${i}.json`),
        ok([
          'sign-share',
          '--home',
          home(i),
          '--session',
          's2',
          '--message-file',
          file,
          '--commitments',
          join(dir, 'c'),
        ]).stdout,
      );
    const sig = ok([
      'sign-aggregate',
      '--home',
      home(0),
      '--message-file',
      file,
      '--commitments',
      join(dir, 'c'),
      '--shares',
      join(dir, 's'),
    ]).stdout.trim();
    expect(opensslVerifies(g.publicKey, readFileSync(file), Buffer.from(sig, 'hex'))).toBe(true);
  });

  it('uses a nonce once: a second sign-share is refused, even after restoring the nonce file', () => {
    const msg = ['--message-hex', hex('once')];
    const commitments = commitAll('s3', [0, 1, 2]);
    const saved = join(root, 's3-nonce.age');
    copyFileSync(join(home(0), 'nonces', 's3.age'), saved);
    shareAll('s3', [0], msg, commitments);
    const again = cli(['sign-share', '--home', home(0), '--session', 's3', ...msg, '--commitments', commitments]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nonces of session "s3" were already used/);
    copyFileSync(saved, join(home(0), 'nonces', 's3.age'));
    const restored = cli([
      'sign-share',
      '--home',
      home(0),
      '--session',
      's3',
      '--message-hex',
      hex('other message'),
      '--commitments',
      commitments,
    ]);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(/already used/);
    const recommit = cli(['sign-commit', '--home', home(0), '--session', 's3']);
    expect(recommit.code).toBe(1);
    expect(recommit.stderr).toMatch(/already used/);
    const pending = cli(['sign-commit', '--home', home(1), '--session', 's3']);
    expect(pending.stderr).toMatch(/already has nonces waiting/);
  });

  it('refuses a commitment list with fewer than M signers, or without its own commitment', () => {
    const msg = ['--message-hex', hex('few')];
    const commitments = commitAll('s4', [0, 1]);
    const r = cli(['sign-share', '--home', home(0), '--session', 's4', ...msg, '--commitments', commitments]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only 2 signers in the commitment list; the group needs at least 3/);
    const others = commitAll('s5', [1, 2, 3]);
    ok(['sign-commit', '--home', home(0), '--session', 's5']);
    const lacking = cli(['sign-share', '--home', home(0), '--session', 's5', ...msg, '--commitments', others]);
    expect(lacking.stderr).toMatch(/lacks this signer's commitment \(c0\)/);
    // Refusals leave the nonces unused.
    expect(existsSync(join(home(0), 'nonces', 's5.age'))).toBe(true);
  });

  it('names the file and signer of a tampered share, and rejects a signer outside the group', () => {
    const msg = ['--message-hex', hex('tamper')];
    const commitments = commitAll('s6', [1, 3, 4]);
    const shares = shareAll('s6', [1, 3, 4], msg, commitments);
    const file = join(shares, 'c3.json');
    const s = JSON.parse(readFileSync(file, 'utf8'));
    s.share = (s.share[0] === '0' ? '1' : '0') + s.share.slice(1);
    writeFileSync(file, JSON.stringify(s));
    const r = cli(['sign-aggregate', '--home', home(0), ...msg, '--commitments', commitments, '--shares', shares]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/c3\.json: share: invalid signature share \(culprit: c3\)/);
    // group.json lists c0..c3 only: c4 is not a participant there.
    const g4 = cli([
      'sign-aggregate',
      '--group',
      join(root, 'public_info', 'group.json'),
      ...msg,
      '--commitments',
      commitments,
      '--shares',
      shares,
    ]);
    expect(g4.stderr).toMatch(/c4\.json: moniker: signer is not a participant of the group \(culprit: c4\)/);
  });

  it('names the signer that signed another message', () => {
    const commitments = commitAll('s7', [0, 1, 2]);
    const dir = join(root, 's7', 'shares');
    mkdirSync(dir, { recursive: true });
    for (const i of [0, 1, 2])
      ok([
        'sign-share',
        '--home',
        home(i),
        '--session',
        's7',
        '--message-hex',
        hex(i === 1 ? 'evil' : 'good'),
        '--commitments',
        commitments,
        '--out',
        join(dir, `${i}.json`),
      ]);
    const r = cli([
      'sign-aggregate',
      '--home',
      home(3),
      '--message-hex',
      hex('good'),
      '--commitments',
      commitments,
      '--shares',
      dir,
    ]);
    expect(r.stderr).toMatch(/1\.json: messageDigest: share signs a different message \(culprit: c1\)/);
  });

  it('refuses commitments from a different session', () => {
    const a = commitAll('s8', [0, 1]);
    const b = commitAll('s9', [2]);
    const r = cli(['sign-share', '--home', home(0), '--session', 's8', '--message-hex', '00', '--commitments', a, b]);
    expect(r.stderr).toMatch(/c2\.json: session: commitment is for session "s9", not "s8" \(culprit: c2\)/);
  });

  it('issues a JWT as trust-server does: stage 1 commitments, stage 2 shares, then the JWT', async () => {
    const claims = JSON.stringify({ machineId: 'm-1', tcb: 'UpToDate', iat: 1_700_000_000 });
    const commitments = commitAll('jwt1', [0, 3, 4]);
    const dir = join(root, 'jwt1', 'shares');
    mkdirSync(dir, { recursive: true });
    for (const i of [0, 3, 4])
      ok([
        'jwt',
        '--home',
        home(i),
        '--claims',
        claims,
        '--session',
        'jwt1',
        '--commitments',
        commitments,
        '--out',
        join(dir, `${i}.json`),
      ]);
    const jwt = ok([
      'jwt',
      '--home',
      home(4),
      '--claims',
      claims,
      '--commitments',
      commitments,
      '--shares',
      dir,
    ]).stdout.trim();
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKeyObject(g.publicKey), { algorithms: ['EdDSA'] });
    expect(payload).toEqual(JSON.parse(claims));
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: g.publicKey });
    expect(Buffer.from(jwt.split('.')[0], 'base64url').toString()).toBe(
      `{"alg":"EdDSA","typ":"JWT","kid":"${g.publicKey}"}`,
    );
    const both = cli(['jwt', '--home', home(0), '--claims', claims, '--commitments', commitments]);
    expect(both.stderr).toMatch(/either --session .* or --shares/);
  });

  it('validates its inputs at the boundary', () => {
    expect(cli(['sign-commit', '--home', home(0), '--session', '../x']).stderr).toMatch(
      /--session: expected a session id/,
    );
    expect(
      cli(['sign-share', '--home', home(0), '--session', 'x', '--message-hex', 'abc', '--commitments', root]).stderr,
    ).toMatch(/--message-hex: expected an even number of hex digits/);
    expect(cli(['sign-share', '--home', home(0), '--session', 'x', '--commitments', root]).stderr).toMatch(
      /exactly one of --message-hex or --message-file/,
    );
    expect(cli(['sign-commit', '--home', join(root, 'nobody')]).stderr).toMatch(/no share file/);
    const dir = join(root, 'junk');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'x.json'),
      JSON.stringify({ format: 'sss-tool/sign-commitment@1', session: 'x', extra: true }),
    );
    expect(
      cli(['sign-share', '--home', home(0), '--session', 'x', '--message-hex', '', '--commitments', dir]).stderr,
    ).toMatch(/x\.json/);
  });

  it("is importable as the package 'sss-tool', with type declarations", () => {
    const code = `import * as lib from 'sss-tool'; console.log(Object.keys(lib).sort().join(','))`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(',')).toEqual(
      expect.arrayContaining([
        'Cosigner',
        'openShare',
        'aggregate',
        'verifyShare',
        'verifySignature',
        'jwtSigningInput',
        'assembleJwt',
        'SssError',
      ]),
    );
    const dts = readFileSync(join(ROOT, 'lib', 'index.d.ts'), 'utf8');
    expect(dts).toMatch(/openShare/);
    expect(dts).toMatch(/type SignShare/);
  });
});
