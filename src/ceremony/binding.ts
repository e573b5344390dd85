/**
 * Identity binding: the artifact signing key of every identity a ceremony admits must be one of
 * the SSH signing keys of the GitHub login that identity declares. Only the account's owner can
 * register a key on it, so a pull request that carries someone else's login with its own keys
 * (the swapped join request, the swapped round-1 artifact) fails whoever pushed it.
 *
 * A ceremony's manifest records the mode (`identityBinding`): absent or "github-ssh-signing-key"
 * binds; only an explicit "pull-request-author" opts out, and then the binding is by the pull
 * request's author alone. The check needs the GitHub API, so the offline audit (`sss-tool verify`)
 * never runs it: existing transcripts stay verifiable offline; `verify --github` and the Action do.
 */
import { githubLogin } from '../artifacts/schemas.js';
import { MONIKER } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { CeremonyFiles } from './tree.js';

export type IdentityBinding = 'github-ssh-signing-key' | 'pull-request-author';

/** The identities a ceremony admits come from these roles (the others are signed by their keys). */
export const IDENTITY_ROLES: Record<string, string[]> = { dkg: ['round1'], join: ['request'] };

/** The binding a manifest asks for; anything but the explicit opt-out binds. */
export function bindingOf(manifest: unknown): IdentityBinding {
  const v = (manifest as { identityBinding?: unknown } | undefined)?.identityBinding;
  return v === 'pull-request-author' ? 'pull-request-author' : 'github-ssh-signing-key';
}

/** One identity to bind, as its artifact declares it. */
export interface DeclaredIdentity {
  file: string;
  moniker: string;
  github?: string;
  signingKey: string;
}

/** The identity an artifact declares (undefined when it does not parse as one: the audit says why). */
export function declaredIdentity(file: string, value: unknown): DeclaredIdentity | undefined {
  const v = value as { moniker?: unknown; github?: unknown; signingKey?: unknown } | undefined;
  // Only well-formed fields reach a message or the API; anything else is the audit's to report.
  if (
    typeof v?.moniker !== 'string' ||
    !MONIKER.test(v.moniker) ||
    typeof v.signingKey !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.signingKey)
  )
    return undefined;
  if (v.github !== undefined && !githubLogin.safeParse(v.github).success) return undefined;
  return { file, moniker: v.moniker, github: v.github as string | undefined, signingKey: v.signingKey };
}

/** Every identity a ceremony's files declare (round-1 artifacts of a DKG, the request of a join). */
export function ceremonyIdentities(tree: CeremonyFiles, kind: string): DeclaredIdentity[] {
  const out: DeclaredIdentity[] = [];
  for (const role of IDENTITY_ROLES[kind] ?? []) {
    for (const raw of tree.byRole.get(role)?.values() ?? []) {
      const id = declaredIdentity(raw.file, raw.value);
      if (id) out.push(id);
    }
    const single = tree.singles.get(role);
    const id = single && declaredIdentity(single.file, single.value);
    if (id) out.push(id);
  }
  return out;
}

/**
 * The problems of binding each identity to its login's SSH signing keys: a missing login, or a
 * signing key the account has not registered. `keysOf` asks GitHub (memoized per login).
 */
export async function checkBindings(
  ids: DeclaredIdentity[],
  keysOf: (login: string) => Promise<Set<string>>,
): Promise<SssError[]> {
  const errors: SssError[] = [];
  for (const id of ids) {
    if (!id.github) {
      errors.push(
        new SssError(
          `${id.moniker} declared no GitHub login, but this ceremony binds every identity to a GitHub account's SSH signing keys (ceremony.json identityBinding): initialize with --github <login> and register the key`,
          { code: 'not-allowed', file: id.file, field: 'github', culprit: id.moniker },
        ),
      );
      continue;
    }
    const keys = await keysOf(id.github);
    if (!keys.has(id.signingKey))
      errors.push(
        new SssError(
          `signing key ${id.signingKey.slice(0, 16)}… is not an SSH signing key of @${id.github} on GitHub: only @${id.github} can vouch for this identity, by registering it (sss-tool doctor prints the command; ${keys.size} Ed25519 signing key${keys.size === 1 ? '' : 's'} registered there now)`,
          { code: 'not-allowed', file: id.file, field: 'signingKey', culprit: id.moniker },
        ),
      );
  }
  return errors;
}
