/**
 * The identity binding from the participant's side, with the real CLI against the local GitHub
 * stand-in: initialize writes the OpenSSH key and prints the register command; doctor says whether
 * the key is registered (POST /user/ssh_signing_keys, as `gh ssh-key add --type signing` sends it);
 * verify --github checks every identity of a ceremony.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../src/github/api.js';
import { ed25519FromSshLine } from '../src/github/ssh-signing-keys.js';
import { LocalGitHub, startLocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
import { cliAsync, okAsync } from './action-helpers.js';

let gh: LocalGitHub;
let root: string;
const env = () => ({ GITHUB_API_URL: gh.url });

beforeAll(async () => {
  gh = await startLocalGitHub();
  root = tempDir('sss-doctor-');
});
afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

describe('doctor and verify --github', () => {
  it('initialize writes the key in OpenSSH form and prints the one gh command; doctor fails until it is registered', async () => {
    const home = join(root, 'alice');
    const init = await okAsync(['initialize', '--moniker', 'alice', '--github', 'alice', '--home', home]);
    const pub = readFileSync(join(home, 'github_signing_key.pub'), 'utf8');
    const identity = JSON.parse(readFileSync(join(home, 'identity.json'), 'utf8'));
    expect(ed25519FromSshLine(pub)).toBe(identity.signingKey);
    expect(init.stdout).toContain(
      `gh ssh-key add --type signing ${join(home, 'github_signing_key.pub')} --title 'sss-tool alice'`,
    );

    const before = await cliAsync(['doctor', '--home', home], env());
    expect(before.code).not.toBe(0);
    expect(before.stderr).toMatch(/not registered: @alice has 0 Ed25519 SSH signing keys on GitHub/);
    expect(before.stdout).toContain('gh ssh-key add --type signing');

    // What `gh ssh-key add --type signing` does, with alice's own token.
    await client('token-of-alice', gh.url).rest.users.createSshSigningKeyForAuthenticatedUser({
      key: pub.trim(),
      title: 'sss-tool alice',
    });
    const after = await okAsync(['doctor', '--home', home], env());
    expect(after.stdout).toMatch(/registered on @alice as an SSH signing key ✓/);
    expect(gh.requests.some((r) => r.method === 'GET' && r.path === '/users/alice/ssh_signing_keys')).toBe(true);
  });

  it('verify --github passes when every identity is registered, and names the one that is not', async () => {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'ceremonies', 'g'), { recursive: true });
    git(repo, 'init', '-q'); // the steps run in a checkout of the ceremony repository
    writeFileSync(
      join(repo, 'ceremonies', 'g', 'ceremony.json'),
      JSON.stringify({
        format: 'sss-tool/ceremony@1',
        ceremony: 'g',
        kind: 'dkg',
        ciphersuite: 'FROST-ED25519-SHA512-v1',
        threshold: 2,
        participants: 2,
      }),
    );
    await okAsync([
      'dkg-round1',
      '--threshold',
      '2',
      '--participants',
      '2',
      '--ceremony',
      'g',
      '--home',
      join(root, 'alice'),
      '--repo',
      repo,
    ]);
    const ok = await okAsync(['verify', '--ceremony', 'g', '--github', '--repo', repo], env());
    expect(ok.stdout).toMatch(/Identity binding: all 1 identity is registered/);
    // Offline verify needs no API at all.
    expect(
      (await cliAsync(['verify', '--ceremony', 'g', '--repo', repo], { GITHUB_API_URL: 'http://127.0.0.1:9' })).code,
    ).toBe(0);

    // Someone makes "bob" with a login whose account never registered that key.
    const bob = join(root, 'bob');
    await okAsync(['initialize', '--moniker', 'bob', '--github', 'bob', '--home', bob]);
    await okAsync([
      'dkg-round1',
      '--threshold',
      '2',
      '--participants',
      '2',
      '--ceremony',
      'g',
      '--home',
      bob,
      '--repo',
      repo,
    ]);
    const bad = await cliAsync(['verify', '--ceremony', 'g', '--github', '--repo', repo], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(
      /ceremonies\/g\/round1\/bob.json: signingKey: signing key [0-9a-f]{16}… is not an SSH signing key of @bob on GitHub.*\(culprit: bob\)/,
    );
  });
});
