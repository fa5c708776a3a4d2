/**
 * The review workflow end to end: a corpus built from the generated fixtures with eight known
 * deviations is delivered, signed, to a real node:http receiver that captures it (so redaction is
 * exercised); spec:learn reads the capture file and must propose exactly those eight changes with
 * their evidence; the learned spec lints, regenerates, its validators accept every delivery of the
 * corpus in strict mode (where today's reject or warn), and spec:diff calls the change additive.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as current from '../generated/typescript/src/index.js';
import { generateAll, writeAll } from '../generator/generate.js';
import { diffSpecs, type SpecDiff } from '../generator/spec-diff/diff.js';
import { renderReport } from '../generator/spec-diff/cli.js';
import { learnSpec, type LearnRun } from '../generator/spec-learn/cli.js';
import { ROOT } from './helpers.js';
import { chameleonId, hmacHex, NOW, SECRET } from './verify-deliveries.js';

const WORK = path.join(ROOT, '.tmp');
mkdirSync(WORK, { recursive: true });
const dir = mkdtempSync(path.join(WORK, 'learn-e2e-'));
const CAPTURE = path.join(dir, 'capture.jsonl');
const PERSONAL_EMAIL = 'sam.rivera@customer.io';

type Payload = Record<string, any>;

/** An edit that sets `value` at `path` (dot-separated) of a payload. */
function set(path: string, value: unknown): (p: Payload) => void {
  const keys = path.split('.');
  return (payload) => {
    let target = payload;
    for (const key of keys.slice(0, -1)) target = target[key];
    target[keys[keys.length - 1]!] = value;
  };
}
const fixture = (topic: string, name: string): Payload =>
  JSON.parse(readFileSync(path.join(ROOT, 'generated/fixtures/payloads', topic, `${name}.json`), 'utf8'));

/** The corpus: [topic, fixture, the deviations applied to it]. */
function corpus(): Payload[] {
  const out: Payload[] = [];
  const add = (topic: string, name: string, ...edits: Array<(p: Payload) => void>) => {
    const payload = fixture(topic, name);
    for (const edit of edits) edit(payload);
    out.push(payload);
  };
  // 1. a new property, in every Tour; 2. a widened number, in two of three profiles.
  const tour = set('data.tour.locale', 'en-US');
  const decimal = set('data.profile.last_seen_session_count', 83.5);
  add('tour.completed', 'docs-example', tour, decimal);
  add('tour.completed', 'full', tour, decimal);
  add('tour.completed', 'minimal', tour);
  // 4. a new topic, carrying known models (with the new Tour property) and a key of its own.
  for (const reason of ['admin', 'api']) {
    add('tour.completed', 'docs-example', (p) => {
      p.kind = 'tour.reset';
      p.data = { profile: p.data.profile, tour: { ...p.data.tour, locale: 'fr-FR' }, reset_reason: reason };
    });
  }
  // 3. a new value of a closed enum (Embed.style is banner | card).
  add('embed.started', 'docs-example');
  add('embed.started', 'full', set('data.embed.style', 'modal'));
  add('embed.started', 'minimal');
  // 5. a property absent half the time; 6. a nested new object (half the time too).
  const audience = set('data.survey.audience_size', 250);
  const placement = set('data.step.placement', { selector: '#pricing', offset: 12 });
  add('survey.started', 'docs-example', audience, placement);
  add('survey.started', 'full', audience);
  add('survey.started', 'minimal', placement);
  add('survey.started', 'profile-last-seen-at-null');
  // 7. an array of a new model (objects with a Chameleon id), in two of three demos.
  const chapters = set('data.demo.chapters', [
    { id: chameleonId(0xc1), title: 'Intro', position: 1 },
    { id: chameleonId(0xc2), title: 'Pricing', position: 2 },
  ]);
  add('demo.started', 'docs-example', chapters);
  add('demo.started', 'full', chapters);
  add('demo.started', 'minimal');
  // 8. a personal field, which capture must redact (and spec:learn still type).
  add('response.finished', 'docs-example', set('data.response.respondent_email', PERSONAL_EMAIL));
  add('response.finished', 'full');
  return out.map((payload, index) => ({
    ...payload,
    id: chameleonId(0x1000 + index),
    sent_at: new Date(NOW - (out.length - index) * 1000).toISOString(),
  }));
}

const deliveries = corpus();
let server: Server;
let run: LearnRun;
let diff: SpecDiff;
let regenerated: typeof current;

async function captureCorpus(): Promise<void> {
  server = createServer(
    current.createNodeHandler({
      secret: SECRET,
      now: NOW,
      capture: { record: 'all', write: current.captureFile(CAPTURE) },
      onNonconforming: () => {},
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (const payload of deliveries) {
    const body = JSON.stringify(payload);
    const headers = { 'content-type': 'application/json', 'x-chameleon-signature': hmacHex(body, SECRET) };
    const response = await fetch(url, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
  }
  for (let i = 0; i < 100 && readFileSync(CAPTURE, 'utf8').split('\n').length <= deliveries.length; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

beforeAll(async () => {
  await captureCorpus();
  run = await learnSpec([CAPTURE], { outDir: path.join(dir, 'spec') });
  diff = diffSpecs(run.before, run.after);
  const files = await generateAll(run.after);
  await writeAll(files, { generated: path.join(dir, 'generated'), docs: path.join(dir, 'docs') });
  regenerated = await import(path.join(dir, 'generated/typescript/src/index.ts'));
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const source = (index: number) => `${path.relative(process.cwd(), CAPTURE)}:${index + 1}`;
const seenAt = (index: number) => {
  const line = JSON.parse(readFileSync(CAPTURE, 'utf8').split('\n')[index]!);
  return line.received_at as string;
};
/** Evidence for deliveries matching `has`, out of those matching `of`, the first example at `pointer`. */
function evidence(
  change: string,
  has: (p: Payload) => boolean,
  of: (p: Payload) => boolean,
  pointer: string,
) {
  const hits = deliveries.map((p, i) => (has(p) ? i : -1)).filter((i) => i >= 0);
  return {
    change,
    deliveries: hits.length,
    of: deliveries.filter(of).length,
    firstSeen: seenAt(hits[0]!),
    lastSeen: seenAt(hits[hits.length - 1]!),
    example: `${source(hits[0]!)}#${pointer}`,
  };
}

describe('capture of the corpus', () => {
  it('keeps every delivery, with the personal data redacted', () => {
    const text = readFileSync(CAPTURE, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(deliveries.length);
    expect(text).not.toContain(PERSONAL_EMAIL);
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain(hmacHex(JSON.stringify(deliveries[0]), SECRET));
  });
});

describe('spec:learn on the capture', () => {
  it('proposes exactly the eight deviations, with their evidence', () => {
    const data = (p: Payload) => p.data ?? {};
    const proposals = run.proposals.map(({ change, file, pointer, evidence: e }) => ({
      change,
      file,
      pointer,
      evidence: e,
    }));
    expect(proposals).toEqual([
      {
        change: 'property',
        file: 'models/demo.json',
        pointer: '/properties/chapters',
        evidence: evidence(
          'property',
          (p) => !!data(p).demo?.chapters,
          (p) => !!data(p).demo,
          '/data/demo/chapters',
        ),
      },
      {
        change: 'property',
        file: 'models/microsurvey.json',
        pointer: '/properties/audience_size',
        evidence: evidence(
          'property',
          (p) => data(p).survey?.audience_size !== undefined,
          (p) => !!data(p).survey,
          '/data/survey/audience_size',
        ),
      },
      {
        change: 'property',
        file: 'models/response.json',
        pointer: '/properties/respondent_email',
        evidence: {
          ...evidence(
            'property',
            (p) => !!data(p).response?.respondent_email,
            (p) => !!data(p).response,
            '/data/response/respondent_email',
          ),
          format: 'email',
        },
      },
      {
        change: 'property',
        file: 'models/step.json',
        pointer: '/properties/placement',
        evidence: evidence(
          'property',
          (p) => !!data(p).step?.placement,
          (p) => !!data(p).step || data(p).survey?.steps?.length > 0,
          '/data/step/placement',
        ),
      },
      {
        change: 'property',
        file: 'models/tour.json',
        pointer: '/properties/locale',
        evidence: evidence(
          'property',
          (p) => !!data(p).tour?.locale,
          (p) => !!data(p).tour,
          '/data/tour/locale',
        ),
      },
      {
        change: 'enum-values',
        file: 'models/embed.json',
        pointer: '/properties/style',
        evidence: evidence(
          'enum-values',
          (p) => data(p).embed?.style === 'modal',
          (p) => data(p).embed?.style !== undefined,
          '/data/embed/style',
        ),
      },
      {
        change: 'type-widened',
        file: 'models/profile.json',
        pointer: '/properties/last_seen_session_count',
        evidence: evidence(
          'type-widened',
          (p) => data(p).profile?.last_seen_session_count === 83.5,
          (p) => data(p).profile?.last_seen_session_count !== undefined,
          '/data/profile/last_seen_session_count',
        ),
      },
      {
        change: 'topic',
        file: 'topics/tour.reset.json',
        pointer: '',
        evidence: evidence(
          'topic',
          (p) => p.kind === 'tour.reset',
          (p) => p.kind === 'tour.reset',
          '',
        ),
      },
      {
        change: 'model',
        file: 'models/chapter.json',
        pointer: '',
        evidence: evidence(
          'model',
          (p) => !!data(p).demo?.chapters,
          (p) => !!data(p).demo?.chapters,
          '/data/demo/chapters/0',
        ),
      },
    ]);
  });

  it('writes the schemas it inferred: types, formats as refs, required only inside new things', () => {
    const schema = (file: string) => JSON.parse(readFileSync(path.join(run.outDir, file), 'utf8'));
    const { properties: step } = schema('models/step.json');
    expect(step.placement).toMatchObject({
      type: 'object',
      required: ['selector', 'offset'],
      properties: { selector: { type: 'string' }, offset: { type: 'integer' } },
    });
    expect(schema('models/demo.json').properties.chapters).toMatchObject({
      type: 'array',
      items: { $ref: '../models/chapter.json' },
    });
    expect(schema('models/chapter.json')).toMatchObject({
      title: 'Chapter',
      required: ['id', 'title', 'position'],
      properties: { id: { $ref: '../common.json#/definitions/ChameleonId' }, position: { type: 'integer' } },
    });
    expect(schema('models/profile.json').properties.last_seen_session_count.type).toBe('number');
    expect(schema('models/embed.json').properties.style.enum).toEqual(['banner', 'card', 'modal']);
    expect(schema('models/microsurvey.json').properties.audience_size).toMatchObject({ type: 'integer' });
    expect(schema('models/tour.json').required ?? []).not.toContain('locale');
    const topic = schema('topics/tour.reset.json');
    expect(topic.properties.data).toMatchObject({
      title: 'TourResetData',
      required: ['profile', 'tour', 'reset_reason'],
      properties: {
        profile: { $ref: '../models/profile.json' },
        tour: { $ref: '../models/tour.json' },
        reset_reason: { type: 'string' },
      },
    });
    expect(schema('api.json').topics.at(-1)).toMatchObject({
      kind: 'tour.reset',
      models: ['Profile', 'Tour'],
      inTopicTable: false,
    });
    expect(schema('api.json').specVersion).toBe('1.0');
    const learned = readFileSync(path.join(run.outDir, 'topics/tour.reset.json'), 'utf8');
    expect(learned).not.toContain('jane@example.com'); // the example is the redacted capture
    expect(readFileSync(path.join(run.outDir, 'models/response.json'), 'utf8')).not.toContain(PERSONAL_EMAIL);
  });

  it('leaves to a person what it will not decide, and nothing else', () => {
    expect(run.human.map((note) => [note.where, note.what])).toEqual([
      [
        'spec/models/tour.json#/properties/locale',
        expect.stringMatching(/^seen in every one of 5 values: making it required is a breaking change/),
      ],
    ]);
    expect(run.unreadable).toEqual([]);
  });

  it('writes a CHANGELOG section listing every additive change with its evidence', () => {
    const changelog = readFileSync(path.join(run.outDir, 'CHANGELOG.md'), 'utf8');
    const section = changelog.slice(changelog.indexOf('## 1.0'), changelog.indexOf('## 0.0'));
    for (const change of diff.changes.filter((c) => c.level === 'additive'))
      expect(section).toContain(`- \`${change.path}\``);
    expect(section).toMatch(
      /`model Tour#locale`: optional property added\. Evidence: 5 of 5 deliveries, .* e\.g\. `.*capture\.jsonl:1#\/data\/tour\/locale`/,
    );
    expect(section).toMatch(/`model Response#respondent_email`: .* values look like email\./);
    // The packages' CHANGELOG.md is generated from it, evidence included.
    const packaged = readFileSync(path.join(dir, 'generated/typescript/CHANGELOG.md'), 'utf8');
    expect(packaged).toMatch(/`model Tour#locale`: optional property added\. Evidence: 5 of 5 deliveries/);
  });

  it('the reference docs show the evidence beside each learned field, model and topic', () => {
    const page = (file: string) => readFileSync(path.join(dir, 'docs', file), 'utf8');
    expect(page('models/Tour.md')).toMatch(
      /\| `locale` \| string \| no \| Undocumented: .*\*Learned from captured deliveries \(property\): seen in 5 of 5, /,
    );
    expect(page('models/Response.md')).toMatch(
      /`respondent_email`.*every value looked like email \(not asserted\)/,
    );
    expect(page('models/Chapter.md')).toContain('*Learned from captured deliveries (model): seen in 2 of 2');
    expect(page('topics/tour.reset.md')).toContain(
      '*Learned from captured deliveries (topic): seen in 2 of 2',
    );
  });
});

describe('the learned spec', () => {
  it('spec:diff reports only additive changes (and the evidence as documentation)', () => {
    expect(diff.level).toBe('additive');
    expect(diff.changes.filter((c) => c.level === 'breaking')).toEqual([]);
    expect(
      diff.changes
        .filter((c) => c.level === 'additive')
        .map((c) => c.path)
        .sort(),
    ).toEqual(
      [
        'model Chapter',
        'model Demo#chapters',
        'model Embed#style',
        'model Microsurvey#audience_size',
        'model Profile#last_seen_session_count',
        'model Response#respondent_email',
        'model Step#placement',
        'model Tour#locale',
        'topic tour.reset',
      ].sort(),
    );
  });

  it('regenerated, its validators accept every delivery of the corpus in strict mode, where today’s do not', () => {
    const strict = { mode: 'strict', unknownTopics: 'reject' } as const;
    const captured = readFileSync(CAPTURE, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(JSON.parse(line).body));
    for (const body of [...deliveries, ...captured]) {
      const result = regenerated.validateWebhook(body, strict);
      expect(result.ok, `${body.kind} ${body.id}: ${JSON.stringify(!result.ok && result.errors)}`).toBe(true);
      expect(result.ok && result.known).toBe(true);
      expect(result.warnings).toEqual([]);
    }
    const today = deliveries.filter((body) => {
      const result = current.validateWebhook(body, strict);
      return !result.ok || result.warnings.length > 0;
    });
    expect(today.length).toBe(deliveries.length - deliveries.filter((p) => isUntouched(p)).length);
  });

  it('the markdown comment for the corpus', async () => {
    const markdown = await renderReport(diff, run.before, run.after, 'markdown');
    writeFileSync(path.join(WORK, 'spec-learn-e2e-comment.md'), markdown);
    expect(markdown).toMatch(
      /^## spec:diff 0\.0 → 1\.0\n\n\*\*additive\*\* \(0 breaking, 9 additive, \d+ patch\): the policy requires MINOR; the spec declares MINOR \(0\.0 → 1\.0\) ✅/,
    );
    expect(markdown).toContain('### topic tour.reset (`spec/topics/tour.reset.json`)');
    expect(markdown).toMatch(/### generated\/: \d+ files changed/);
  });
});

/** Deliveries without any deviation: they conform today already. */
function isUntouched(p: Payload): boolean {
  const d = p.data;
  return !(
    d.tour?.locale ||
    d.profile?.last_seen_session_count === 83.5 ||
    d.embed?.style === 'modal' ||
    d.survey?.audience_size !== undefined ||
    d.step?.placement ||
    d.demo?.chapters ||
    d.response?.respondent_email
  );
}
