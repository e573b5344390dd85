/**
 * Joining, end to end with the real CLI: a 3-of-5 genesis, then frank joins with alice, bob and
 * carol approving, then grace joins with frank among her approvers. public_key.txt never changes;
 * group.json and peers_list.txt gain each newcomer; every newcomer's share is f(x_n) and signs
 * with the others. Rejections name who and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cosigner, aggregate, verifySignature } from '../src/index.js';
import { evaluateCommitment } from '../src/crypto/msm.js';
import { Point, decodePoint, decodeScalar, encodePoint, frost, hexToBytes } from '../src/crypto/suite.js';
import { homePaths } from '../src/local/home.js';
import { readShareFile } from '../src/local/share.js';
import { PASSPHRASE, cleanupTempDirs, cli, fails, ok } from './helpers.js';
import { CliGenesis, published3of5Genesis } from './support/genesis.js';

let root: string;
let repo: string;
let home: CliGenesis['home'];
let as: CliGenesis['as'];
let publicInfo: CliGenesis['publicInfo'];
let genesisKey: string;

beforeAll(async () => {
  ({ root, repo, home, as, publicInfo } = await published3of5Genesis('sss-join-'));
  genesisKey = publicInfo('public_key.txt');
}, 300_000);

afterAll(cleanupTempDirs);

describe('a newcomer joins a 3-of-5 group', () => {
  it('join-request writes ceremony.json and request.json, and says what comes next', () => {
    ok(as('frank', ['initialize', '--moniker', 'frank', '--endpoint', 'https://frank.example']));
    const r = ok(
      as('frank', ['join-request', '--approvers', 'carol,alice,bob', '--group', join(repo, 'public_info/group.json')]),
    );
    expect(r.stdout).toContain('approve-participant --request ceremonies/join-frank/request.json');
    const request = JSON.parse(readFileSync(join(repo, 'ceremonies/join-frank/request.json'), 'utf8'));
    expect(request).toMatchObject({
      format: 'sss-tool/join-request@1',
      moniker: 'frank',
      endpoint: 'https://frank.example',
    });
    expect([...request.approvers].sort()).toEqual(['alice', 'bob', 'carol']);
    const manifest = JSON.parse(readFileSync(join(repo, 'ceremonies/join-frank/ceremony.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'join', extends: 'genesis', threshold: 3, publicKey: genesisKey.trim() });
    // The join key's secret stays in frank's home, age-encrypted.
    const state = homePaths(home('frank')).joinState('join-frank');
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(readFileSync(state, 'utf8')).toMatch(/^age-encryption\.org\/v1/);
    // A re-run republishes the same request.
    expect(ok(as('frank', ['join-request', '--approvers', 'alice,bob,carol'])).stdout).toContain('already made');
  });

  it('refuses an existing moniker, an approver who holds no share, fewer than M approvers, a stale group.json', () => {
    ok(as('alice2', ['initialize', '--moniker', 'alice']));
    expect(fails(as('alice2', ['join-request', '--approvers', 'bob,carol,dave', '--ceremony', 'join-x']))).toMatch(
      /alice is already a member of the group/,
    );
    ok(as('zoe', ['initialize', '--moniker', 'zoe']));
    expect(fails(as('zoe', ['join-request', '--approvers', 'bob,carol,zed']))).toMatch(
      /approver zed does not hold a share of the group/,
    );
    expect(fails(as('zoe', ['join-request', '--approvers', 'bob,carol']))).toMatch(
      /2 approvers, but the threshold is 3/,
    );
    const stale = join(root, 'group.json');
    writeFileSync(stale, publicInfo('group.json').replace('"threshold": 3', '"threshold": 2'));
    expect(fails(as('zoe', ['join-request', '--approvers', 'bob,carol,dave', '--group', stale]))).toMatch(
      /group\.json: differs from the group state the transcript yields/,
    );
    expect(existsSync(join(repo, 'ceremonies/join-zoe'))).toBe(false);
  });

  it('approvals arrive one by one; the ceremony stays pending and names who is awaited', () => {
    const request = join(repo, 'ceremonies/join-frank/request.json');
    expect(fails(as('dave', ['approve-participant', '--request', request]))).toMatch(
      /you \(dave\) are not among the request's approvers/,
    );
    ok(as('alice', ['approve-participant', '--request', request]));
    ok(as('bob', ['approve-participant', '--request', request, '--share', homePaths(home('bob')).share]));
    expect(ok(as('alice', ['approve-participant', '--request', request])).stdout).toContain('Already approved');
    const status = ok(['status', '--ceremony', 'join-frank', '--repo', repo]).stdout;
    expect(status).toContain('join-frank (join, threshold 3): approvals');
    expect(status).toContain('next: approvals from carol');
    expect(status).toContain('sss-tool approve-participant --request ceremonies/join-frank/request.json --submit');
    expect(ok(['verify', '--ceremony', 'join-frank', '--repo', repo]).stdout).toContain(
      'Valid so far; phase approvals.',
    );
    expect(fails(as('frank', ['finalize-join', '--approvals', join(repo, 'ceremonies/join-frank/approvals')]))).toMatch(
      /awaiting approvals from carol/,
    );
    expect(cli(['verify', '--ceremony', 'join-frank', '--require-complete', '--repo', repo]).code).not.toBe(0);
  });

  it('an approval from outside H is rejected by verify, naming its author', () => {
    const copy = join(root, 'copy');
    cpSync(repo, copy, { recursive: true });
    const alice = JSON.parse(readFileSync(join(copy, 'ceremonies/join-frank/approvals/alice.json'), 'utf8'));
    writeFileSync(
      join(copy, 'ceremonies/join-frank/approvals/dave.json'),
      JSON.stringify({ ...alice, moniker: 'dave' }),
    );
    expect(fails(['verify', '--ceremony', 'join-frank', '--repo', copy])).toMatch(
      /approvals\/dave\.json: moniker: dave is not in the request's approver set .* \(culprit: dave\)/,
    );
  });

  it('a competing join may start from the same group state while the first is pending', () => {
    ok(as('heidi', ['initialize', '--moniker', 'heidi']));
    ok(as('heidi', ['join-request', '--approvers', 'alice,bob,carol']));
    expect(JSON.parse(readFileSync(join(repo, 'ceremonies/join-heidi/ceremony.json'), 'utf8')).extends).toBe('genesis');
  });

  it('finalize-join checks everything, saves the share, and the public key stays the same', async () => {
    ok(as('carol', ['approve-participant', '--request', join(repo, 'ceremonies/join-frank/request.json')]));
    const r = ok(as('frank', ['finalize-join', '--approvals', join(repo, 'ceremonies/join-frank/approvals')]));
    expect(r.stdout).toContain('Joined: all 3 fragments check out');
    expect(r.stdout).not.toMatch(/signingShare|joinSecret/);
    expect(existsSync(homePaths(home('frank')).joinState('join-frank'))).toBe(false);
    ok(['verify', '--ceremony', 'join-frank', '--require-complete', '--repo', repo]);
    ok(['publish', '--ceremony', 'join-frank', '--repo', repo]);
    expect(publicInfo('public_key.txt')).toBe(genesisKey);
    expect(publicInfo('peers_list.txt').split('\n')).toContain('https://frank.example');
    const group = JSON.parse(publicInfo('group.json'));
    expect(group.participants).toHaveLength(6);
    expect(group.ceremonies).toEqual([
      { id: 'genesis', kind: 'dkg' },
      { id: 'join-frank', kind: 'join' },
    ]);
    // The share file has the genesis format; its verifying share is f(x_n) on the group commitment.
    const share = await readShareFile(homePaths(home('frank')).share, PASSPHRASE);
    expect(share).toMatchObject({
      format: 'sss-tool/share@1',
      ceremony: 'join-frank',
      moniker: 'frank',
      group: { publicKey: genesisKey.trim(), threshold: 3, genesis: 'genesis' },
    });
    const C = share.group.commitment.map((c, k) => decodePoint(c, `c${k}`));
    expect(share.verifyingShare).toBe(encodePoint(evaluateCommitment(C, decodeScalar(share.identifier, 'x'))));
    expect(group.participants.find((p: { moniker: string }) => p.moniker === 'frank').verifyingShare).toBe(
      share.verifyingShare,
    );
    // Test-only reconstruction: frank and any two holders rebuild the secret behind public_key.txt.
    const shares = await Promise.all(
      ['frank', 'dave', 'erin'].map((m) => readShareFile(homePaths(home(m)).share, PASSPHRASE)),
    );
    const secret = frost.combineSecret(
      shares.map((s) => ({ identifier: s.identifier, signingShare: hexToBytes(s.signingShare) })),
      { min: 3, max: 6 },
    );
    expect(encodePoint(Point.BASE.multiply(decodeScalar(Buffer.from(secret).toString('hex'), 's')))).toBe(
      genesisKey.trim(),
    );
    // And they sign together: a standard Ed25519 signature under the unchanged key.
    const signers = shares.map((s) => new Cosigner(s));
    const message = new TextEncoder().encode('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0');
    const commitments = signers.map((s) => s.commit('join-e2e'));
    const { signature } = aggregate(
      signers[0].group,
      message,
      commitments,
      signers.map((s) => s.signShare('join-e2e', message, commitments)),
    );
    expect(verifySignature(genesisKey.trim(), message, signature)).toBe(true);
    // Re-running finalize republishes the same artifact.
    expect(
      ok(as('frank', ['finalize-join', '--approvals', join(repo, 'ceremonies/join-frank/approvals')])).stdout,
    ).toContain('Already finalized');
  });

  it('once a join completed, a join on the older state is stale: approving it is refused, verify names it', () => {
    const request = join(repo, 'ceremonies/join-heidi/request.json');
    expect(fails(as('alice', ['approve-participant', '--request', request]))).toMatch(
      /ceremonies\/join-heidi\/ceremony\.json: extends: the group has grown since this join was requested .*new request/,
    );
    expect(existsSync(join(repo, 'ceremonies/join-heidi/approvals/alice.json'))).toBe(false);
    expect(fails(['verify', '--ceremony', 'join-heidi', '--repo', repo])).toMatch(/grown since/);
  });

  it('a second join names the first newcomer as an approver; the group grows in order', () => {
    ok(as('grace', ['initialize', '--moniker', 'grace']));
    ok(as('grace', ['join-request', '--approvers', 'frank,dave,erin']));
    const request = join(repo, 'ceremonies/join-grace/request.json');
    for (const m of ['frank', 'dave', 'erin']) ok(as(m, ['approve-participant', '--request', request]));
    // The same approver's file given twice is refused, naming the approver.
    const dup = join(root, 'dup');
    mkdirSync(dup);
    copyFileSync(join(repo, 'ceremonies/join-grace/approvals/dave.json'), join(dup, 'dave-again.json'));
    expect(
      fails(
        as('grace', [
          'finalize-join',
          '--approvals',
          join(repo, 'ceremonies/join-grace/approvals'),
          join(dup, 'dave-again.json'),
        ]),
      ),
    ).toMatch(/a second approval from dave .*\(culprit: dave\)/);
    ok(as('grace', ['finalize-join', '--approvals', join(repo, 'ceremonies/join-grace/approvals')]));
    ok(['publish', '--ceremony', 'join-grace', '--repo', repo]);
    expect(publicInfo('public_key.txt')).toBe(genesisKey);
    const group = JSON.parse(publicInfo('group.json'));
    expect(group.participants.map((p: { moniker: string }) => p.moniker)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'grace',
    ]);
    expect(group.ceremonies.map((c: { id: string }) => c.id)).toEqual(['genesis', 'join-frank', 'join-grace']);
    const status = ok(['status', '--repo', repo]).stdout;
    expect(status).toContain('join-grace (join, threshold 3): complete');
    // The first join still verifies against the state it extended.
    ok(['verify', '--ceremony', 'join-frank', '--require-complete', '--repo', repo]);
  });
});
