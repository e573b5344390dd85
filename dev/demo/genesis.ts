/**
 * The demo's first act (`npm run demo`): a complete local genesis ceremony, the GitHub way. N participants, each with its own
 * home dir and its own clone of a shared bare repository, submit every step with --submit (a
 * branch and a pull request, opened against a local stand-in for the GitHub API); the real bundled
 * Action validates each pull request before the maintainer merges it, and publishes public_info/
 * on the last push to main. A second publish run shows it changes nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { toFileText } from '../../src/artifacts/canonical.js';
import { FORMATS } from '../../src/artifacts/schemas.js';
import { CIPHERSUITE } from '../../src/crypto/suite.js';
import { SssError } from '../../src/errors.js';
import { LocalPull, startLocalGitHub } from '../local-github.js';
import { DemoAction } from './action.js';
import { registerSigningKeys } from './keys.js';
import {
  DEMO_REPOSITORY,
  DIST,
  DemoParticipant,
  checkPublished,
  git,
  identify,
  newParticipant,
  pool,
  sssTool,
} from './people.js';

export const NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
];

/** Runs the whole genesis ceremony; returns where everything is and the group key. */
export async function runGenesisDemo(root: string, n: number, t: number, say: (line: string) => void) {
  const ceremony = 'genesis';
  mkdirSync(root, { recursive: true });
  const origin = join(root, 'origin.git');
  const maintainer = join(root, 'maintainer');
  await git(root).init(['--bare', '-b', 'main', origin]);
  await git(root).clone(origin, maintainer);
  const m = git(maintainer);
  await identify(m, 'maintainer');
  writeFileSync(
    join(maintainer, 'README.md'),
    '# Demo ceremony repository\n\nArtifacts arrive as pull requests into `ceremonies/<id>/`.\n',
  );
  await m.add('README.md');
  await m.commit('Start the ceremony repository');
  await m.push('origin', 'main');

  const people: DemoParticipant[] = [];
  for (const moniker of NAMES.slice(0, n)) people.push(await newParticipant(root, origin, moniker));
  const github = await startLocalGitHub();
  try {
    const action = new DemoAction(root, origin, github.url);
    say(`Demo: a ${t}-of-${n} genesis ceremony in ${root}`);
    say(
      `  participants: ${people.map((p) => p.moniker).join(', ')}; each has its own home dir, clone and GitHub login`,
    );
    say(`  GitHub: a local stand-in at ${github.url} for pull requests and comments; origin: ${origin}`);
    say(
      `  every pull request is checked by the real bundled Action (${relative(process.cwd(), DIST) || DIST}) before the maintainer merges it`,
    );
    say('');

    const review = (pr: LocalPull, author: string) => action.validateAndMerge(pr, author, m, say);

    // The maintainer opens the ceremony with its manifest, through a pull request like anyone else.
    const manifest = {
      format: FORMATS.ceremony,
      ceremony,
      kind: 'dkg',
      ciphersuite: CIPHERSUITE,
      threshold: t,
      participants: n,
      identityBinding: 'github-ssh-signing-key',
    };
    await m.checkoutLocalBranch(`ceremony/${ceremony}/open`);
    mkdirSync(join(maintainer, 'ceremonies', ceremony), { recursive: true });
    writeFileSync(join(maintainer, 'ceremonies', ceremony, 'ceremony.json'), toFileText(manifest));
    await m.add('ceremonies');
    await m.commit(`${ceremony}: open a ${t}-of-${n} ceremony`);
    await m.push('origin', `ceremony/${ceremony}/open`);
    await m.checkout('main');
    github.pulls.push({
      number: github.pulls.length + 1,
      head: `ceremony/${ceremony}/open`,
      base: 'main',
      title: `${ceremony}: open a ${t}-of-${n} ceremony`,
      body: '',
      state: 'open',
      merged: false,
      headRepo: 'demo/ceremonies',
      user: { login: 'maintainer', type: 'User' },
      html_url: '',
    });
    say('  the maintainer opens the ceremony (ceremonies/genesis/ceremony.json):');
    await review(github.pulls[github.pulls.length - 1], 'maintainer');

    const env = (p: DemoParticipant) => ({
      ...process.env,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: `demo-token-of-${p.moniker}`,
    });
    const run = (p: DemoParticipant, args: string[]) =>
      sssTool([...args, '--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile], env(p));
    const step = async (name: string, args: (p: DemoParticipant) => string[]) => {
      await pool(people, 2, async (p) => {
        await git(p.clone).pull('origin', 'main');
        await run(p, [...args(p), '--submit', '--github-repo', DEMO_REPOSITORY]);
      });
      const prs = github.pulls
        .filter((pr) => pr.state === 'open' && pr.head.startsWith(`ceremony/${ceremony}/${name}/`))
        .sort((a, b) => a.number - b.number);
      say(`  ${name}: ${prs.length} pull requests opened with --submit`);
      for (const pr of prs) await review(pr, pr.head.split('/').pop()!);
    };

    await pool(people, 2, (p) =>
      run(p, [
        'initialize',
        '--moniker',
        p.moniker,
        '--github',
        p.moniker,
        '--endpoint',
        `https://${p.moniker}.cosigner.example`,
      ]),
    );
    await registerSigningKeys(github.url, people, (p) => run(p, ['doctor']));
    say(
      '  initialize: identities created; each signing key registered on its GitHub account as an SSH signing key (sss-tool doctor: ✓)',
    );
    await step('round1', () => [
      'dkg-round1',
      '--threshold',
      String(t),
      '--participants',
      String(n),
      '--ceremony',
      ceremony,
    ]);
    await step('round2', (p) => ['dkg-round2', '--commitments', join(p.clone, 'ceremonies', ceremony, 'round1')]);
    await step('finalize', (p) => ['dkg-finalize', '--shares', join(p.clone, 'ceremonies', ceremony, 'round2')]);

    // The push of the last merge runs the Action in publish mode; a second run has nothing to do.
    const first = await action.publish();
    if (first.code !== 0)
      throw new SssError(`the Action failed to publish: ${first.problems.join('; ') || first.log}`, {
        code: 'invalid',
      });
    say(`  publish (push to main): the Action committed ${first.published || 'nothing'}`);
    const second = await action.publish();
    if (second.code !== 0 || second.published)
      throw new SssError(`the second publish run was not a no-op: ${second.log}`, { code: 'invalid' });
    say(`  publish again: ${second.upToDate ? 'public_info/ is up to date, nothing committed' : second.log}`);
    say(`  pull request comments by the Action: ${github.comments.size}; job summaries in ${join(root, 'actions')}`);
  } finally {
    await github.close();
  }

  const { publicKey, peers } = await checkPublished(maintainer, ceremony);
  const keys = people.map((p) => readFileSync(join(p.home, 'trustserver_public_key.pub'), 'utf8').trim());
  if (keys.some((k) => k !== publicKey))
    throw new SssError('participants disagree on the group key', { code: 'mismatch' });
  say('');
  say(`Verified: all ${n} participants hold shares of one key; any ${t} of them can sign.`);
  say(`Group public key (public_info/public_key.txt):`);
  say(`  ${publicKey}`);
  say('Peers (public_info/peers_list.txt):');
  for (const line of peers.trimEnd().split('\n')) say(`  ${line}`);
  say('');
  say(`Repository (main):   ${maintainer}`);
  say(`Public info:         ${join(maintainer, 'public_info')}`);
  say(
    `Participants' homes: ${join(root, 'participants', '<moniker>', 'home')} (age-encrypted; passphrase in passphrase.txt beside it)`,
  );
  return {
    root,
    repository: maintainer,
    origin,
    publicKey,
    participants: people.map((p) => ({
      moniker: p.moniker,
      home: p.home,
      clone: p.clone,
      passphraseFile: p.passphraseFile,
    })),
  };
}
