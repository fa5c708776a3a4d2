/** The spec lint accepts the spec and rejects each kind of mistake it exists to catch. */
import path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadModel, SpecError } from '../generator/generate.js';
import { copySpec, editJson } from './helpers.js';

async function problemsOf(edit: (dir: string) => Promise<void>): Promise<string[]> {
  const dir = await copySpec();
  try {
    await edit(dir);
    await loadModel(dir);
    return [];
  } catch (error) {
    if (error instanceof SpecError) return error.problems;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('spec lint', () => {
  it('accepts the spec: every $ref resolves, every document is described, every example validates', async () => {
    const model = await loadModel();
    expect(model.topics.length).toBe(27);
    for (const doc of model.documents) expect(doc.description, doc.path).not.toBe('');
    for (const topic of model.topics) expect(topic.examples.length, topic.topic).toBeGreaterThan(0);
  });

  it('rejects a $ref that resolves to nothing', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.completed.json'), (json) => {
        json.properties.data.properties.tour = { $ref: '../models/tuor.json' };
      }),
    );
    expect(problems.join('\n')).toMatch(/tour\.completed\.json.*"\.\.\/models\/tuor\.json" does not resolve/);
  });

  it('rejects keywords beside $ref other than description (they make duplicate types)', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'models/profile.json'), (json) => {
        json.properties.id = { $ref: '../common.json#/definitions/ChameleonId', title: 'ProfileId' };
      }),
    );
    expect(problems.join('\n')).toMatch(/profile\.json.*only "description" may stand beside \$ref/);
  });

  it('rejects a document without a description', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'models/tour.json'), (json) => delete json.description),
    );
    expect(problems).toContain('spec/models/tour.json: needs a description (it becomes the JSDoc)');
  });

  it('rejects an x-required-strict that names no property, or one already required', async () => {
    const problems = await problemsOf(async (dir) => {
      await editJson(path.join(dir, 'models/snooze-action.json'), (json) => {
        json['x-required-strict'] = ['deferred_untill', 'id'];
      });
      await editJson(path.join(dir, 'topics/demo.finished.json'), (json) => {
        json.properties.data.properties.demo_run['x-required-strict'] = ['finished_knd'];
      });
    });
    const text = problems.join('\n');
    expect(text).toMatch(/snooze-action\.json.*"deferred_untill", which is not a property of the object/);
    expect(text).toMatch(/snooze-action\.json.*"id", which is already required/);
    expect(text).toMatch(/demo\.finished\.json#\/properties\/data\/properties\/demo_run.*"finished_knd"/);
  });

  it('rejects x-custom-properties anywhere but the root of a model', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.completed.json'), (json) => {
        json.properties.data['x-custom-properties'] = true;
      }),
    );
    expect(problems.join('\n')).toMatch(
      /tour\.completed\.json.*x-custom-properties belongs at the root of a model/,
    );
  });

  it('rejects closing an object (the spec is open by design)', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'models/tour.json'), (json) => (json.additionalProperties = false)),
    );
    expect(problems.join('\n')).toMatch(/keyword "additionalProperties" is not allowed/);
  });

  it('rejects a keyword the generator does not support, naming the file and the JSON pointer', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'models/tour.json'), (json) => {
        json.properties.name = { type: 'string', contentEncoding: 'base64' };
      }),
    );
    expect(problems).toContain(
      'spec/models/tour.json#/properties/name: keyword "contentEncoding" is not allowed in the spec (the generator does not support it)',
    );
  });

  it('rejects an example that does not validate, naming the path', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.completed.json'), (json) => {
        json.examples[0].data.tour.id = 'not-an-id';
      }),
    );
    expect(problems.join('\n')).toMatch(
      /tour\.completed\.json: example docs-example does not validate: \/data\/tour\/id must match pattern/,
    );
  });

  it('rejects a topic file whose kind does not match its name', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.exited.json'), (json) => {
        json.properties.kind.const = 'tour.started';
      }),
    );
    expect(problems.join('\n')).toMatch(
      /tour\.exited\.json: properties\.kind must be \{"const": "tour\.exited"\}/,
    );
  });

  it('rejects a topic that does not require the whole envelope (the verifier relies on it)', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.exited.json'), (json) => {
        json.required = json.required.filter((key: string) => key !== 'sent_at');
      }),
    );
    expect(problems.join('\n')).toMatch(/tour\.exited\.json: must require the envelope's sent_at/);
  });

  it('rejects a topic listed in api.json without a schema', async () => {
    const problems = await problemsOf((dir) => rm(path.join(dir, 'topics/ping.json')));
    expect(problems).toEqual(['spec/api.json lists topic ping, which has no spec/topics/ping.json']);
  });

  it('rejects a schema whose $id does not mirror its path', async () => {
    const problems = await problemsOf((dir) =>
      editJson(path.join(dir, 'topics/tour.completed.json'), (json) => {
        json.$id = json.$id.replace('tour.completed', 'tour.finished');
      }),
    );
    expect(problems.join('\n')).toMatch(/tour\.completed\.json: \$id must be/);
  });

  it('rejects two declarations of the same name or the same model twice', async () => {
    const problems = await problemsOf(async (dir) => {
      const copy = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: 'https://spec.chameleon-webhooks.dev/v3/models/person.json',
        title: 'Profile',
        description: 'A copy.',
        type: 'object',
        properties: { id: { type: 'string' } },
      };
      await writeFile(path.join(dir, 'models/person.json'), JSON.stringify(copy));
    });
    expect(problems.join('\n')).toMatch(/the name Profile is also declared by spec\/models\/p/);
  });
});
