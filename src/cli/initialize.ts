import { Command } from 'commander';
import { makeContext, withGlobals } from './context.js';

export function register(p: Command): void {
  withGlobals(
    p
      .command('initialize')
      .description(
        'create your identity: signing key, encryption key and FROST identifier (private keys age-encrypted in the home dir)',
      )
      .requiredOption('--moniker <name>', 'your name in the group: lowercase letters, digits, _ or -')
      .option('--github <login>', 'your GitHub login (binds your pull requests to you)')
      .option('--endpoint <url>', 'the URL where your cosigner is reachable (for peers_list.txt)'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
    const { createIdentity } = await import('../local/identity.js');
    const { sayRegister, writeSshSigningKey } = await import('./doctor-run.js');
    const id = await createIdentity(
      ctx.paths,
      { moniker: opts.moniker, github: opts.github, endpoint: opts.endpoint },
      await ctx.passphrase(true),
    );
    ctx.result(id);
    ctx.say(`Initialized ${id.moniker} in ${ctx.paths.home}`);
    ctx.say(`  identifier      ${id.identifier}`);
    ctx.say(`  signing key     ${id.signingKey}`);
    ctx.say(`  encryption key  ${id.encryptionKey}`);
    if (id.github) ctx.say(`  github          ${id.github}`);
    if (id.endpoint) ctx.say(`  endpoint        ${id.endpoint}`);
    const pub = writeSshSigningKey(ctx.paths, id);
    ctx.say(`  SSH signing key ${pub}`);
    sayRegister(ctx, id, pub);
    ctx.say(
      'Private keys are age-encrypted in identity.age (mode 0600). Next: sss-tool dkg-round1 (genesis) or sss-tool join-request (joining a group).',
    );
  });
}
