/**
 * The demo's second act (issue 4): after the genesis, a newcomer joins the group with the first M
 * holders approving. Every step is a pull request opened with --submit, validated by the real
 * bundled Action and merged. The maintainer opens the join (sss-tool join-open), and the newcomer's
 * join-request pull request adds its request. The Action publishes on the last push. public_key.txt must not change
 * and peers_list.txt must gain the newcomer.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupPackage } from '../../src/ceremony/report.js';
import { SssError } from '../../src/errors.js';
import { LocalPull, startLocalGitHub } from '../local-github.js';
import { DemoAction } from './action.js';
import { registerSigningKeys } from './keys.js';
import { DEMO_REPOSITORY, DemoParticipant, checkPublished, git, newParticipant, pool, sssTool } from './people.js';

const NEWCOMERS = [
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
  'newcomer',
];

export interface GenesisDemo {
  root: string;
  repository: string;
  origin: string;
  publicKey: string;
  participants: DemoParticipant[];
}

/** Runs the join on the repository runGenesisDemo left; returns the newcomer and the group after. */
export async function runJoinDemo(result: GenesisDemo, say: (line: string) => void) {
  const { root, origin, repository: maintainer } = result;
  const m = git(maintainer);
  await m.pull('origin', 'main');
  const group = JSON.parse(readFileSync(join(maintainer, 'public_info', 'group.json'), 'utf8')) as GroupPackage;
  const moniker = NEWCOMERS.find((n) => !group.participants.some((p) => p.moniker === n))!;
  const ceremony = `join-${moniker}`;
  const approvers = result.participants.slice(0, group.threshold);
  const newcomer = await newParticipant(root, origin, moniker);

  const github = await startLocalGitHub();
  try {
    // Its own runner and job summaries, beside the genesis ones.
    mkdirSync(join(root, 'join'), { recursive: true });
    const action = new DemoAction(join(root, 'join'), origin, github.url);
    say('');
    say(
      `Join: ${moniker} joins the ${group.threshold}-of-${group.participants.length} group; ${approvers.map((p) => p.moniker).join(', ')} approve`,
    );
    const review = (pr: LocalPull, author: string) => action.validateAndMerge(pr, author, m, say);
    const env = (p: DemoParticipant) => ({
      ...process.env,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: `demo-token-of-${p.moniker}`,
    });
    const run = (p: DemoParticipant, args: string[]) =>
      sssTool([...args, '--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile], env(p));
    const step = async (name: string, who: DemoParticipant[], args: (p: DemoParticipant) => string[]) => {
      await pool(who, 2, async (p) => {
        await git(p.clone).pull('origin', 'main');
        await run(p, [...args(p), '--submit', '--github-repo', DEMO_REPOSITORY]);
      });
      const prs = github.pulls
        .filter((pr) => pr.state === 'open' && pr.head.startsWith(`ceremony/${ceremony}/${name}/`))
        .sort((a, b) => a.number - b.number);
      say(`  ${name}: ${prs.length} pull request${prs.length === 1 ? '' : 's'} opened with --submit`);
      for (const pr of prs) await review(pr, pr.head.split('/').pop()!);
    };

    await run(newcomer, [
      'initialize',
      '--moniker',
      moniker,
      '--github',
      moniker,
      '--endpoint',
      `https://${moniker}.cosigner.example`,
    ]);
    await registerSigningKeys(github.url, [newcomer], (p) => run(p, ['doctor']));
    say(`  initialize: ${moniker}'s identity created, its signing key registered on @${moniker} (sss-tool doctor: ✓)`);
    // With maintainers configured, only a maintainer opens a join: the maintainer's pull request adds
    // the manifest (sss-tool join-open), and the newcomer's then adds only its request.
    await m.checkoutLocalBranch(`ceremony/${ceremony}/open`);
    await sssTool(['join-open', '--ceremony', ceremony, '--github', moniker, '--repo', maintainer]);
    await m.add('ceremonies');
    await m.commit(`${ceremony}: open the join`);
    await m.push('origin', `ceremony/${ceremony}/open`);
    await m.checkout('main');
    github.pulls.push({
      // Issues and pull requests share one sequence, as on GitHub (the tracking issues took some).
      number: Math.max(0, ...github.pulls.map((p) => p.number), ...github.issues.map((i) => i.number)) + 1,
      head: `ceremony/${ceremony}/open`,
      base: 'main',
      title: `${ceremony}: open the join`,
      body: '',
      state: 'open',
      merged: false,
      headRepo: 'demo/ceremonies',
      user: { login: 'maintainer', type: 'User' },
      html_url: '',
    });
    say(`  the maintainer opens the join for @${moniker} (sss-tool join-open: ceremonies/${ceremony}/ceremony.json):`);
    await review(github.pulls[github.pulls.length - 1], 'maintainer');
    await step('request', [newcomer], () => [
      'join-request',
      '--ceremony',
      ceremony,
      '--approvers',
      approvers.map((p) => p.moniker).join(','),
    ]);
    await step('approval', approvers, (p) => [
      'approve-participant',
      '--request',
      join(p.clone, 'ceremonies', ceremony, 'request.json'),
    ]);
    await step('finalize', [newcomer], (p) => [
      'finalize-join',
      '--approvals',
      join(p.clone, 'ceremonies', ceremony, 'approvals'),
    ]);

    const first = await action.publish();
    if (first.code !== 0)
      throw new SssError(`the Action failed to publish: ${first.problems.join('; ') || first.log}`, {
        code: 'invalid',
      });
    say(`  publish (push to main): the Action committed ${first.published || 'nothing'}`);
  } finally {
    await github.close();
  }

  const { publicKey, peers } = await checkPublished(maintainer, ceremony);
  const after = JSON.parse(readFileSync(join(maintainer, 'public_info', 'group.json'), 'utf8')) as GroupPackage;
  if (publicKey !== result.publicKey)
    throw new SssError(`the join changed public_key.txt (${result.publicKey} → ${publicKey})`, { code: 'mismatch' });
  if (!peers.split('\n').includes(`https://${moniker}.cosigner.example`))
    throw new SssError(`peers_list.txt does not list ${moniker}'s cosigner`, { code: 'mismatch' });
  if (readFileSync(join(newcomer.home, 'trustserver_public_key.pub'), 'utf8').trim() !== publicKey)
    throw new SssError(`${moniker} holds a share of another key`, { code: 'mismatch' });
  say('');
  say(
    `Verified: ${moniker} holds a share of the same key; the group is ${after.threshold}-of-${after.participants.length}.`,
  );
  say(`Group public key (unchanged): ${publicKey}`);
  say('Peers (public_info/peers_list.txt):');
  for (const line of peers.trimEnd().split('\n')) say(`  ${line}`);
  return { ceremony, newcomer, publicKey, participants: after.participants.length };
}
