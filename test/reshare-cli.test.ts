/**
 * Resharing end to end with the real CLI: a 3-of-5 genesis, then a reshare that removes erin and
 * adds frank. public_key.txt never changes; group.json (epoch 1) and peers_list.txt follow the new
 * set; the new holders sign; erin's old share is refused by sign-commit and by the new signers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { homePaths } from '../src/local/home.js';
import { readShareFile } from '../src/local/share.js';
import { PASSPHRASE, cleanupTempDirs, fails, ok } from './helpers.js';
import { CliGenesis, published3of5Genesis } from './support/genesis.js';

let root: string;
let repo: string;
let home: CliGenesis['home'];
let as: CliGenesis['as'];
let publicInfo: CliGenesis['publicInfo'];
let genesisKey: string;

beforeAll(async () => {
  ({ root, repo, home, as, publicInfo } = await published3of5Genesis('sss-reshare-'));
  genesisKey = publicInfo('public_key.txt');
}, 300_000);

afterAll(cleanupTempDirs);

describe('a reshare removes erin and adds frank, through the CLI', () => {
  it('reshare-request writes the proposal; bad input is refused and nothing is written', () => {
    ok(as('frank', ['initialize', '--moniker', 'frank', '--endpoint', 'https://frank.example']));
    expect(fails(['reshare-request', '--repo', repo, '--remove', 'zed'])).toMatch(/zed holds no share of the group/);
    expect(fails(['reshare-request', '--repo', repo, '--remove', 'erin', '--threshold', '5'])).toMatch(
      /newThreshold must be an integer from 2 to the number of new holders \(4\)/,
    );
    expect(fails(['reshare-request', '--repo', repo, '--dealers', 'alice,bob'])).toMatch(
      /2 dealers, fewer than the group's threshold 3/,
    );
    expect(existsSync(join(repo, 'ceremonies/reshare-1'))).toBe(false);
    const r = ok([
      'reshare-request',
      '--repo',
      repo,
      '--remove',
      'erin',
      '--newcomer',
      join(home('frank'), 'identity.json'),
      '--dealers',
      'alice,bob,carol,dave',
    ]);
    expect(r.stdout).toContain('becomes 3-of-5 (epoch 1)');
    expect(r.stdout).toContain('leaving           erin');
    const manifest = JSON.parse(readFileSync(join(repo, 'ceremonies/reshare-1/ceremony.json'), 'utf8'));
    expect(manifest).toMatchObject({
      kind: 'reshare',
      extends: 'genesis',
      epoch: 1,
      threshold: 3,
      newThreshold: 3,
      publicKey: genesisKey.trim(),
    });
    expect(manifest.holders.map((h: { moniker: string }) => h.moniker).sort()).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'frank',
    ]);
    expect(ok(['status', '--ceremony', 'reshare-1', '--repo', repo]).stdout).toContain(
      'awaiting: valid dealings from 3 more of',
    );
  });

  it('dealers deal; a holder outside the dealers is refused; re-runs keep the dealing', () => {
    expect(fails(as('erin', ['reshare-deal', '--ceremony', 'reshare-1']))).toMatch(
      /you \(erin\) are not among the proposal's dealers/,
    );
    expect(fails(as('frank', ['reshare-finalize', '--ceremony', 'reshare-1']))).toMatch(
      /not enough valid dealings yet/,
    );
    for (const m of ['alice', 'bob', 'carol']) ok(as(m, ['reshare-deal', '--ceremony', 'reshare-1']));
    expect(ok(as('alice', ['reshare-deal', '--ceremony', 'reshare-1'])).stdout).toContain('Already dealt');
    const v = ok(['verify', '--ceremony', 'reshare-1', '--repo', repo]).stdout;
    expect(v).toContain('Valid so far; phase finalize.');
  });

  it('every new holder finalizes; the old share is kept as a backup; publish follows the new set, the key stays', async () => {
    for (const m of ['alice', 'bob', 'carol', 'dave', 'frank'])
      ok(as(m, ['reshare-finalize', '--ceremony', 'reshare-1']));
    expect(readdirSync(home('alice')).some((f) => f.startsWith('trustserver_share.json.age.bak-'))).toBe(true);
    const share = await readShareFile(homePaths(home('alice')).share, PASSPHRASE);
    expect(share.group.epoch).toBe(1);
    expect(share.ceremony).toBe('reshare-1');
    expect(ok(['verify', '--ceremony', 'reshare-1', '--require-complete', '--repo', repo]).stdout).toContain(
      'Valid and complete',
    );
    ok(['publish', '--ceremony', 'reshare-1', '--repo', repo]);
    expect(publicInfo('public_key.txt')).toBe(genesisKey);
    const group = JSON.parse(publicInfo('group.json'));
    expect(group.epoch).toBe(1);
    expect(group.ceremonies).toEqual([
      { id: 'genesis', kind: 'dkg' },
      { id: 'reshare-1', kind: 'reshare' },
    ]);
    expect(publicInfo('peers_list.txt')).toBe(
      ['alice', 'bob', 'carol', 'dave', 'frank'].map((m) => `https://${m}.example\n`).join(''),
    );
  });

  it('reshare-finalize run again republishes: the same finalize artifact, no second share, no new backup', () => {
    const finalize = join(repo, 'ceremonies/reshare-1/finalize/alice.json');
    const artifact = readFileSync(finalize, 'utf8');
    const share = readFileSync(homePaths(home('alice')).share);
    const backups = () => readdirSync(home('alice')).filter((f) => f.startsWith('trustserver_share.json.age.bak-'));
    const before = backups();
    expect(ok(as('alice', ['reshare-finalize', '--ceremony', 'reshare-1'])).stdout).toContain(
      'Already finalized: your new share is saved and your finalize artifact is unchanged.',
    );
    const r = JSON.parse(ok(as('alice', ['reshare-finalize', '--ceremony', 'reshare-1', '--json'])).stdout);
    expect(r).toMatchObject({ ceremony: 'reshare-1', step: 'finalize', moniker: 'alice', epoch: 1, again: true });
    expect(r.files).toEqual(['ceremonies/reshare-1/finalize/alice.json']);
    expect(r.backup).toBeUndefined();
    expect(readFileSync(finalize, 'utf8')).toBe(artifact);
    expect(readFileSync(homePaths(home('alice')).share).equals(share)).toBe(true);
    expect(backups()).toEqual(before);
  });

  it("the new holders sign under the unchanged key; erin's old share cannot take part", () => {
    const dir = join(root, 'sig');
    mkdirSync(join(dir, 'c'), { recursive: true });
    mkdirSync(join(dir, 's'), { recursive: true });
    const signers = ['bob', 'dave', 'frank'];
    for (const m of signers) ok(as(m, ['sign-commit', '--session', 's1', '--out', join(dir, 'c', `${m}.json`)]));
    for (const m of signers)
      ok(
        as(m, [
          'sign-share',
          '--session',
          's1',
          '--message-hex',
          '6869',
          '--commitments',
          join(dir, 'c'),
          '--out',
          join(dir, 's', `${m}.json`),
        ]),
      );
    const sig = ok([
      'sign-aggregate',
      '--group',
      join(repo, 'public_info/group.json'),
      '--message-hex',
      '6869',
      '--commitments',
      join(dir, 'c'),
      '--shares',
      join(dir, 's'),
    ]).stdout.trim();
    expect(ok(['verify-signature', '--repo', repo, '--message-hex', '6869', '--signature', sig]).stdout).toContain(
      'valid',
    );
    // erin, in the repository: her share's epoch is refused before she commits.
    expect(fails(as('erin', ['sign-commit', '--session', 's2']))).toMatch(
      /epoch 0, but the group is at epoch 1: a reshare replaced it/,
    );
    // erin elsewhere commits anyway; the new holders refuse her commitment, naming her.
    mkdirSync(join(dir, 'c2'));
    ok([
      'sign-commit',
      '--session',
      's2',
      '--home',
      home('erin'),
      '--repo',
      root,
      '--out',
      join(dir, 'c2', 'erin.json'),
    ]);
    for (const m of ['bob', 'dave'])
      ok(as(m, ['sign-commit', '--session', 's2', '--out', join(dir, 'c2', `${m}.json`)]));
    expect(
      fails(as('bob', ['sign-share', '--session', 's2', '--message-hex', '6869', '--commitments', join(dir, 'c2')])),
    ).toMatch(/epoch 0, but the group is at epoch 1.*culprit: erin/);
  });
});
