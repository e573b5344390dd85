/**
 * `sss-tool verify --github`: the Action's identity binding, from the CLI. Every identity the
 * ceremony admitted must have its signing key registered as an SSH signing key of the GitHub login
 * it declares (unless the manifest opts out, which is then said). Without --github, verify stays
 * offline and never needs the API.
 */
import { join } from 'node:path';
import { SssError } from '../errors.js';
import { bindingOf, ceremonyIdentities, checkBindings } from '../ceremony/binding.js';
import { ceremonyKind } from '../ceremony/rules.js';
import { readCeremony } from '../ceremony/tree.js';
import { client } from '../github/api.js';
import { signingKeyDirectory } from '../github/ssh-signing-keys.js';
import { Context } from './context.js';

/** Returns the line to print; throws when an identity is not bound. */
export async function verifyGithubBinding(ctx: Context, ceremony: string): Promise<string> {
  const tree = readCeremony(join(ctx.ceremoniesDir, ceremony), ctx.repo);
  if (bindingOf(tree.manifest?.value) === 'pull-request-author')
    return `Identity binding: ceremony ${ceremony} opts out of SSH signing keys (identityBinding: pull-request-author); its identities are bound by the pull requests' authors alone.`;
  const ids = ceremonyIdentities(tree, ceremonyKind(tree));
  const errors = await checkBindings(
    ids,
    signingKeyDirectory(client(process.env.GITHUB_TOKEN || process.env.GH_TOKEN || '')),
  );
  if (errors.length)
    throw new SssError(
      `${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more identities not bound)` : ''}`,
      { code: errors[0].code },
    );
  return `Identity binding: all ${ids.length} identit${ids.length === 1 ? 'y is' : 'ies are'} registered as SSH signing keys of the GitHub logins they declare.`;
}
