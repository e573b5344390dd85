/**
 * Structural mutations of valid JSON artifacts for the fuzz-*.test.ts properties: replace any
 * value with one of another type or a wrong shape, delete fields, add unknown ones, duplicate,
 * truncate or extend arrays, swap values between artifacts, or replace the whole document with
 * something that is not an object. Values stay JSON (what JSON.parse can return), so a mutated
 * artifact is one a person could commit.
 */
import fc from 'fast-check';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { expect } from 'vitest';
import { jcs } from '../src/artifacts/canonical.js';
import { Point, encodePoint } from '../src/crypto/suite.js';
import { SssError } from '../src/errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const T8 = Point.fromHex(ED25519_TORSION_SUBGROUP[1]);
const P = Point.BASE.multiply(123456789n);

/** Values of every JSON type and of the wrong shape, including ones that pass shape checks. */
export const weirdValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2,
    3,
    1001,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    -1e308,
    '',
    'alice',
    'constructor',
    '__proto__',
    'toString',
    '00'.repeat(32),
    'ff'.repeat(32),
    'FF'.repeat(32),
    '01' + '00'.repeat(31), // the identity point; the scalar 1
    'ed' + 'ff'.repeat(30) + '7f', // p-1 style non-canonical encodings
    'ec' + 'ff'.repeat(30) + '7f',
    ...ED25519_TORSION_SUBGROUP,
    encodePoint(P),
    encodePoint(P.add(T8)), // on the curve, not small order, but with a torsion component
    '00'.repeat(64),
    encodePoint(P) + '00'.repeat(32),
    'x'.repeat(100_000),
    '0'.repeat(100_001),
    [],
    [null],
    {},
    { a: { b: { c: [1, { d: 'e' }] } } },
  ),
  fc.integer().map((n): Json => n),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n): Json => n),
  fc.string({ maxLength: 80 }).map((s): Json => s),
  fc.uint8Array({ minLength: 1, maxLength: 70 }).map((b): Json => Buffer.from(b).toString('hex')),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b): Json => Buffer.from(b).toString('hex')),
  fc
    .array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)), { maxLength: 5 })
    .map((a): Json => a),
  fc
    .dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), {
      maxKeys: 4,
    })
    .map((o): Json => o),
);

/** Keys for unknown fields; `__proto__` and friends as JSON.parse makes them: own properties. */
const unknownKey = fc.oneof(
  fc.constantFrom(
    'extra',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'signature2',
    'Format',
    'x'.repeat(300),
  ),
  // monikers of the fixtures' participants: an extra entry in a record keyed by moniker
  fc.constantFrom('alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'p1', 'p3'),
  fc.string({ maxLength: 12 }),
);

export type Op =
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'reshape'; at: number; how: 'upper' | 'flip' | 'longer' | 'shorter' | 'swapcase-one'; pos: number }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json }
  | { kind: 'duplicate'; at: number; index: number }
  | { kind: 'truncate'; at: number; length: number }
  | { kind: 'extend'; at: number; count: number; weird?: Json }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'copy'; at: number; key: string }
  | { kind: 'swap'; at: number; donor: number }
  | { kind: 'root'; value: Json }
  | { kind: 'root-donor'; donor: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: weirdValue }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reshape' as const),
      at: fc.nat(),
      how: fc.constantFrom(
        'upper' as const,
        'flip' as const,
        'longer' as const,
        'shorter' as const,
        'swapcase-one' as const,
      ),
      pos: fc.nat(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: unknownKey, value: weirdValue }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), index: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), length: fc.nat({ max: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extend' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 3 }),
      weird: fc.option(weirdValue, { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), key: unknownKey }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), at: fc.nat(), key: unknownKey }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), donor: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('root' as const),
      value: fc.oneof(weirdValue, fc.constantFrom<Json>([], [{}], 'x', 42, null, true)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('root-donor' as const), donor: fc.nat() }) },
);

/** One to three mutations, applied in order. */
export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 3 });

function paths(v: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...prefix, k], out);
  return out;
}

function get(v: Json, p: Path): Json | undefined {
  let cur: Json | undefined = v;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.hasOwn(cur, k) ? (cur as Record<string | number, Json>)[k] : undefined;
  }
  return cur;
}

/** Sets an own property, as JSON.parse would (so `__proto__` is a key, not the prototype). */
function setOwn(obj: Json[] | { [k: string]: Json }, key: string | number, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Replaces the value at path p (the root if p is empty); returns the new root. */
function put(root: Json, p: Path, value: Json): Json {
  if (!p.length) return value;
  const parent = get(root, p.slice(0, -1)) as Json[] | { [k: string]: Json };
  setOwn(parent, p[p.length - 1], value);
  return root;
}

function reshape(s: string, how: string, pos: number): string {
  if (how === 'upper') return s.toUpperCase() === s ? s + 'A' : s.toUpperCase();
  if (how === 'longer') return s + (s.slice(0, 2) || '00');
  if (how === 'shorter') return s.slice(0, Math.max(0, s.length - 2));
  if (!s.length) return 'a';
  const i = pos % s.length;
  if (how === 'swapcase-one')
    return s.slice(0, i) + (s[i] === s[i].toUpperCase() ? s[i].toLowerCase() : s[i].toUpperCase()) + s.slice(i + 1);
  // flip: another lowercase hex digit (keeps the shape, changes the value)
  const c = '0123456789abcdef'[('0123456789abcdef'.indexOf(s[i]) + 1 + (pos % 15)) % 16];
  return s.slice(0, i) + c + s.slice(i + 1);
}

/** Applies the mutations to a deep copy of `value`; donors are other valid artifacts to swap from. */
export function mutate(value: Json, ops: Op[], donors: Json[]): Json {
  let root: Json = structuredClone(value);
  for (const op of ops) {
    const all = paths(root);
    const pick = (at: number, ok: (v: Json, p: Path) => boolean) => {
      const c = all.filter((p) => ok(get(root, p)!, p));
      return c.length ? c[at % c.length] : undefined;
    };
    const isObj = (v: Json) => v !== null && typeof v === 'object' && !Array.isArray(v);
    switch (op.kind) {
      case 'replace': {
        root = put(root, all[op.at % all.length], structuredClone(op.value));
        break;
      }
      case 'reshape': {
        const p = pick(op.at, (v) => typeof v === 'string');
        if (p) root = put(root, p, reshape(get(root, p) as string, op.how, op.pos));
        break;
      }
      case 'delete': {
        const p = pick(op.at, (_, p) => p.length > 0);
        if (!p) break;
        const parent = get(root, p.slice(0, -1)) as Json[] | Record<string, Json>;
        if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
        else delete parent[p[p.length - 1]];
        break;
      }
      case 'add': {
        const p = pick(op.at, isObj);
        if (p) setOwn(get(root, p) as Record<string, Json>, op.key, structuredClone(op.value));
        break;
      }
      case 'rename': {
        const p = pick(op.at, (v, p) => p.length > 0 && isObj(get(root, p.slice(0, -1))!) && v !== undefined);
        if (!p) break;
        const parent = get(root, p.slice(0, -1)) as Record<string, Json>;
        const v = parent[p[p.length - 1]];
        delete parent[p[p.length - 1]];
        setOwn(parent, op.key, v);
        break;
      }
      case 'copy': {
        // a field's value copied under another key of the same object (a duplicated record entry)
        const p = pick(op.at, (_, p) => p.length > 0 && isObj(get(root, p.slice(0, -1))!));
        if (p) setOwn(get(root, p.slice(0, -1)) as Record<string, Json>, op.key, structuredClone(get(root, p)!));
        break;
      }
      case 'duplicate': {
        const p = pick(op.at, (v) => Array.isArray(v) && v.length > 0);
        if (p) {
          const a = get(root, p) as Json[];
          a.splice(op.index % a.length, 0, structuredClone(a[op.index % a.length]));
        }
        break;
      }
      case 'truncate': {
        const p = pick(op.at, (v) => Array.isArray(v) && v.length > 0);
        if (p) (get(root, p) as Json[]).length = Math.min(op.length, (get(root, p) as Json[]).length - 1);
        break;
      }
      case 'extend': {
        const p = pick(op.at, (v) => Array.isArray(v));
        if (p) {
          const a = get(root, p) as Json[];
          for (let i = 0; i < op.count; i++)
            a.push(structuredClone(op.weird !== undefined || !a.length ? (op.weird ?? null) : a[i % a.length]));
        }
        break;
      }
      case 'swap': {
        if (!donors.length) break;
        const donor = donors[op.at % donors.length];
        const p = all[op.at % all.length];
        const v = get(donor, p);
        root = put(root, p, structuredClone(v === undefined ? donor : v));
        break;
      }
      case 'root':
        root = structuredClone(op.value);
        break;
      case 'root-donor':
        if (donors.length) root = structuredClone(donors[op.donor % donors.length]);
        break;
    }
  }
  return root;
}

/** Whether a mutation changed the document (canonical JSON differs). */
export function changed(a: Json, b: Json): boolean {
  return jcs(a) !== jcs(b);
}

/** Every problem is an SssError that names a file and reads as one line. */
export function expectLocatedErrors(errors: unknown[], files?: Set<string>): void {
  for (const e of errors) {
    expect(e, String(e)).toBeInstanceOf(SssError);
    const s = e as SssError;
    expect(s.file, `no file in: ${s.message}`).toBeTruthy();
    if (files) expect(files.has(s.file!), `unknown file ${s.file} in: ${s.message}`).toBe(true);
    expect(s.message, 'a one-line message').not.toMatch(/[\r\n]/);
  }
}

/** Runs f; a throw must be an SssError with a one-line message. Returns the error, if any. */
export function onlySssError(f: () => unknown, wantFile = false): SssError | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof SssError))
      throw new Error(
        `escaped a non-SssError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`,
      );
    expect(e.message, 'a one-line message').not.toMatch(/[\r\n]/);
    if (wantFile) expect(e.file, `no file in: ${e.message}`).toBeTruthy();
    return e;
  }
}

/** The fast-check budget per property: bounded so each file stays well under 20 s. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
