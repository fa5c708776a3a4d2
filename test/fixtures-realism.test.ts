/**
 * The fixtures look like what Chameleon sends, over every file of generated/fixtures:
 * no placeholder text, numbers that vary, times in an order that could happen, ObjectIds
 * whose time prefix fits, emails/URLs/UUIDs/uids of their shape, no payload that
 * contradicts the vendor's conditions, and an unknown-string fixture for each enum with
 * the verdict its openness gives. The rules are written here, apart from the generator
 * (generator/fixtures/conditions.ts, timeline.ts), and each one is tried on a payload
 * that breaks it, so none can pass by checking nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../generator/emitters/fixtures.js';
import { GENERATED_DIR } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Fixture extends ManifestEntry {
  payload: JsonObject;
}

const FIXTURES_DIR = path.join(GENERATED_DIR, 'fixtures');
const UNKNOWN = 'not-a-known-value';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const OBJECT_ID = /^[0-9a-f]{24}$/;
/** Chameleon was founded in 2013: an ObjectId from before then did not come from it. */
const EARLIEST_ID = Date.UTC(2013, 0, 1);
const EMAIL = /^[^\s@]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UID = /^[\w.:-]+$/;
const PLACEHOLDER = /\bsample\b|lorem ipsum|placeholder|^(string|todo|tbd|foo|bar|xxx)$/i;
const URL_KEY = /(^|_)(url|href|referrer|references|dashboard)$/;
const EMAIL_KEY = /(^|_)emails?$/;

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every value of a payload with its pointer and the key that holds it (an array's key for its items). */
function* leaves(
  value: Json,
  pointer = '',
  key = '',
): Generator<{ pointer: string; key: string; value: Json; parent?: JsonObject }> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* leaves(item, `${pointer}/${index}`, key);
  } else if (isObject(value)) {
    for (const [name, child] of Object.entries(value)) {
      if (isObject(child) || Array.isArray(child)) yield* leaves(child, `${pointer}/${name}`, name);
      else yield { pointer: `${pointer}/${name}`, key: name, value: child, parent: value };
    }
  } else yield { pointer, key, value };
}

/** Every object of a payload with its pointer. */
function* objects(value: Json, pointer = ''): Generator<{ pointer: string; object: JsonObject }> {
  if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* objects(item, `${pointer}/${index}`);
  else if (isObject(value)) {
    yield { pointer, object: value };
    for (const [name, child] of Object.entries(value)) yield* objects(child, `${pointer}/${name}`);
  }
}

/** The values a fixture's one defect may have broken: its errorPath and what lies under it. */
const spared = (fixture: Pick<Fixture, 'valid' | 'errorPath'>, pointer: string) =>
  !fixture.valid &&
  fixture.errorPath !== undefined &&
  (pointer === fixture.errorPath || pointer.startsWith(`${fixture.errorPath}/`));

const time = (value: Json | undefined) =>
  typeof value === 'string' && TIMESTAMP.test(value) ? Date.parse(value) : undefined;

/** Placeholder text, and emails, URLs, UUIDs and uids not of their shape. */
function shapeProblems(fixture: Fixture): string[] {
  const problems: string[] = [];
  for (const { pointer, key, value } of leaves(fixture.payload)) {
    if (typeof value !== 'string' || spared(fixture, pointer) || value === UNKNOWN) continue;
    const at = `${fixture.file}${pointer}`;
    if (PLACEHOLDER.test(value)) problems.push(`${at}: placeholder ${JSON.stringify(value)}`);
    if (EMAIL_KEY.test(key) && !EMAIL.test(value)) problems.push(`${at}: not an email`);
    if (URL_KEY.test(key) && !/^https?:\/\/[^\s/]+\.[^\s/]+/.test(value)) problems.push(`${at}: not a URL`);
    if (key === 'clearbit_uid' && !UUID.test(value)) problems.push(`${at}: not a UUID`);
    if (/(^|_)uid$/.test(key) && !UID.test(value)) problems.push(`${at}: not a uid`);
  }
  return problems;
}

/** created_at ≤ updated_at ≤ sent_at, every past time ≤ sent_at, a snooze ends after it. */
function timeProblems(fixture: Fixture): string[] {
  const problems: string[] = [];
  const sentAt = spared(fixture, '/sent_at') ? undefined : time(fixture.payload.sent_at);
  for (const { pointer, object } of objects(fixture.payload)) {
    const at = (key: string) => (spared(fixture, `${pointer}/${key}`) ? undefined : time(object[key]));
    const created = at('created_at');
    const problem = (text: string) => problems.push(`${fixture.file}${pointer}: ${text}`);
    for (const key of Object.keys(object)) {
      const value = at(key);
      if (value === undefined || key === 'sent_at') continue;
      if (key === 'deferred_until') {
        if (sentAt !== undefined && value <= sentAt) problem('deferred_until is not after sent_at');
        continue;
      }
      if (sentAt !== undefined && value > sentAt) problem(`${key} is after sent_at`);
      if (created !== undefined && value < created) problem(`${key} is before created_at`);
    }
    const updated = at('updated_at');
    if (created !== undefined && updated !== undefined && updated < created)
      problem('updated_at < created_at');
    const last = at('last_seen_at');
    const previous = at('last_last_seen_at');
    if (last !== undefined && previous !== undefined && previous > last)
      problem('last_last_seen_at > last_seen_at');
  }
  return problems;
}

/** ObjectIds created after 2013, not after sent_at, and an object's own not after its created_at. */
function idProblems(fixture: Fixture): string[] {
  const problems: string[] = [];
  const sentAt = spared(fixture, '/sent_at') ? undefined : time(fixture.payload.sent_at);
  for (const { pointer, key, value, parent } of leaves(fixture.payload)) {
    if (typeof value !== 'string' || !OBJECT_ID.test(value) || spared(fixture, pointer)) continue;
    const created = parseInt(value.slice(0, 8), 16) * 1000;
    const at = `${fixture.file}${pointer}`;
    if (created < EARLIEST_ID) problems.push(`${at}: ${value} was created before 2013`);
    if (sentAt !== undefined && created > sentAt) problems.push(`${at}: ${value} was created after sent_at`);
    const own = key === 'id' && parent ? time(parent.created_at) : undefined;
    if (own !== undefined && created > own) problems.push(`${at}: ${value} was created after its created_at`);
  }
  return problems;
}

const SURVEY_PRESET = /^survey_/;
const FOLLOW_UPS = new Set(['response', 'thank_you']);

/** What a variant's description says it set (`data.demo_run.email is null.`) must be what it holds. */
function descriptionProblems(fixture: Fixture): string[] {
  const said = /^data\.(\w+)\.(\w+) is (.+)\.$/.exec(fixture.description);
  if (!fixture.valid || !said) return [];
  const [, key, field, value] = said;
  const held = fixture.payload.data as JsonObject;
  const model = Array.isArray(held[key!]) ? (held[key!] as Json[])[0] : held[key!];
  return isObject(model) && JSON.stringify(model[field!]) === value
    ? []
    : [
        `${fixture.file}: says ${key}.${field} is ${value}, holds ${JSON.stringify(isObject(model) ? model[field!] : model)}`,
      ];
}

/** The vendor's conditions (webhooks/overview and the spec's descriptions) on one valid payload. */
function conditionProblems(fixture: Fixture): string[] {
  if (!fixture.valid) return [];
  const problems: string[] = [];
  const problem = (text: string) => problems.push(`${fixture.file}: ${text}`);
  const data = isObject(fixture.payload.data) ? fixture.payload.data : {};
  const { topic } = fixture;
  const run = data.demo_run;
  if (isObject(run)) {
    const granted = run.consent_mode === undefined || run.consent_mode === 'granted';
    for (const key of ['created_where', 'reveal_domain', 'reveal_name', 'clearbit_uid'])
      if (!granted && run[key] != null) problem(`demo_run.${key} is only sent when consent is granted`);
    if (topic === 'demo.reveal') {
      if (!granted) problem('demo.reveal is only sent when consent_mode is granted');
      for (const key of ['reveal_domain', 'reveal_name', 'clearbit_uid'])
        if (key in run && run[key] === null) problem(`demo.reveal is only sent on a match: ${key} is null`);
    }
    const action = data.action;
    if (topic === 'demo.email.added' && isObject(action) && 'email' in run && run.email !== action.email)
      problem('demo_run.email is not the email the action added');
    if (topic !== 'demo.finished' && 'finished_kind' in run) problem(`a ${topic} run has a finished_kind`);
  }
  problems.push(...stepProblems(fixture, data).map((text) => `${fixture.file}: ${text}`));
  problems.push(...alertProblems(data).map((text) => `${fixture.file}: ${text}`));
  const action = data.action;
  const sentAt = time(fixture.payload.sent_at);
  if (isObject(action) && typeof action.deferred_hours === 'number' && sentAt !== undefined) {
    const until = time(action.deferred_until);
    if (until !== undefined && Math.abs(until - sentAt - action.deferred_hours * 3600_000) > 3600_000)
      problem(`deferred_until is not deferred_hours (${action.deferred_hours}) after sent_at`);
  }
  return problems;
}

/** A Microsurvey starts on its Survey Step; a Step and its copy in `steps` say the same; Tour Steps have no preset. */
function stepProblems(fixture: Fixture, data: JsonObject): string[] {
  const problems: string[] = [];
  const step = data.step;
  if (!isObject(step)) return problems;
  const preset = step.preset;
  if (fixture.topic.startsWith('tour.') || fixture.topic.startsWith('embed.')) {
    // "A plain Tour Step has null": no Tour or Embed Step is built on a Microsurvey's preset.
    if (typeof preset === 'string' && (SURVEY_PRESET.test(preset) || FOLLOW_UPS.has(preset)))
      problems.push(`a Tour or Embed Step has the Microsurvey preset ${preset}`);
    return problems;
  }
  if (!fixture.topic.startsWith('survey.')) return problems;
  if (preset === null) problems.push('a Microsurvey Step has a null preset');
  const first = ['survey.started', 'survey.completed', 'survey.exited'].includes(fixture.topic);
  if (first && typeof preset === 'string' && FOLLOW_UPS.has(preset))
    problems.push(`${fixture.topic} carries the Survey Step, not a ${preset} Step`);
  const survey = data.survey;
  const steps = isObject(survey) && Array.isArray(survey.steps) ? survey.steps.filter(isObject) : [];
  for (const [index, item] of steps.entries()) {
    if (item.id === step.id)
      for (const key of Object.keys(step))
        if (key in item && JSON.stringify(item[key]) !== JSON.stringify(step[key]))
          problems.push(`data.step.${key} differs from data.survey.steps/${index}.${key}`);
    const known =
      typeof item.preset === 'string' && (SURVEY_PRESET.test(item.preset) || FOLLOW_UPS.has(item.preset));
    if (known && SURVEY_PRESET.test(item.preset as string) !== (index === 0))
      problems.push(
        `survey.steps/${index} is a ${String(item.preset)} Step: only the first is the Survey Step`,
      );
  }
  return problems;
}

/** An alert reports the Experiences its `kind` watches, and its summary counts them. */
function alertProblems(data: JsonObject): string[] {
  const group = data.alert_group;
  const experiences = Array.isArray(data.experiences) ? data.experiences.filter(isObject) : undefined;
  if (!isObject(group) || !experiences) return [];
  const problems: string[] = [];
  const tagIds = Array.isArray(group.tag_ids) ? group.tag_ids : [];
  const campaignIds = Array.isArray(group.campaign_ids) ? group.campaign_ids : [];
  for (const experience of experiences) {
    if (experience.kind === 'tooltip' || experience.kind === 'launcher')
      problems.push(`alerts only report tours and surveys, not a ${experience.kind}`);
    const tags = Array.isArray(experience.tags) ? experience.tags.filter(isObject) : [];
    if ((group.kind === 'tour' || group.kind === 'survey') && experience.kind !== group.kind)
      problems.push(`an alert of kind ${group.kind} reports a ${String(experience.kind)}`);
    if (group.kind === 'tags' && !tags.some((tag) => tagIds.includes(tag.id!)))
      problems.push('an alert of kind tags reports an Experience without one of its tag_ids');
    if (group.kind === 'campaigns' && !campaignIds.includes(experience.id!))
      problems.push('an alert of kind campaigns reports an Experience not in its campaign_ids');
  }
  const action = data.action;
  const count =
    isObject(action) && typeof action.summary === 'string'
      ? /^(\d+) Experiences?/.exec(action.summary)
      : null;
  if (count && Number(count[1]) !== experiences.length)
    problems.push(`the summary counts ${count[1]} Experiences, the alert reports ${experiences.length}`);
  const summaries = [group.summary, isObject(action) ? action.summary : undefined].join(' ');
  if (group.style === 'uncompleted' && /\bSeen\b/.test(summaries))
    problems.push('an alert on uncompleted Experiences speaks of them not being Seen');
  return problems;
}

/** In a payload built from the schema, `<model>_id` is the ID of the `<model>` beside it or in `data`. */
function referenceProblems(fixture: Fixture): string[] {
  if (fixture.name !== 'full' && fixture.name !== 'minimal') return [];
  const data = isObject(fixture.payload.data) ? fixture.payload.data : {};
  const problems: string[] = [];
  for (const { pointer, object } of objects(data, '/data'))
    for (const [key, id] of Object.entries(object)) {
      const model = key.endsWith('_id') ? key.slice(0, -3) : '';
      const target = isObject(object[model] ?? null) ? object[model] : data[model];
      if (typeof id === 'string' && isObject(target ?? null) && (target as JsonObject).id !== id)
        problems.push(`${fixture.file}${pointer}/${key} is not the id of ${model}`);
    }
  return problems;
}

/** Numbers that vary: per full payload, and per numeric field across the full payloads. */
function numberProblems(fulls: Fixture[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, Set<number>>();
  const appearances = new Map<string, number>();
  let ones = 0;
  let total = 0;
  for (const fixture of fulls) {
    const numbers = [...leaves(fixture.payload)].filter(
      (leaf): leaf is typeof leaf & { value: number } => typeof leaf.value === 'number',
    );
    if (numbers.length > 1 && new Set(numbers.map((leaf) => leaf.value)).size === 1)
      problems.push(`${fixture.file}: every number is ${numbers[0]!.value}`);
    for (const { key, value } of numbers) {
      byKey.set(key, (byKey.get(key) ?? new Set()).add(value));
      appearances.set(key, (appearances.get(key) ?? 0) + 1);
      total++;
      if (value === 1) ones++;
    }
  }
  for (const [key, values] of byKey)
    if ((appearances.get(key) ?? 0) >= 3 && values.size === 1)
      problems.push(`${key} is ${[...values][0]} in all ${appearances.get(key)} full payloads`);
  if (ones > total / 10) problems.push(`${ones} of ${total} numbers are 1`);
  return problems;
}

/** A schema node, `$ref`s followed through the topic schema's definitions. */
type Schema = { [key: string]: unknown };
function resolve(root: Schema, node: Schema, location: string): { node: Schema; location: string } {
  const ref = node.$ref;
  if (typeof ref !== 'string') return { node, location };
  const target = ref
    .replace(/^#/, '')
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((at, key) => (at as Schema)[key], root);
  return resolve(root, target as Schema, ref);
}

const isEnum = (node: Schema) => Array.isArray(node.enum) || node['x-open-enum'] === true;
const enumValues = (node: Schema): Json[] =>
  Array.isArray(node.enum)
    ? (node.enum as Json[])
    : ((node.anyOf as Schema[]).find((b) => Array.isArray(b.enum))!.enum as Json[]);

/** The branches of a schema node and its children, by JSON: properties, items, anyOf/oneOf/allOf. */
function children(node: Schema): Array<{ node: Schema; key: string }> {
  const found: Array<{ node: Schema; key: string }> = [];
  for (const [name, child] of Object.entries((node.properties as Record<string, Schema>) ?? {}))
    found.push({ node: child, key: `properties/${name}` });
  if (isObject(node.items as Json)) found.push({ node: node.items as Schema, key: 'items' });
  for (const keyword of ['anyOf', 'oneOf', 'allOf'])
    for (const [index, branch] of ((node[keyword] as Schema[]) ?? []).entries())
      found.push({ node: branch, key: `${keyword}/${index}` });
  return found;
}

/** Every enum of strings a topic's schema reaches from its root, by location (a ref's target names it). */
function enumLocations(root: Schema): Map<string, boolean> {
  const found = new Map<string, boolean>();
  const seen = new Set<string>();
  const visit = (start: Schema, at: string) => {
    const { node, location } = resolve(root, start, at);
    if (seen.has(location)) return;
    seen.add(location);
    if (isEnum(node) && enumValues(node).some((value) => typeof value === 'string')) {
      found.set(location, node['x-open-enum'] === true);
      return;
    }
    for (const child of children(node)) visit(child.node, `${location}/${child.key}`);
  };
  visit(root, '#');
  return found;
}

/** The enum location that governs `pointer` in a payload (objects' properties, arrays' items, nullable anyOf). */
function enumAt(root: Schema, pointer: string): string | undefined {
  let current = resolve(root, root, '#');
  for (const segment of pointer.split('/').slice(1)) {
    const key = /^\d+$/.test(segment) ? 'items' : `properties/${segment}`;
    const branches = children(current.node)
      .filter((child) => /^(anyOf|oneOf|allOf)\//.test(child.key))
      .map((child) => resolve(root, child.node, `${current.location}/${child.key}`));
    const holder = [current, ...branches].find(({ node }) =>
      key === 'items'
        ? isObject(node.items as Json)
        : isObject((node.properties as JsonObject | undefined)?.[segment]),
    );
    if (!holder) return undefined;
    const next =
      key === 'items' ? holder.node.items : (holder.node.properties as Record<string, Schema>)[segment];
    current = resolve(root, next as Schema, `${holder.location}/${key}`);
  }
  return isEnum(current.node) ? current.location : undefined;
}

let fixtures: Fixture[];
let schemas: Map<string, Schema>;

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
    fixtures: ManifestEntry[];
  };
  fixtures = await Promise.all(
    manifest.fixtures.map(async (entry) => ({
      ...entry,
      payload: JSON.parse(await readFile(path.join(FIXTURES_DIR, entry.file), 'utf8')) as JsonObject,
    })),
  );
  schemas = new Map();
  for (const file of await readdir(path.join(FIXTURES_DIR, 'schemas')))
    schemas.set(
      file.replace(/\.json$/, ''),
      JSON.parse(await readFile(path.join(FIXTURES_DIR, 'schemas', file), 'utf8')),
    );
});

/** A copy of the named fixture, changed by `edit`. */
function broken(file: string, edit: (payload: any) => void): Fixture {
  const fixture = structuredClone(fixtures.find((f) => f.file === file)!);
  edit(fixture.payload);
  return fixture;
}

describe('realistic fixtures, over every file of the manifest', () => {
  it('has no placeholder text, and emails, URLs, UUIDs and uids of their shape', () => {
    expect(fixtures.flatMap(shapeProblems)).toEqual([]);
    expect(
      shapeProblems(broken('payloads/demo.reveal/full.json', (p) => (p.data.demo.name = 'Sample name'))),
    ).toHaveLength(1);
    const shapes = broken('payloads/demo.reveal/full.json', (p) => {
      p.data.demo_run.clearbit_uid = 'Sample clearbit uid';
      p.data.demo.href = 'Sample href';
      p.data.demo.user.email = 'jim';
      p.data.profile.uid = 'Sample uid';
    });
    expect(shapeProblems(shapes).join('\n')).toMatch(/not a UUID[\s\S]*not a URL[\s\S]*not an email/);
  });

  it('has numbers that vary, in each full payload and per field across them', () => {
    const fulls = fixtures.filter((fixture) => fixture.name === 'full');
    expect(fulls.length).toBe(schemas.size);
    expect(numberProblems(fulls)).toEqual([]);
    const ones = fulls.map((fixture) => {
      const copy = structuredClone(fixture);
      for (const { pointer } of [...leaves(copy.payload)].filter((leaf) => typeof leaf.value === 'number')) {
        const segments = pointer.split('/').slice(1);
        const parent = segments.slice(0, -1).reduce<any>((at, key) => at[key], copy.payload);
        parent[segments.at(-1)!] = 1;
      }
      return copy;
    });
    expect(numberProblems(ones).length).toBeGreaterThan(fulls.length);
  });

  it('has created_at ≤ updated_at ≤ sent_at, every past time before sent_at and snoozes that end after it', () => {
    expect(fixtures.flatMap(timeProblems)).toEqual([]);
    const backwards = broken('payloads/demo.reveal/full.json', (p) => {
      p.data.profile.updated_at = '2001-01-01T00:00:00.000Z';
      p.data.demo.published_at = '2099-01-01T00:00:00.000Z';
    });
    expect(timeProblems(backwards).join('\n')).toMatch(/updated_at is before created_at[\s\S]*after sent_at/);
    const snooze = broken(
      'payloads/tour.snoozed/full.json',
      (p) => (p.data.action.deferred_until = p.sent_at),
    );
    expect(timeProblems(snooze)).toEqual([expect.stringMatching(/deferred_until is not after sent_at/)]);
  });

  it('has ObjectIds created after 2013, before sent_at and not after their own created_at', () => {
    expect(fixtures.flatMap(idProblems)).toEqual([]);
    const ids = broken('payloads/demo.reveal/full.json', (p) => {
      p.id = `00${p.id.slice(2)}`;
      p.data.demo.id = `ff${p.data.demo.id.slice(2)}`;
    });
    expect(idProblems(ids).join('\n')).toMatch(/before 2013[\s\S]*after sent_at[\s\S]*after its created_at/);
  });

  it('has no valid payload that contradicts the vendor’s conditions', () => {
    expect(fixtures.flatMap(conditionProblems)).toEqual([]);
    expect(fixtures.flatMap(descriptionProblems)).toEqual([]);
    const said = fixtures.find(
      (f) => f.file === 'payloads/demo.finished/demo-run-finished-kind-timeout-30m.json',
    )!;
    expect(
      descriptionProblems({ ...said, description: 'data.demo_run.finished_kind is "last_step".' }),
    ).toHaveLength(1);
    const reveal = broken('payloads/demo.reveal/docs-example.json', (p) => {
      p.data.demo_run.consent_mode = 'denied';
      p.data.demo_run.reveal_domain = null;
    });
    expect(conditionProblems(reveal).join('\n')).toMatch(
      /only sent when consent_mode is granted[\s\S]*reveal_domain is null/,
    );
    const step = broken(
      'payloads/survey.completed/docs-example.json',
      (p) => (p.data.step.preset = 'survey_ces'),
    );
    expect(conditionProblems(step)).toEqual([expect.stringMatching(/data.step.preset differs/)]);
    const alert = broken(
      'payloads/alert.triggered/docs-example.json',
      (p) => (p.data.alert_group.kind = 'tour'),
    );
    expect(conditionProblems(alert).join('\n')).toMatch(/reports a survey/);
    const email = broken(
      'payloads/demo.email.added/docs-example.json',
      (p) => (p.data.demo_run.email = null),
    );
    expect(conditionProblems(email)).toHaveLength(1);
  });

  it('has, in each payload built from the schema, <model>_id equal to the id of the <model> it carries', () => {
    expect(fixtures.flatMap(referenceProblems)).toEqual([]);
    const unlinked = broken('payloads/response.finished/full.json', (p) => {
      p.data.response.survey_id = p.data.response.id;
      p.data.profile.company_id = p.data.response.id;
    });
    expect(referenceProblems(unlinked)).toHaveLength(2);
  });

  it('has, for each enum, an unknown string: invalid in strict mode and valid in tolerant mode when closed, valid when open', () => {
    const problems: string[] = [];
    let closed = 0;
    let open = 0;
    for (const [topic, schema] of schemas) {
      const wanted = enumLocations(schema);
      const hit = new Set<string>();
      for (const fixture of fixtures.filter(
        (f) => f.topic === topic && f.name.endsWith('-unknown-enum-value'),
      )) {
        const pointer = [...leaves(fixture.payload)].find((leaf) => leaf.value === UNKNOWN)?.pointer;
        const location = pointer === undefined ? undefined : enumAt(schema, pointer);
        if (location === undefined || !wanted.has(location)) {
          problems.push(`${fixture.file}: no unknown string in an enum`);
          continue;
        }
        hit.add(location);
        const verdict = wanted.get(location)
          ? { valid: true, errorPath: undefined, tolerant: undefined }
          : { valid: false, errorPath: pointer, tolerant: { valid: true, warning: 'unknown-enum-value' } };
        if (verdict.valid) open++;
        else closed++;
        const { valid, errorPath, tolerant } = fixture;
        if (JSON.stringify({ valid, errorPath, tolerant }) !== JSON.stringify(verdict))
          problems.push(
            `${fixture.file}: the verdict is not the one an ${verdict.valid ? 'open' : 'closed'} enum gives`,
          );
      }
      for (const location of wanted.keys())
        if (!hit.has(location)) problems.push(`${topic}: no unknown string for ${location}`);
    }
    expect(problems).toEqual([]);
    // One fixture per enum of each topic: as many as the schemas have enums, of both kinds.
    expect(closed + open).toBe(
      [...schemas.values()].reduce((sum, schema) => sum + enumLocations(schema).size, 0),
    );
    expect(closed).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);
  });
});
