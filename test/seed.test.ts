/** The spec covers the vendor's current page: every topic in its table, plus the one documented only by example. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { SHARED_DIR } from './helpers.js';

const CURRENT_SEED = path.join(SHARED_DIR, 'seeds/000_4c3cdf876be2490c.txt');

/** The topics in the seed's "Webhook topics" table, in order. */
async function seedTableTopics(): Promise<string[]> {
  const text = await readFile(CURRENT_SEED, 'utf8');
  const table = text.slice(text.indexOf('#### Webhook topics'), text.indexOf('#### Schema (request body)'));
  return [...table.matchAll(/^\| `([a-z.]+)`\s*\|/gm)].map((match) => match[1]!);
}

describe('the spec against the current seed page', () => {
  let model: SpecModel;
  let tableTopics: string[];
  beforeAll(async () => {
    model = await loadModel();
    tableTopics = await seedTableTopics();
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
});
