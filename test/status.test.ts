/**
 * A ceremony's status for people: standings and next commands from a report, and the Markdown
 * that carries them (escaping, and who gets mentioned). Reports are made here as data; the
 * end-to-end run through the Action and the stand-in is tracking.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SssError } from '../src/errors.js';
import { isLogin, mdCode, mdText, mention, userLink } from '../src/ceremony/markdown.js';
import { ceremonyStatus, nextStepText, OpenPull, parseStepBranch, Where } from '../src/ceremony/next-steps.js';
import {
  nextStepMarkdown,
  roundOpenedMarkdown,
  statusText,
  trackingBodyMarkdown,
} from '../src/ceremony/status-render.js';
import { renderMarkdown } from '../src/ceremony/render.js';
import { Report, Row, StepState } from '../src/ceremony/report.js';

const W: Where = { ceremoniesDir: 'ceremonies', defaultBranch: 'main', upstream: 'https://github.com/o/r.git' };

function dkg(
  phase: Report['phase'],
  rows: [string, string | undefined, StepState, StepState, StepState][],
  participants = rows.length,
): Report {
  return {
    ceremony: 'genesis',
    kind: 'dkg',
    phase,
    threshold: 2,
    participants,
    steps: ['round1', 'round2', 'finalize'],
    rows: rows.map(([moniker, github, round1, round2, finalize]): Row => ({
      moniker,
      github,
      steps: { round1, round2, finalize },
    })),
    awaiting: '',
    errors: [],
  };
}

const pull = (moniker: string, step: string, number: number, author = moniker): OpenPull => ({
  number,
  url: `https://github.com/o/r/pull/${number}`,
  author,
  ceremony: 'genesis',
  step,
  moniker,
});

/** Every @login that GitHub would turn into a mention: not inside a link's text or a code span. */
function mentions(md: string): string[] {
  const bare = md.replace(/`+[^`]*`+/g, '').replace(/\[[^\]]*\]\([^)]*\)/g, '');
  return [...bare.matchAll(/(?:^|[^\w`])@([A-Za-z0-9-]+)/g)].map((m) => m[1]);
}

describe('Markdown escaping', () => {
  it('the escaping helpers (markdown.ts, from the github branch) leave hostile text inert', () => {
    const hostile = 'x](https://evil.example) <img src=x onerror=alert(1)> | cell @alice #12 **b** \u202e';
    for (const t of [mdText(hostile), mdCode(hostile)]) {
      expect(mentions(t)).toEqual([]);
      expect(t).not.toContain('\u202e');
      expect(t).not.toContain('<img');
      expect(t).not.toMatch(/(?<!\\)\|/);
    }
  });

  it('names a login with a link (no notification) and mentions only valid logins', () => {
    expect(userLink('alice-1')).toBe('[@alice-1](https://github.com/alice-1)');
    expect(userLink('x](y) @bob')).toBe('<code>x&#93;&#40;y&#41; &#64;bob</code>');
    expect(mention('alice')).toBe('@alice');
    expect(() => mention('alice bob')).toThrow(/not a GitHub login/);
    expect(isLogin('-a')).toBe(false);
    expect(isLogin('a--b')).toBe(false);
  });

  it('the round table of the pull-request comment names logins without mentioning anyone', () => {
    const md = renderMarkdown(
      dkg('round2', [
        ['alice', 'alice', 'done', 'done', '-'],
        ['bob', 'bob', 'done', 'awaited', '-'],
      ]),
    );
    expect(md).toContain('[@alice](https://github.com/alice)');
    expect(mentions(md)).toEqual([]);
  });
});

describe('next steps', () => {
  it('parses only the branches --submit makes', () => {
    expect(parseStepBranch('ceremony/genesis/round2/bob')).toEqual({
      ceremony: 'genesis',
      step: 'round2',
      moniker: 'bob',
    });
    expect(parseStepBranch('ceremony/genesis/round9/bob')).toBeUndefined();
    expect(parseStepBranch('feature/x')).toBeUndefined();
    expect(parseStepBranch('ceremony/genesis/round2/Bob')).toBeUndefined();
  });

  it('tells merged, pull request open, and not submitted apart, with the commands for the awaited', () => {
    const r = dkg('round2', [
      ['alice', 'alice', 'done', 'done', '-'],
      ['bob', 'bob', 'done', 'awaited', '-'],
      ['carol', 'carol', 'done', 'awaited', '-'],
    ]);
    const s = ceremonyStatus(r, [pull('bob', 'round2', 7), pull('carol', 'round1', 3)], W);
    expect(s.step).toBe('round2');
    expect(s.rows.map((p) => p.standing)).toEqual(['done', 'pull-request', 'not-submitted']);
    expect(s.rows[1].pull?.number).toBe(7);
    expect(s.rows[1].commands).toBeUndefined();
    expect(s.rows[2].commands).toEqual([
      'git switch main',
      'git pull --ff-only https://github.com/o/r.git main',
      'sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit',
    ]);
    expect(s.awaited.map((p) => p.moniker)).toEqual(['bob', 'carol']);
    expect(s.round).toBe('round2:round2');
    expect(nextStepText(s)).toBe(
      'round 2 from bob, carol; each of them runs: sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit',
    );
  });

  it('ignores a pull request whose author is not the participant', () => {
    const r = dkg('round2', [['bob', 'bob', 'done', 'awaited', '-']]);
    expect(ceremonyStatus(r, [pull('bob', 'round2', 9, 'mallory')], W).rows[0].standing).toBe('not-submitted');
  });

  it('round 1 counts the participants not known yet, and shows the open round-1 pull requests as rows', () => {
    const r = dkg('round1', [['alice', 'alice', 'done', '-', '-']], 4);
    const s = ceremonyStatus(r, [pull('dave', 'round1', 4, 'dave-gh')], W);
    expect(s.rows.map((p) => [p.moniker, p.github, p.standing])).toEqual([
      ['alice', 'alice', 'done'],
      ['dave', 'dave-gh', 'pull-request'],
    ]);
    expect(s.unnamed).toBe(2);
    expect(s.unnamedCommands?.[2]).toBe(
      'sss-tool dkg-round1 --threshold 2 --participants 4 --ceremony genesis --submit',
    );
  });

  it('a join in its approvals phase waits for the approvers who have not approved, with the approve command', () => {
    const r: Report = {
      ceremony: 'join-frank',
      kind: 'join',
      phase: 'approvals',
      threshold: 2,
      steps: ['request', 'approval', 'finalize'],
      rows: [
        { moniker: 'frank', github: 'frank-gh', steps: { request: 'done', approval: '-', finalize: '-' } },
        { moniker: 'alice', github: 'alice', steps: { request: '-', approval: 'done', finalize: '-' } },
        { moniker: 'bob', github: 'bob', steps: { request: '-', approval: 'awaited', finalize: '-' } },
      ],
      awaiting: 'approvals from bob (1 of 2 received)',
      errors: [],
    };
    const s = ceremonyStatus(r, [], W);
    expect(s.step).toBe('approval');
    expect(s.awaited.map((p) => p.moniker)).toEqual(['bob']);
    expect(s.rows.map((p) => p.standing)).toEqual(['no-step', 'done', 'not-submitted']);
    expect(s.command).toBe('sss-tool approve-participant --request ceremonies/join-frank/request.json --submit');
    expect(mentions(roundOpenedMarkdown(s))).toEqual(['bob']);
  });

  it('a complete ceremony waits for nobody', () => {
    const s = ceremonyStatus(dkg('complete', [['alice', 'alice', 'done', 'done', 'done']]), [], W);
    expect(s.step).toBeUndefined();
    expect(s.awaited).toEqual([]);
    expect(s.round).toBe('complete');
  });
});

describe('tracking issue Markdown', () => {
  const r = dkg('round2', [
    ['alice', 'alice', 'done', 'done', '-'],
    ['bob', 'bob', 'done', 'awaited', '-'],
    ['carol', 'carol', 'done', 'awaited', '-'],
  ]);
  const s = ceremonyStatus(r, [pull('bob', 'round2', 7)], W);

  it('the body mentions nobody, shows each standing and the commands', () => {
    const body = trackingBodyMarkdown(s, 'footer');
    expect(mentions(body)).toEqual([]);
    expect(body).toContain(
      '| bob | [@bob](https://github.com/bob) | ✅ merged | 🔄 [#7](https://github.com/o/r/pull/7) open, not merged | · | nothing: #7 waits for review and merge |',
    );
    expect(body).toContain(
      '| carol | [@carol](https://github.com/carol) | ✅ merged | ⏳ not submitted | · | runs the commands above |',
    );
    expect(body).toContain('sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit');
  });

  it('the round-opening comment mentions exactly those who must act', () => {
    expect(mentions(roundOpenedMarkdown(s))).toEqual(['carol']);
    const fresh = ceremonyStatus(r, [], W);
    expect(mentions(roundOpenedMarkdown(fresh))).toEqual(['bob', 'carol']);
  });

  it('the pull-request line links the issue and mentions nobody', () => {
    const line = nextStepMarkdown(s, { number: 3, url: 'https://github.com/o/r/issues/3' });
    expect(line).toContain('[#3](https://github.com/o/r/issues/3)');
    expect(line).toContain('<code>sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit</code>');
    expect(mentions(line)).toEqual([]);
  });

  it('hostile problems stay inert in the body', () => {
    const bad = {
      ...r,
      phase: 'invalid' as const,
      errors: [
        new SssError('bad <script>alert(1)</script> @everyone', {
          code: 'malformed',
          file: 'ceremonies/genesis/round2/bob.json',
        }),
      ],
    };
    const body = trackingBodyMarkdown(ceremonyStatus(bad, [], W), '');
    expect(body).toContain(
      '- <code>ceremonies/genesis/round2/bob.json&#58; bad &#60;script&#62;alert&#40;1&#41;&#60;/script&#62; &#64;everyone</code>',
    );
    expect(body).not.toMatch(/<script>/);
    expect(mentions(body)).toEqual([]);
  });

  it('the terminal shows the same table and the commands', () => {
    const text = statusText(s);
    expect(text).toContain('bob          @bob    merged  PR #7 open  -');
    expect(text).toContain('    sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit');
  });
});
