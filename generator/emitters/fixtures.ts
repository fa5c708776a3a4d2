/**
 * The language-agnostic fixtures (generated/fixtures, the package
 * `chameleon-webhooks-fixtures`): valid and invalid payloads per topic, the
 * bundled schemas, signature vectors and a manifest that indexes them, so a
 * receiver in any language can be tested with this folder alone.
 *
 * Every valid payload is checked against its topic's schema here, at generate
 * time: a fixture that does not validate stops generation instead of shipping.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { createSpecAjv } from '../spec/ajv.js';
import type { JsonSchema } from '../spec/load.js';
import { portableSchema, requirementsOf } from '../fixtures/contract.js';
import { conformBuilt } from '../fixtures/conditions.js';
import { validPayloadsFor } from '../fixtures/payloads.js';
import { signatureVectors } from '../fixtures/signatures.js';
import {
  invalidPayloadsFor,
  missingPromisedPayloadsFor,
  unknownEnumPayloadsFor,
  type InvalidPayload,
  type UnknownEnumPayload,
} from '../validators/mutations.js';
import { render } from '../templates.js';
import type { SpecModel, Topic } from '../model.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { licenseFile, projectFields } from './project.js';

const DIR = 'fixtures';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export interface ManifestEntry {
  topic: string;
  name: string;
  description: string;
  file: string;
  schema: string;
  valid: boolean;
  errorPath?: string;
  /** What a validator must do beyond draft-07's core to reach the verdict (`format-assertion`). */
  requires?: string[];
  /**
   * A tolerant receiver's verdict, where it differs from `valid` (the strict one, which the schemas give):
   * an unknown value of a closed enum (accepted with a warning), a missing promised property (accepted
   * silently).
   */
  tolerant?: { valid: boolean; warning?: 'unknown-enum-value' };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A valid payload must pass the spec and the shipped schema alike. */
function checkValid(model: SpecModel, topic: Topic, name: string, payload: unknown): void {
  const validate = createSpecAjv(model.documents).getSchema(topic.id);
  if (validate && !validate(payload)) {
    const detail = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`fixtures: the generated payload ${topic.topic}/${name} does not validate: ${detail}`);
  }
}

/**
 * The manifest entry of an unknown string in an enum. Closed: the schemas and strict mode reject
 * it at `errorPath`, a tolerant receiver accepts it with an `unknown-enum-value` warning there.
 * Open: valid in every mode, as the schemas' `anyOf` says.
 */
function unknownEnumEntry(topic: Topic, fixture: UnknownEnumPayload, schema: string): ManifestEntry {
  const { name, defect, errorPath, open } = fixture;
  const base = { topic: topic.topic, name, description: defect, schema };
  if (open) return { ...base, file: `payloads/${topic.topic}/${name}.json`, valid: true };
  return {
    ...base,
    file: `invalid/${topic.topic}/${name}.json`,
    valid: false,
    errorPath,
    tolerant: { valid: true, warning: 'unknown-enum-value' },
  };
}

/** Whether the docs' conditions keep the field of `fixture` at all on its topic (they may empty it). */
function keptByConditions(topic: Topic, fixture: UnknownEnumPayload): boolean {
  const conformed = conformBuilt(topic.topic, structuredClone(fixture.payload) as Record<string, unknown>);
  const segments = fixture.errorPath.split('/').slice(1);
  const key = segments.pop()!;
  let holder: unknown = conformed;
  for (const segment of segments) holder = (holder as Record<string, unknown> | undefined)?.[segment];
  return typeof holder === 'object' && holder !== null && key in holder;
}

/**
 * An unknown string in an open enum is valid by the shipped schema (its `anyOf`), not by the
 * spec's documents, whose `enum` keeps the known values for the library's warnings.
 */
function portableCheck(schema: JsonSchema): (name: string, payload: unknown) => void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  let validate: ValidateFunction | undefined;
  return (name, payload) => {
    validate ??= ajv.compile(schema);
    if (!validate(payload))
      throw new Error(
        `fixtures: ${name} does not validate against its shipped schema: ${ajv.errorsText(validate.errors)}`,
      );
  };
}

/** The payload files of one topic and their manifest entries. */
function topicFixtures(model: SpecModel, topic: Topic): { files: GeneratedFile[]; entries: ManifestEntry[] } {
  const schema = `schemas/${topic.topic}.json`;
  const portable = portableSchema(model, topic);
  const files: GeneratedFile[] = [{ path: `${DIR}/${schema}`, contents: json(portable) }];
  const entries: ManifestEntry[] = [];
  const valid = validPayloadsFor(topic, model.schemas);
  for (const { name, description, payload } of valid) {
    checkValid(model, topic, name, payload);
    const file = `payloads/${topic.topic}/${name}.json`;
    files.push({ path: `${DIR}/${file}`, contents: json(payload) });
    entries.push({ topic: topic.topic, name, description, file, schema, valid: true });
  }
  const invalids: Array<[InvalidPayload, boolean]> = [
    ...invalidPayloadsFor(topic, model.schemas).map((found): [InvalidPayload, boolean] => [found, false]),
    ...missingPromisedPayloadsFor(topic, model.schemas).map((found): [InvalidPayload, boolean] => [
      found,
      true,
    ]),
  ];
  for (const [invalid, strictOnly] of invalids) {
    const { name, defect, payload, errorPath } = invalid;
    const file = `invalid/${topic.topic}/${name}.json`;
    files.push({ path: `${DIR}/${file}`, contents: json(payload) });
    const requires = requirementsOf(invalid);
    entries.push({
      topic: topic.topic,
      name,
      description: defect,
      file,
      schema,
      valid: false,
      errorPath,
      ...(requires.length ? { requires } : {}),
      ...(strictOnly ? { tolerant: { valid: true } } : {}),
    });
  }
  const checkPortable = portableCheck(portable);
  const full = valid.find((payload) => payload.name === 'full')?.payload;
  for (const fixture of unknownEnumPayloadsFor(topic, model.schemas, full ? [full] : [], {
    onePerEnum: true,
  })) {
    // An open enum's unknown value is a valid payload, so it must not say what the docs rule out:
    // where the conditions remove the field (a finished_kind on a run still going), there is none.
    if (fixture.open && !keptByConditions(topic, fixture)) continue;
    const entry = unknownEnumEntry(topic, fixture, schema);
    if (entry.valid) checkPortable(`${topic.topic}/${entry.name}`, fixture.payload);
    files.push({ path: `${DIR}/${entry.file}`, contents: json(fixture.payload) });
    entries.push(entry);
  }
  return { files, entries };
}

/** The body the signature vectors sign: the first topic's docs example. */
function vectorPayload(model: SpecModel): Record<string, unknown> {
  const payload = model.topics[0]?.examples[0]?.payload;
  if (!payload) throw new Error('fixtures: the first topic needs an example to sign');
  return payload;
}

export const fixturesEmitter: Emitter = {
  name: 'fixtures',
  emit(model) {
    const perTopic = model.topics.map((topic) => topicFixtures(model, topic));
    const entries = perTopic.flatMap((topic) => topic.entries);
    const manifest = {
      $schema: './manifest.schema.json',
      apiVersion: model.api.apiVersion,
      version: model.packageVersion,
      fixtures: entries,
      signatures: 'signatures.json',
    };
    const vectors = signatureVectors(model, vectorPayload(model));
    const context = {
      api: model.api,
      version: model.packageVersion,
      topics: model.topics,
      validCount: entries.filter((entry) => entry.valid).length,
      invalidCount: entries.filter((entry) => !entry.valid).length,
      formatCount: entries.filter((entry) => entry.requires?.length).length,
      tolerantCount: entries.filter((entry) => entry.tolerant).length,
      unknownEnumCount: entries.filter((entry) => entry.tolerant?.warning === 'unknown-enum-value').length,
      strictOnlyCount: entries.filter((entry) => entry.tolerant && !entry.tolerant.warning).length,
      openEnumCount: entries.filter((entry) => entry.valid && entry.name.endsWith('unknown-enum-value'))
        .length,
      vectorCount: vectors.length,
      signature: model.api.outgoing.signature,
      replay: model.api.outgoing.replayWindow,
      project: projectFields('generated/fixtures'),
    };
    return [
      ...perTopic.flatMap((topic) => topic.files),
      { path: `${DIR}/manifest.json`, contents: json(manifest) },
      {
        path: `${DIR}/signatures.json`,
        contents: json({ $schema: './manifest.schema.json#/definitions/signatures', vectors }),
      },
      { path: `${DIR}/manifest.schema.json`, contents: render('fixtures/manifest.schema.json', context) },
      { path: `${DIR}/package.json`, contents: render('fixtures/package.json', context) },
      { path: `${DIR}/README.md`, contents: render('fixtures/README.md', context) },
      licenseFile(DIR),
    ];
  },
};
