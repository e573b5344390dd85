/**
 * One strict schema per artifact kind. Unknown fields and unknown formats are rejected; hex fields
 * are checked for shape here and decoded (points, scalars) by the crypto layer.
 */
import { z } from 'zod';
import { CEREMONY_ID, CIPHERSUITE, MONIKER } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { duplicateKey } from './strict-json.js';

export const MAX_PARTICIPANTS = 1000;

export const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes of lowercase hex`);
export const hex32 = hex(32);
export const moniker = z.string().regex(MONIKER, 'expected a moniker: lowercase letters, digits, _ or -, at most 63');
export const ceremonyId = z
  .string()
  .regex(CEREMONY_ID, 'expected a ceremony id: lowercase letters, digits, . _ or -, at most 63');
export const githubLogin = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, 'expected a GitHub login');
/**
 * A cosigner's URL, as it reaches peers_list.txt and terminals: printable ASCII only (no control,
 * bidi or Unicode line-break characters, no IDN look-alikes), http(s), and exactly what `new URL()`
 * makes of it (an empty path may omit its "/"), so no parser reads another host or path into it.
 */
export const endpoint = z
  .string()
  .max(2048)
  .regex(
    /^https?:\/\/[\x21-\x7e]+$/,
    'expected an http(s) URL of printable ASCII (no spaces, control, bidi or line-break characters)',
  )
  .refine(
    roundTrips,
    'expected a URL that new URL() leaves unchanged (lowercase scheme and host, no credentials, no dot segments or escapes it would rewrite)',
  );

function roundTrips(s: string): boolean {
  try {
    const u = new URL(s);
    if (u.username || u.password || (u.protocol !== 'https:' && u.protocol !== 'http:')) return false;
    return u.href === s || (u.pathname === '/' && !u.search && !u.hash && u.href === `${s}/`);
  } catch {
    return false;
  }
}
export const signature = hex(64);

/**
 * A record keyed by moniker. z.record skips a "__proto__" key without an issue (its guard against
 * prototype pollution), so a file could carry an entry its signature does not cover: refuse it.
 */
export const byMoniker = <V extends z.ZodType>(value: V) =>
  z.preprocess(
    (v, ctx) => {
      if (v !== null && typeof v === 'object' && Object.hasOwn(v, '__proto__'))
        ctx.addIssue({ code: 'custom', message: 'unknown key "__proto__": expected a moniker', input: v });
      return v;
    },
    z.record(moniker, value),
  );
const count = z.number().int();

export const FORMATS = {
  ceremony: 'sss-tool/ceremony@1',
  round1: 'sss-tool/dkg-round1@1',
  round2: 'sss-tool/dkg-round2@1',
  finalize: 'sss-tool/dkg-finalize@1',
  joinRequest: 'sss-tool/join-request@1',
  joinApproval: 'sss-tool/join-approval@1',
  joinFinalize: 'sss-tool/join-finalize@1',
} as const;

/** Public identity as it appears in artifacts. */
const identityFields = {
  moniker,
  identifier: hex32,
  signingKey: hex32,
  encryptionKey: hex32,
  github: githubLogin.optional(),
  endpoint: endpoint.optional(),
};

/**
 * How a ceremony binds identities to GitHub accounts (src/ceremony/binding.ts). Absent means
 * "github-ssh-signing-key", the safe default; "pull-request-author" is the explicit opt-out.
 */
export const IDENTITY_BINDINGS = ['github-ssh-signing-key', 'pull-request-author'] as const;
export const identityBinding = z.enum(IDENTITY_BINDINGS);

export const DkgManifest = z
  .strictObject({
    format: z.literal(FORMATS.ceremony),
    ceremony: ceremonyId,
    kind: z.literal('dkg'),
    ciphersuite: z.literal(CIPHERSUITE),
    threshold: count,
    participants: count,
    allowList: z.array(moniker).optional(),
    /**
     * The GitHub account each allowed moniker belongs to (docs/protocol.md §6.1): with it, a round-1
     * artifact under `alice` must declare alice's login, so nobody else can take her slot.
     */
    allowAccounts: z.record(moniker, githubLogin).optional(),
    identityBinding: identityBinding.optional(),
  })
  .superRefine(accountsMatchAllowList);
export type DkgManifest = z.infer<typeof DkgManifest>;

/**
 * `allowAccounts` names an account for exactly the monikers of `allowList`, a different one for
 * each: one account holding two slots would hold two shares of the threshold.
 */
function accountsMatchAllowList(
  m: { allowList?: string[]; allowAccounts?: Record<string, string> },
  ctx: z.RefinementCtx,
): void {
  if (!m.allowAccounts) return;
  const named = Object.keys(m.allowAccounts);
  const listed = new Set(m.allowList ?? []);
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['allowAccounts'], message });
  if (!m.allowList) return issue('names accounts, but there is no allowList');
  const unnamed = [...listed].filter((x) => !Object.hasOwn(m.allowAccounts!, x));
  const extra = named.filter((x) => !listed.has(x));
  if (unnamed.length) return issue(`names no account for ${unnamed.join(', ')} of the allowList`);
  if (extra.length) return issue(`names ${extra.join(', ')}, which the allowList does not`);
  const logins = named.map((x) => m.allowAccounts![x].toLowerCase());
  const twice = logins.find((l, i) => logins.indexOf(l) !== i);
  if (twice) issue(`gives @${twice} more than one moniker`);
}

export const Round1 = z.strictObject({
  format: z.literal(FORMATS.round1),
  ceremony: ceremonyId,
  ...identityFields,
  threshold: count,
  participants: count,
  commitment: z.array(hex32),
  proofOfKnowledge: signature,
  signature,
});
export type Round1 = z.infer<typeof Round1>;

export const EncryptedShare = z.strictObject({
  recipient: moniker,
  enc: hex32,
  ciphertext: hex(48),
});
export type EncryptedShare = z.infer<typeof EncryptedShare>;

export const Round2 = z.strictObject({
  format: z.literal(FORMATS.round2),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  round1Digest: hex32,
  shares: z.array(EncryptedShare),
  signature,
});
export type Round2 = z.infer<typeof Round2>;

export const Finalize = z.strictObject({
  format: z.literal(FORMATS.finalize),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  round1Digest: hex32,
  round2Digest: hex32,
  groupKey: hex32,
  verifyingShare: hex32,
  signature,
});
export type Finalize = z.infer<typeof Finalize>;

/** Parses with a strict schema; the error names the file and the first offending field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file?: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  // A record's key is a path segment taken from the file: cut short like any quoted value.
  const field = issue.path.length
    ? issue.path.map((k) => (String(k).length > 80 ? `${String(k).slice(0, 80)}…` : String(k))).join('.')
    : undefined;
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') reason = `unknown field ${issue.keys.map(shown).join(', ')}`;
  else if (issue.code === 'invalid_value' && field === 'format')
    reason = `unknown format ${shown((value as { format?: unknown }).format)}`;
  return raise(reason, file, field);
}

/**
 * A value from a file, as an error message quotes it: a string quoted and cut short, anything else
 * by its kind. JSON.stringify of the value itself made a message as long as the file, and threw a
 * RangeError for a value nested deeper than the call stack.
 */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v)
    ? 'of the wrong type (a list)'
    : `of the wrong type (${typeof v === 'object' ? 'an object' : typeof v})`;
}

function raise(reason: string, file?: string, field?: string): never {
  throw new SssError(reason, { code: 'malformed', file, field });
}

/** Parses JSON text; the error names the file. */
export function parseJson(text: string, file?: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SssError(`malformed JSON (${oneLine((e as Error).message)})`, { code: 'malformed', file });
  }
  const dup = duplicateKey(text);
  if (dup !== undefined)
    throw new SssError(`duplicate key ${shown(dup)}: a JSON object may name each key once`, {
      code: 'malformed',
      file,
    });
  return value;
}

/** V8's JSON.parse messages quote the text around the error, line breaks included: one line. */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}
