/**
 * Genesis ceremonies made by the real CLI (bin/sss-tool.js) in a real git repository, the setup
 * every end-to-end test of a later step starts from. The layout is always `<root>/repo` (the
 * checkout) and `<root>/homes/<moniker>` (each participant's home dir), so a whole genesis can be
 * copied to a new root and keeps working: nothing in it names its own path.
 *
 * `sharedGenesis` builds a given genesis once per test run (vitest's globalSetup provides the
 * run's cache directory, test/support/global-setup.ts) and hands each caller its own fresh copy:
 * several test files start from the same genesis without paying for it again and without seeing
 * each other's changes.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { git, ok, tempDir } from '../helpers.js';

export interface GenesisSpec {
  monikers: readonly string[];
  threshold: number;
  /** The ceremony id; `genesis` when not given. */
  ceremony?: string;
  /** Each participant's --endpoint at initialize (none when not given). */
  endpoint?: (moniker: string) => string;
}

/** The steps after initialize, in order; `publish` writes public_info/. */
export type GenesisStep = 'round1' | 'round2' | 'finalize' | 'publish';
const STEPS: GenesisStep[] = ['round1', 'round2', 'finalize', 'publish'];

export interface CliGenesis {
  root: string;
  repo: string;
  spec: GenesisSpec;
  ceremony: string;
  /** The ceremony's folder in the checkout. */
  dir: string;
  home(moniker: string): string;
  /** `args` followed by the participant's --home and the checkout's --repo. */
  as(moniker: string, args: string[]): string[];
  /** The text of public_info/<file> in the checkout. */
  publicInfo(file: string): string;
}

/** The genesis laid out under `root` (nothing is run or written). */
export function genesisAt(root: string, spec: GenesisSpec): CliGenesis {
  const repo = join(root, 'repo');
  const ceremony = spec.ceremony ?? 'genesis';
  const home = (m: string) => join(root, 'homes', m);
  return {
    root,
    repo,
    spec,
    ceremony,
    dir: join(repo, 'ceremonies', ceremony),
    home,
    as: (m, args) => [...args, '--home', home(m), '--repo', repo],
    publicInfo: (file) => readFileSync(join(repo, 'public_info', file), 'utf8'),
  };
}

/** A fresh git repository at `<root>/repo` and every participant initialized. */
export function initializedGroup(root: string, spec: GenesisSpec): CliGenesis {
  const g = genesisAt(root, spec);
  mkdirSync(g.repo, { recursive: true });
  git(g.repo, 'init', '-q');
  for (const m of spec.monikers) {
    const endpoint = spec.endpoint ? ['--endpoint', spec.endpoint(m)] : [];
    ok(['initialize', '--moniker', m, ...endpoint, '--home', g.home(m)]);
  }
  return g;
}

/** Runs the given genesis steps, each by every participant in turn, in the checkout. */
export function runGenesisSteps(g: CliGenesis, ...steps: GenesisStep[]): void {
  const { monikers, threshold } = g.spec;
  const args: Record<Exclude<GenesisStep, 'publish'>, string[]> = {
    round1: [
      'dkg-round1',
      '--threshold',
      String(threshold),
      '--participants',
      String(monikers.length),
      '--ceremony',
      g.ceremony,
    ],
    round2: ['dkg-round2', '--commitments', join(g.dir, 'round1')],
    finalize: ['dkg-finalize', '--shares', join(g.dir, 'round2')],
  };
  for (const step of steps) {
    if (step === 'publish') ok(['publish', '--ceremony', g.ceremony, '--repo', g.repo], { cwd: g.repo });
    else for (const m of monikers) ok(g.as(m, args[step]), { cwd: g.repo });
  }
}

/** A whole genesis through the CLI under `root`, up to and including `until` (published by default). */
export function genesisThroughCli(root: string, spec: GenesisSpec, until: GenesisStep = 'publish'): CliGenesis {
  const g = initializedGroup(root, spec);
  runGenesisSteps(g, ...STEPS.slice(0, STEPS.indexOf(until) + 1));
  return g;
}

/** A copy of a genesis (or of any root laid out like one) under a fresh temp dir. */
export function copyGenesis(from: CliGenesis, prefix = 'sss-genesis-copy-'): CliGenesis {
  const root = tempDir(prefix);
  cpSync(from.root, root, { recursive: true });
  return genesisAt(root, from.spec);
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory that lives as long as the test run, for fixtures built once (global-setup.ts). */
    fixtureCache: string;
  }
}

/**
 * A fresh copy of the genesis `spec` made through the CLI up to `until`, built at most once per
 * test run. The first caller builds it in the run's cache (others wait for it); every caller gets
 * its own copy. Without the run's cache (another vitest config), each caller builds its own.
 */
export async function sharedGenesis(
  spec: GenesisSpec,
  until: GenesisStep = 'publish',
  prefix = 'sss-genesis-',
): Promise<CliGenesis> {
  const cache = inject('fixtureCache');
  if (!cache) return genesisThroughCli(tempDir(prefix), spec, until);
  const key = createHash('sha256')
    .update(JSON.stringify({ ...spec, endpoint: spec.monikers.map((m) => spec.endpoint?.(m) ?? null), until }))
    .digest('hex')
    .slice(0, 16);
  const built = join(cache, key);
  const failed = join(cache, `${key}.failed`);
  let mine = false;
  try {
    mkdirSync(join(cache, `${key}.lock`));
    mine = true;
  } catch {
    // Another test file is building it (or has built it).
  }
  if (mine) {
    const building = join(cache, `${key}.building`);
    try {
      genesisThroughCli(building, spec, until);
      renameSync(building, built);
    } catch (e) {
      writeFileSync(failed, String((e as Error).stack ?? e));
      rmSync(building, { recursive: true, force: true });
      throw e;
    }
  }
  for (const started = Date.now(); !existsSync(built); await sleep(100)) {
    if (existsSync(failed)) throw new Error(`the shared genesis failed to build:\n${readFileSync(failed, 'utf8')}`);
    if (Date.now() - started > 300_000) throw new Error(`the shared genesis in ${built} was not built within 300 s`);
  }
  return copyGenesis(genesisAt(built, spec), prefix);
}

/** The five holders of the usual group, each serving at https://<moniker>.example. */
export const FIVE_HOLDERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
export const exampleEndpoint = (m: string) => `https://${m}.example`;

/** A 3-of-5 genesis of alice … erin made through the CLI and published: a fresh copy of the run's one. */
export function published3of5Genesis(prefix?: string): Promise<CliGenesis> {
  return sharedGenesis({ monikers: FIVE_HOLDERS, threshold: 3, endpoint: exampleEndpoint }, 'publish', prefix);
}
