/**
 * The language-agnostic fixtures (generated/fixtures, the package
 * `chameleon-webhooks-fixtures`): valid and invalid payloads per topic, the
 * bundled schemas, signature vectors and a manifest that indexes them, so a
 * receiver in any language can be tested with this folder alone.
 *
 * Every valid payload is checked against its topic's schema here, at generate
 * time: a fixture that does not validate stops generation instead of shipping.
 */
import { createSpecAjv } from '../spec/ajv.js';
import { portableSchema, requirementsOf } from '../fixtures/contract.js';
import { validPayloadsFor } from '../fixtures/payloads.js';
import { signatureVectors } from '../fixtures/signatures.js';
import { invalidPayloadsFor } from '../validators/mutations.js';
import { render } from '../templates.js';
import type { SpecModel, Topic } from '../model.js';
import type { Emitter, GeneratedFile } from './emitter.js';
import { licenseFile, projectFields } from './project.js';

const DIR = 'fixtures';

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

/** The payload files of one topic and their manifest entries. */
function topicFixtures(model: SpecModel, topic: Topic): { files: GeneratedFile[]; entries: ManifestEntry[] } {
  const schema = `schemas/${topic.topic}.json`;
  const files: GeneratedFile[] = [{ path: `${DIR}/${schema}`, contents: json(portableSchema(model, topic)) }];
  const entries: ManifestEntry[] = [];
  for (const { name, description, payload } of validPayloadsFor(topic, model.schemas)) {
    checkValid(model, topic, name, payload);
    const file = `payloads/${topic.topic}/${name}.json`;
    files.push({ path: `${DIR}/${file}`, contents: json(payload) });
    entries.push({ topic: topic.topic, name, description, file, schema, valid: true });
  }
  for (const invalid of invalidPayloadsFor(topic, model.schemas)) {
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
    });
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
