/**
 * generated/fixtures (the language-agnostic package) and the typed factories:
 * every payload checked with Ajv against its standalone schema, the manifest
 * against its own schema, the builders' determinism, and the factories'
 * overrides and signed requests checked with the package's own verifier.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../generator/emitters/fixtures.js';
import { retryScheduleSeconds } from '../generator/emitters/factories.js';
import { validPayloadsFor } from '../generator/fixtures/payloads.js';
import { sampleFromPattern } from '../generator/fixtures/pattern.js';
import type { SpecModel } from '../generator/model.js';
import { createFixture, fixtures, SENDER_USER_AGENT } from '../generated/typescript/src/fixtures.js';
import { signedRequest } from '../generated/typescript/src/signed-request.js';
import { WEBHOOK_TOPICS } from '../generated/typescript/src/topics.js';
import { validateWebhook } from '../generated/typescript/src/validate.js';
import { verifyWebhook } from '../generated/typescript/src/verify.js';
import * as web from '../generated/typescript/src/web.js';
import { GENERATED_DIR } from './helpers.js';
import { loadModel } from '../generator/pipeline.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
const FIXTURES_DIR = path.join(GENERATED_DIR, 'fixtures');

type Entry = ManifestEntry;

const readJson = async <T>(rel: string): Promise<T> =>
  JSON.parse(await readFile(path.join(FIXTURES_DIR, rel), 'utf8')) as T;

function validatorFor(schema: object) {
  // strict: false, because the schemas keep the spec's own annotations (x-errata, x-open-enum) for other languages.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Where Ajv points; a missing property points at the property itself, as the manifest does. */
const pathsOf = (errors: ErrorObject[]) =>
  errors.map((e) =>
    e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath,
  );

let model: SpecModel;
let manifest: { apiVersion: string; version: string; fixtures: Entry[]; signatures: string };

beforeAll(async () => {
  model = await loadModel();
  manifest = await readJson('manifest.json');
});

describe('generated/fixtures', () => {
  it('has a manifest that its own schema accepts, with the package version and API version', async () => {
    const schema = await readJson<Record<string, unknown>>('manifest.schema.json');
    const validate = validatorFor(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest.apiVersion).toBe(model.api.apiVersion);
    expect(manifest.version).toBe(model.packageVersion);
    expect((await readJson<{ version: string }>('package.json')).version).toBe(model.packageVersion);
    const signatures = validatorFor({
      ...(schema.definitions as Record<string, object>).signatures,
      definitions: schema.definitions,
    });
    expect(signatures(await readJson(manifest.signatures)), JSON.stringify(signatures.errors)).toBe(true);
  });

  it('validates every valid payload and rejects every invalid one at its errorPath (Ajv, standalone schemas)', async () => {
    const validators = new Map<string, ReturnType<typeof validatorFor>>();
    for (const entry of manifest.fixtures) {
      if (!validators.has(entry.schema))
        validators.set(entry.schema, validatorFor(await readJson(entry.schema)));
      const validate = validators.get(entry.schema)!;
      const ok = validate(await readJson(entry.file));
      if (entry.valid) expect(ok, `${entry.file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      else {
        expect(ok, `${entry.file} should be invalid`).toBe(false);
        expect(pathsOf(validate.errors ?? []), entry.file).toContain(entry.errorPath);
      }
    }
  });

  it('lists every payload file, and every topic has the docs example, minimal, full and extra-fields', async () => {
    const listed = new Set(manifest.fixtures.map((entry) => entry.file));
    for (const dir of ['payloads', 'invalid']) {
      for (const topic of await readdir(path.join(FIXTURES_DIR, dir))) {
        for (const file of await readdir(path.join(FIXTURES_DIR, dir, topic)))
          expect(listed).toContain(`${dir}/${topic}/${file}`);
      }
    }
    for (const topic of WEBHOOK_TOPICS) {
      const names = manifest.fixtures.filter((e) => e.topic === topic && e.valid).map((e) => e.name);
      expect(names, topic).toEqual(
        expect.arrayContaining(['docs-example', 'minimal', 'full', 'extra-fields']),
      );
      expect(
        manifest.fixtures.some((e) => e.topic === topic && !e.valid),
        topic,
      ).toBe(true);
    }
  });

  it('has the variants the docs describe', () => {
    const names = (topic: string) =>
      manifest.fixtures.filter((e) => e.topic === topic && e.valid).map((e) => e.name);
    expect(names('demo.started')).toContain('profile-null');
    expect(names('demo.finished')).toContain('demo-run-finished-kind-timeout-30m');
    // Every group_kind the spec lists appears: in the docs' example or as a variant of it.
    const action = model.schemas.dereference('topics/tour.started.json') as any;
    const groupKinds: unknown[] = action.properties.data.properties.action.properties.group_kind.enum;
    const shown = (model.topics.find((t) => t.topic === 'tour.started')!.examples[0]!.payload as any).data
      .action.group_kind;
    for (const kind of groupKinds) {
      const slug = String(kind).replace(/_/g, '-');
      expect(
        kind === shown || names('tour.started').includes(`action-group-kind-${slug}`),
        String(kind),
      ).toBe(true);
    }
  });

  it('keeps the extra-fields payload open: unknown keys at the envelope, in data and in models', async () => {
    const payload = await readJson<Record<string, any>>('payloads/tour.completed/extra-fields.json');
    expect(payload.undocumented_field).toBeDefined();
    expect(payload.data.undocumented_field).toBeDefined();
    expect(payload.data.tour.undocumented_field).toBeDefined();
  });

  it('derives the same payloads from the same spec (no clock, no randomness)', () => {
    for (const topic of model.topics)
      expect(validPayloadsFor(topic, model.schemas)).toEqual(validPayloadsFor(topic, model.schemas));
  });
});

describe('value builder', () => {
  it('samples strings that match the spec patterns, and refuses what it cannot build', () => {
    for (const pattern of ['^[0-9a-f]{24}$', model.api.outgoing.userAgent.pattern, '^(a|bc)+-\\d{2,3}$']) {
      expect(sampleFromPattern(pattern, 'f'.repeat(64))).toMatch(new RegExp(pattern));
    }
    expect(() => sampleFromPattern('^\\p{L}+$', '0')).toThrow(/pattern/);
  });
});

describe('retry schedule', () => {
  it('doubles from the first wait and sums to the documented span', () => {
    const { retries, retrySpanHours } = model.api.outgoing.delivery;
    const schedule = retryScheduleSeconds(retries, retrySpanHours);
    expect(schedule).toHaveLength(retries);
    expect(schedule.reduce((a, b) => a + b, 0)).toBe(retrySpanHours * 3600);
    for (let i = 1; i < schedule.length; i++) expect(schedule[i]! / schedule[i - 1]!).toBeCloseTo(2, 1);
  });
});

describe('typed factories', () => {
  it('returns a valid webhook with deep overrides, a fresh id and a fresh sent_at', () => {
    const webhook = fixtures.tourCompleted({ data: { tour: { name: 'X' } } });
    const example = model.topics.find((t) => t.topic === 'tour.completed')!.examples[0]!.payload as any;
    expect(webhook.kind).toBe('tour.completed');
    expect(webhook.data.tour.name).toBe('X');
    expect(webhook.data.tour.id).toBe(example.data.tour.id);
    expect(webhook.data.profile).toEqual(example.data.profile);
    expect(webhook.id).toMatch(/^[0-9a-f]{24}$/);
    expect(webhook.id).not.toBe(example.id);
    expect(Math.abs(Date.parse(webhook.sent_at) - Date.now())).toBeLessThan(60_000);
    expect(fixtures.tourCompleted().id).not.toBe(webhook.id);
    expect(validateWebhook(webhook, { mode: 'strict' }).ok).toBe(true);
  });

  it('has one factory per topic, each valid against the validators', () => {
    for (const topic of model.topics) {
      const factory = (fixtures as Record<string, () => unknown>)[topic.camelName]!;
      const result = validateWebhook(factory(), { mode: 'strict' });
      expect(result.ok ? 'ok' : JSON.stringify(result.errors), topic.topic).toBe('ok');
    }
  });

  it('replaces arrays and nulls instead of merging, and ignores prototype keys', () => {
    const anonymous = createFixture('demo.started', { data: { profile: null } });
    expect(anonymous.data.profile).toBeNull();
    const overrides = JSON.parse('{"data": {"__proto__": {"polluted": true}}}');
    const webhook = createFixture('ping', overrides);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(webhook.data, 'polluted')).toBe(false);
  });

  it('signedRequest returns the exact body and the headers Chameleon sends, which the verifier accepts', () => {
    const webhook = fixtures.demoFinished();
    const { body, headers } = signedRequest(webhook, 'test-secret');
    expect(body).toBe(JSON.stringify(webhook, null, 2));
    expect(Object.keys(headers)).toEqual(model.api.outgoing.headers.map((h) => h.name));
    expect(headers['X-Chameleon-Id']).toBe(webhook.id);
    expect(headers['User-Agent']).toBe(SENDER_USER_AGENT);
    expect(SENDER_USER_AGENT).toMatch(new RegExp(model.api.outgoing.userAgent.pattern));
    const verified = verifyWebhook(body, headers, 'test-secret');
    expect(verified.ok && verified.webhook).toEqual(webhook);
    expect(verifyWebhook(body, headers, 'other-secret').ok).toBe(false);
    expect(signedRequest(webhook, 'test-secret', { compact: true }).body).toBe(JSON.stringify(webhook));
  });

  it('the /web entry has the same factories, and a signedRequest (Web Crypto) giving the same request', async () => {
    expect(web.fixtures).toBe(fixtures);
    expect(web.createFixture).toBe(createFixture);
    const webhook = web.fixtures.tourCompleted({ data: { tour: { name: 'Web' } } });
    const request = await web.signedRequest(webhook, 'test-secret');
    expect(request).toEqual(signedRequest(webhook, 'test-secret'));
    const verified = await web.verifyWebhook(request.body, request.headers, 'test-secret');
    expect(verified.ok && verified.webhook).toEqual(webhook);
    expect((await web.verifyWebhook(request.body, request.headers, 'other-secret')).ok).toBe(false);
    const compact = await web.signedRequest(webhook, 'test-secret', { compact: true, userAgent: 'ua' });
    expect(compact.body).toBe(JSON.stringify(webhook));
    expect(compact.headers['User-Agent']).toBe('ua');
    expect(verifyWebhook(compact.body, compact.headers, 'test-secret').ok).toBe(true);
  });
});
