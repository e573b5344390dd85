/**
 * Accounts named in advance (docs/protocol.md §14.1). A manifest that names monikers only is first
 * come, first served: whoever submits `alice`'s round-1 artifact with keys registered on their own
 * account gets alice's slot. A DKG manifest's `allowAccounts` and a join manifest's
 * `newcomerGithub` name the GitHub account that must hold the slot; the identity binding then
 * proves the artifact's keys are that account's.
 */
import { SssError } from '../errors.js';

/** GitHub logins are case-insensitive. */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The account a DKG manifest gives a moniker (own keys only: `constructor` is a valid moniker). */
export function allowedAccount(
  manifest: { allowAccounts?: Record<string, string> },
  moniker: string,
): string | undefined {
  const accounts = manifest.allowAccounts;
  return accounts && Object.hasOwn(accounts, moniker) ? accounts[moniker] : undefined;
}

/**
 * Refuses an identity that declares another login than the one its slot is reserved for.
 * `slot` says whose slot it is, as the message shows it ("the allow-list gives alice to").
 */
export function checkReservedAccount(
  reserved: string | undefined,
  declared: string | undefined,
  where: { file: string; culprit: string; slot: string },
): void {
  if (reserved === undefined || (declared !== undefined && sameLogin(declared, reserved))) return;
  throw new SssError(
    `declares ${declared === undefined ? 'no GitHub login' : `@${declared}`}, but ${where.slot} @${reserved}`,
    { code: 'not-allowed', file: where.file, field: 'github', culprit: where.culprit },
  );
}

/**
 * `--allow alice@alice-gh,bob@bobby`: the allow-list and, for monikers written `moniker@login`, the
 * accounts. Every moniker names its account or none does: a half-named list would leave the
 * unnamed slots first come, first served while looking reserved.
 */
export function parseAllowOption(value: string | undefined): {
  allowList?: string[];
  allowAccounts?: Record<string, string>;
} {
  const entries = value?.split(',').filter(Boolean);
  if (!entries) return {};
  const pairs = entries.map((e) => e.split('@'));
  const named = pairs.filter((p) => p.length > 1).length;
  if (named === 0) return { allowList: entries };
  if (named !== pairs.length || pairs.some((p) => p.length !== 2))
    throw new SssError('write every entry as moniker@github-login, or none', { code: 'usage', field: '--allow' });
  return { allowList: pairs.map(([m]) => m), allowAccounts: Object.fromEntries(pairs) };
}

/**
 * One share per person: a login already declared by another participant's identity cannot take a
 * second slot (a join refuses a holder's login the same way, src/ceremony/join.ts).
 */
export function checkOneSlotPerAccount(
  declared: string | undefined,
  others: Iterable<{ moniker: string; github?: string }>,
  where: { file: string; culprit: string },
): void {
  if (declared === undefined) return;
  for (const o of others)
    if (o.github !== undefined && sameLogin(o.github, declared))
      throw new SssError(`GitHub login @${declared} already takes part as ${o.moniker}`, {
        code: 'duplicate',
        file: where.file,
        field: 'github',
        culprit: where.culprit,
      });
}
