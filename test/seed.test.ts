/**
 * The spec covers the vendor's current page: every topic in its table, plus the one documented only by
 * example, and a correction on record for every defect of the page's examples. The page is read from
 * test/vendor-page/overview.json (`npm run vendor:extract -- <seed file>` writes it), never from outside
 * the repository.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SpecModel } from '../generator/model.js';
import {
  defectsOf,
  extractVendorPage,
  VENDOR_PAGE_FILE,
  type VendorPage,
} from '../scripts/extract-vendor-page.js';
import { loadModel } from '../generator/pipeline.js';

const readVendorPage = async (): Promise<VendorPage> => JSON.parse(await readFile(VENDOR_PAGE_FILE, 'utf8'));

describe('the spec against the current seed page', () => {
  let model: SpecModel;
  let page: VendorPage;
  let tableTopics: string[];
  beforeAll(async () => {
    model = await loadModel();
    page = await readVendorPage();
    tableTopics = page.topicTable;
  });

  it('reads 26 topics from the seed table', () => {
    expect(tableTopics).toHaveLength(26);
  });

  it('has a schema with at least one example for every topic in the table, in the table order', () => {
    const inTable = model.topics.filter((topic) => topic.inTopicTable).map((topic) => topic.topic);
    expect(inTable).toEqual(tableTopics);
    for (const topic of model.topics) expect(topic.examples.length, topic.topic).toBeGreaterThan(0);
  });

  it('adds demo.email.added, documented by example only, marked as outside the table', () => {
    const extra = model.topics.filter((topic) => !tableTopics.includes(topic.topic));
    expect(extra.map((topic) => [topic.topic, topic.inTopicTable])).toEqual([['demo.email.added', false]]);
  });

  it('gives every example the kind of its topic', () => {
    for (const topic of model.topics) {
      for (const example of topic.examples)
        expect(example.payload.kind, `${topic.topic} ${example.name}`).toBe(topic.topic);
    }
  });

  it('records each erratum the seeds README lists, on the topic it corrects', () => {
    const errataOf = (topic: string) => model.topics.find((t) => t.topic === topic)!.errata.join('\n');
    expect(errataOf('helpbar.item.error')).toMatch(/helpbar\.item\.action/);
    expect(errataOf('demo.form.submitted')).toMatch(/demo\.finished/);
    expect(errataOf('demo.form.submitted')).toMatch(/bracket/i);
    expect(errataOf('survey.snoozed')).toMatch(/deferred_until/);
    expect(errataOf('tour.button.clicked')).toMatch(/comment/i);
    expect(errataOf('embed.snoozed')).toMatch(/trailing comma/i);
  });

  it('keeps the seed examples free of placeholders and mojibake', () => {
    for (const topic of model.topics) {
      const text = JSON.stringify(topic.examples);
      expect(text, topic.topic).not.toContain('...');
      expect(text, topic.topic).not.toMatch(/ð|Ã/);
    }
  });

  it('carries the facts of the current page: v3, ±300 s both ways, 7 s timeout, 9 retries over 43 h', () => {
    const { outgoing } = model.api;
    expect(model.api.apiVersion).toBe('v3');
    expect(outgoing.replayWindow).toMatchObject({
      toleranceSeconds: 300,
      direction: 'both',
      field: 'sent_at',
    });
    expect(outgoing.delivery).toMatchObject({ timeoutSeconds: 7, retries: 9, retrySpanHours: 43 });
    expect(outgoing.signature).toMatchObject({ header: 'X-Chameleon-Signature', algorithm: 'HMAC-SHA256' });
    expect(new RegExp(outgoing.userAgent.pattern).exec(outgoing.userAgent.example)?.[1]).toBe('v3');
  });
  it('has an example on the page for every topic in the table, and for no other topic', () => {
    const exampled = new Set(page.examples.flatMap((example) => example.topics));
    expect([...exampled].sort()).toEqual([...tableTopics].sort());
  });

  it('records a correction for every defect of the page examples, on each topic the example serves', () => {
    const errata = new Map(model.topics.map((topic) => [topic.topic, topic.errata.join('\n')]));
    const wanted: Record<string, RegExp> = {
      placeholder: /`\.\.\.`/,
      comment: /comment/i,
      'trailing-comma': /trailing comma/i,
      mojibake: /mojibake/i,
    };
    for (const example of page.examples) {
      for (const topic of example.topics) {
        const label = `${example.anchor} → ${topic}`;
        expect(errata.has(topic), label).toBe(true);
        for (const defect of example.defects)
          if (wanted[defect]) expect(errata.get(topic), `${label}: ${defect}`).toMatch(wanted[defect]);
        // A payload whose `kind` is another topic's (a shared example, or a wrong kind) says which one it was.
        if (example.kind !== topic) expect(errata.get(topic), label).toContain(`${example.kind}`);
      }
    }
  });

  it('carries every page example that is valid as published unchanged', () => {
    const verbatim = page.examples.filter((example) => example.defects.length === 0);
    expect(verbatim.length).toBeGreaterThan(0);
    for (const example of verbatim) {
      const payloads = model.topics
        .find((topic) => topic.topic === example.kind)!
        .examples.map((e) => e.payload);
      expect(payloads, example.anchor).toContainEqual(JSON.parse(example.raw));
    }
  });

  it('carries the page examples whose only defects are placeholders and a wrong kind as sent, with only those corrected', () => {
    // Whose errata record a correction of their data as well: survey.snoozed's deferred_until,
    // demo.reveal's run and demo filled in from demo.started.
    const dataCorrected = new Set(['survey.snoozed', 'demo.reveal']);
    const onlyPlaceholders = page.examples.filter((example) =>
      example.defects.every((defect) => ['placeholder', 'invalid-json', 'kind-mismatch'].includes(defect)),
    );
    const withoutPlaceholders = (raw: string) =>
      raw
        .split('\n')
        .filter((line) => !/^\s*\.\.\.,?\s*$/.test(line))
        .join('\n')
        .replace(/,(\s*[}\]])/g, '$1');
    const checked: string[] = [];
    for (const example of onlyPlaceholders) {
      for (const topic of example.topics.filter((name) => !dataCorrected.has(name))) {
        const sent = { ...JSON.parse(withoutPlaceholders(example.raw)), kind: topic };
        const payloads = model.topics.find((t) => t.topic === topic)!.examples.map((e) => e.payload);
        expect(payloads, `${example.anchor} → ${topic}`).toContainEqual(sent);
        checked.push(topic);
      }
    }
    // helpbar.item.error's example sends `href` and `kinds`: the spec keeps them (issue 14).
    expect(checked).toContain('helpbar.item.error');
    expect(checked.length).toBeGreaterThanOrEqual(10);
  });

  it('sends the request headers of the page, in its order, with its User-Agent', () => {
    const { outgoing } = model.api;
    expect(outgoing.headers.map((header) => header.name)).toEqual(page.headers.map((header) => header.name));
    const userAgent = page.headers.find((header) => header.name === 'User-Agent')!;
    expect(outgoing.userAgent.example).toBe(userAgent.example);
    expect(page.headers.map((header) => header.name)).toContain(outgoing.signature.header);
  });
});

describe('the vendor page data', () => {
  it('is what the extractor reads from the page: kinds and defects follow from the raw text', async () => {
    const page = await readVendorPage();
    expect(page.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const example of page.examples) {
      expect(example.defects, example.anchor).toEqual(defectsOf(example.raw, example.topics));
      expect(example.raw, example.anchor).toContain(`"kind": "${example.kind}"`);
    }
  });

  it('extracts the topic table, the headers and each example of a page', () => {
    const page = [
      '# Overview',
      '#### Webhook topics :id=topics',
      '',
      '| Topic | Example Payload | Description |',
      '|-------|-----------------|-------------|',
      '| `ping` | [example](x) | A check |',
      '| `tour.started` | [example](y) | Started |',
      '',
      '#### Request headers :id=headers',
      '| Header | Example value | Description |',
      '| --- | --- |--- |',
      '| `X-Chameleon-Id` | `5f3c` | The id |',
      '| `X-Chameleon-Signature` | 5a17b.... | The HMAC |',
      '',
      '### Payload Examples',
      '##### Example: `ping` :id=example-ping',
      'Text before.',
      '```json',
      '{',
      '  "id": "1",',
      '  "kind": "ping",',
      '  "data": {}',
      '}',
      '```',
      '##### Example: `tour.started`, `tour.exited` :id=example-tour-all',
      '```json',
      '{',
      '  "kind": "tour.exited",',
      '  "data": { // the tour',
      '    "step": { "body": "ðŸŽ‰" },',
      '    ...',
      '  },',
      '}',
      '```',
      '```json',
      '{',
      '  "kind": "demo.finished"',
      '}',
      '```',
      '## Next section',
      '```json',
      '{ "kind": "not.an.example" }',
      '```',
      '',
    ].join('\n');
    const extracted = extractVendorPage(page, 'seed.txt');
    expect(extracted.source.file).toBe('seed.txt');
    expect(extracted.topicTable).toEqual(['ping', 'tour.started']);
    expect(extracted.headers).toEqual([
      { name: 'X-Chameleon-Id', example: '5f3c' },
      { name: 'X-Chameleon-Signature', example: '5a17b....' },
    ]);
    expect(extracted.examples.map(({ raw, ...rest }) => rest)).toEqual([
      { anchor: 'example-ping', topics: ['ping'], kind: 'ping', defects: [] },
      {
        anchor: 'example-tour-all',
        topics: ['tour.started', 'tour.exited'],
        kind: 'tour.exited',
        defects: ['placeholder', 'comment', 'trailing-comma', 'mojibake', 'invalid-json'],
      },
      {
        anchor: 'example-tour-all',
        topics: ['tour.started', 'tour.exited'],
        kind: 'demo.finished',
        defects: ['kind-mismatch'],
      },
    ]);
    expect(JSON.parse(extracted.examples[0]!.raw)).toEqual({ id: '1', kind: 'ping', data: {} });
  });
});
