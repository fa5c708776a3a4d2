/** docs/reference/ is generated from the spec: one page per topic and model, every field listed. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCS_DIR, generateDocs, SPEC_DIR } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { diffOutput } from '../generator/write.js';
import { loadModel } from '../generator/pipeline.js';

let model: SpecModel;
beforeAll(async () => {
  model = await loadModel();
});

describe('docs/reference', () => {
  it('is what the spec produces (run npm run generate when this fails)', async () => {
    expect(await diffOutput(DOCS_DIR, await generateDocs(model))).toEqual({
      changed: [],
      added: [],
      removed: [],
    });
  });

  it('has a page per topic listing every data field, and the topic table in its index', async () => {
    const index = await readFile(path.join(DOCS_DIR, 'README.md'), 'utf8');
    for (const topic of model.topics) {
      expect(index).toContain(`[\`${topic.topic}\`](topics/${topic.topic}.md)`);
      const page = await readFile(path.join(DOCS_DIR, 'topics', `${topic.topic}.md`), 'utf8');
      for (const { key } of topic.dataKeys) expect(page).toMatch(new RegExp(`^\\| \`${key}\` `, 'm'));
    }
  });

  it('has a page per model listing every property', async () => {
    for (const doc of model.models) {
      const page = await readFile(path.join(DOCS_DIR, 'models', `${doc.typeName}.md`), 'utf8');
      const written = JSON.parse(await readFile(path.join(SPEC_DIR, doc.path), 'utf8'));
      for (const key of Object.keys(written.properties ?? {}))
        expect(page).toMatch(new RegExp(`^\\| \`${key}\` `, 'm'));
    }
  });

  it('states the verification window the spec states', async () => {
    const index = await readFile(path.join(DOCS_DIR, 'README.md'), 'utf8');
    const { toleranceSeconds, direction } = model.api.outgoing.replayWindow;
    expect(index).toContain(
      `more than ${toleranceSeconds / 60} minutes ${direction === 'both' ? 'from now, in either direction' : 'in the past'}`,
    );
  });
});
