/**
 * Private material that must never reach the repository: age files (every private file of a home
 * dir is one) and the plaintext forms of what they hold. The Action rejects a pull request that
 * carries any; the CLI can call the same function before it commits.
 */

/** Formats of files that exist only in a home dir (their plaintext is a secret). */
export const PRIVATE_FORMATS = new Set([
  'sss-tool/identity-secret@1',
  'sss-tool/dkg-state@1',
  'sss-tool/join-state@1',
  'sss-tool/share@1',
  'sss-tool/sign-nonces@1',
]);

/**
 * JSON keys that name a scalar secret in this project's formats: a signing share, a polynomial's
 * coefficients, signing nonces, identity secret keys, round state. No public artifact uses them.
 */
export const PRIVATE_KEYS: Record<string, string> = {
  signingShare: 'a signing share',
  coefficients: 'polynomial coefficients',
  nonces: 'signing nonces',
  secret: 'round state',
  signingSecret: 'a signing secret key',
  encryptionSecret: 'an encryption secret key',
  secretKey: 'a secret key',
  privateKey: 'a private key',
};

const AGE_BINARY = 'age-encryption.org/v1';
const AGE_ARMOR = '-----BEGIN AGE ENCRYPTED FILE-----';

/**
 * Why a file's bytes are private material, or undefined when they are not: an age file (binary or
 * armored), a private format, or a JSON document with a key that carries a secret (at any depth).
 */
export function privateMaterial(bytes: Uint8Array | string): string | undefined {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  const head = text.trimStart();
  if (head.startsWith(AGE_BINARY)) return 'an age-encrypted file (private files stay in your home dir)';
  if (text.includes(AGE_ARMOR)) return 'an armored age-encrypted file (private files stay in your home dir)';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return privateJson(value);
}

interface Step {
  value: unknown;
  /** The key or index that led here, and the step it came from: the path, built only when reported. */
  key?: string;
  parent?: Step;
  /** Set for an object's entry not yet visited: its key is checked before its value is walked. */
  entry?: boolean;
}

const pathOf = (s: Step | undefined): string => {
  const keys: string[] = [];
  for (let p = s; p?.key !== undefined; p = p.parent) keys.push(p.key);
  return keys
    .reverse()
    .map((k) => `${k}.`)
    .join('');
};

/**
 * Depth-first, in document order, with an explicit stack: a pull request may carry JSON nested
 * deeper than the call stack ("[[[[…"), which a recursive walk turned into a RangeError.
 */
function privateJson(root: unknown): string | undefined {
  const stack: Step[] = [{ value: root }];
  while (stack.length) {
    const step = stack.pop()!;
    if (step.entry) {
      if (Object.hasOwn(PRIVATE_KEYS, step.key!))
        return `${PRIVATE_KEYS[step.key!]} (field ${pathOf(step.parent)}${step.key})`;
      stack.push({ value: step.value, key: step.key, parent: step.parent });
      continue;
    }
    const value = step.value;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: String(i), parent: step });
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const obj = value as Record<string, unknown>;
    if (typeof obj.format === 'string' && PRIVATE_FORMATS.has(obj.format))
      return `a private file (format ${obj.format})`;
    const entries = Object.entries(obj);
    for (let i = entries.length - 1; i >= 0; i--)
      stack.push({ value: entries[i][1], key: entries[i][0], parent: step, entry: true });
  }
  return undefined;
}
