/**
 * The demo's fourth act (issue 11): a reshare removes one holder. The maintainer proposes it, the
 * first M holders deal, every remaining holder finalizes: each step a pull request opened with
 * --submit, validated by the real bundled Action and merged; the Action publishes on the last push.
 * Then the removed holder's share is refused by sign-commit, and the remaining holders sign a JWT
 * that verifies under the unchanged public_key.txt.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupPackage } from '../../src/ceremony/report.js';
import { SssError } from '../../src/errors.js';
import { LocalPull, startLocalGitHub } from '../local-github.js';
import { DemoAction } from './action.js';
import { GenesisDemo } from './join.js';
import { DEMO_REPOSITORY, DemoParticipant, checkPublished, git, pool, sssTool } from './people.js';
import { runSignDemo } from './sign.js';

/** Removes `removed` from the group the earlier acts left; `holders` are every holder's participant. */
export async function runReshareDemo(
  result: GenesisDemo,
  holders: DemoParticipant[],
  removed: DemoParticipant,
  say: (line: string) => void,
) {
  const { root, origin, repository: maintainer } = result;
  const m = git(maintainer);
  await m.pull('origin', 'main');
  const group = JSON.parse(readFileSync(join(maintainer, 'public_info', 'group.json'), 'utf8')) as GroupPackage;
  const ceremony = `reshare-${(group.epoch ?? 0) + 1}`;
  const staying = holders.filter((p) => p !== removed);
  const dealers = staying.slice(0, group.threshold);
  const github = await startLocalGitHub();
  try {
    mkdirSync(join(root, 'reshare'), { recursive: true });
    const action = new DemoAction(join(root, 'reshare'), origin, github.url);
    say('');
    say(
      `Reshare: ${removed.moniker} leaves the ${group.threshold}-of-${group.participants.length} group; ${dealers.map((p) => p.moniker).join(', ')} deal, every remaining holder finalizes`,
    );
    const env = (who: string) => ({ ...process.env, GITHUB_API_URL: github.url, GITHUB_TOKEN: `demo-token-of-${who}` });
    const submit = ['--submit', '--github-repo', DEMO_REPOSITORY];
    const review = async (name: string) => {
      const prs = github.pulls
        .filter((pr: LocalPull) => pr.state === 'open' && pr.head.startsWith(`ceremony/${ceremony}/${name}/`))
        .sort((a, b) => a.number - b.number);
      say(`  ${name}: ${prs.length} pull request${prs.length === 1 ? '' : 's'} opened with --submit`);
      for (const pr of prs) await action.validateAndMerge(pr, pr.head.split('/').pop()!, m, say);
    };
    const step = async (name: string, who: DemoParticipant[], args: string[]) => {
      await pool(who, 2, async (p) => {
        await git(p.clone).pull('origin', 'main');
        await sssTool(
          [...args, '--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile, ...submit],
          env(p.moniker),
        );
      });
      await review(name);
    };
    await sssTool(
      [
        'reshare-request',
        '--ceremony',
        ceremony,
        '--remove',
        removed.moniker,
        '--dealers',
        dealers.map((p) => p.moniker).join(','),
        '--repo',
        maintainer,
        ...submit,
      ],
      env('maintainer'),
    );
    await review('proposal');
    await step('dealing', dealers, ['reshare-deal', '--ceremony', ceremony]);
    await step('finalize', staying, ['reshare-finalize', '--ceremony', ceremony]);
    const published = await action.publish();
    if (published.code !== 0)
      throw new SssError(`the Action failed to publish: ${published.problems.join('; ') || published.log}`, {
        code: 'invalid',
      });
    say(`  publish (push to main): the Action committed ${published.published || 'nothing'}`);
  } finally {
    await github.close();
  }
  return checkReshared(result, group, ceremony, staying, removed, say);
}

/** The key is unchanged, the removed holder is gone and refused, the others sign. */
async function checkReshared(
  result: GenesisDemo,
  before: GroupPackage,
  ceremony: string,
  staying: DemoParticipant[],
  removed: DemoParticipant,
  say: (line: string) => void,
) {
  const { publicKey, peers } = await checkPublished(result.repository, ceremony);
  const after = JSON.parse(readFileSync(join(result.repository, 'public_info', 'group.json'), 'utf8')) as GroupPackage;
  if (publicKey !== result.publicKey)
    throw new SssError(`the reshare changed public_key.txt (${result.publicKey} → ${publicKey})`, { code: 'mismatch' });
  if (peers.split('\n').some((l) => l.startsWith(`${removed.moniker} `)))
    throw new SssError(`peers_list.txt still lists ${removed.moniker}`, { code: 'mismatch' });
  say('');
  say(
    `Verified: the group is ${after.threshold}-of-${after.participants.length} at epoch ${after.epoch}; ${removed.moniker} is gone; the key is unchanged.`,
  );
  say(`Group public key (unchanged): ${publicKey}`);
  await git(removed.clone).pull('origin', 'main');
  let refused = '';
  try {
    await sssTool([
      'sign-commit',
      '--session',
      'after-reshare',
      '--home',
      removed.home,
      '--repo',
      removed.clone,
      '--passphrase-file',
      removed.passphraseFile,
    ]);
  } catch (e) {
    refused = (e as SssError).message;
  }
  if (!/a reshare replaced it/.test(refused))
    throw new SssError(
      `${removed.moniker}'s old share was not refused after the reshare${refused ? `: ${refused}` : ''}`,
      { code: 'invalid' },
    );
  say(
    `  ${removed.moniker} tries to sign with the old share: refused: ${refused.slice(refused.indexOf('this share'))}`,
  );
  for (const p of staying) await git(p.clone).pull('origin', 'main');
  const signed = await runSignDemo(result.repository, result.root, staying.slice(0, after.threshold), say);
  return {
    ceremony,
    removed: removed.moniker,
    epoch: after.epoch,
    threshold: after.threshold,
    participants: after.participants.length,
    publicKey,
    jwt: signed.jwt,
    before: before.participants.length,
  };
}
