/**
 * The fixture bases with repeated model values written once (generator/fixtures/shared-examples.ts):
 * read back, each base is the docs' example exactly, and each shared value is used in two places or more.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleBases, type ExampleBases } from '../../generator/fixtures/shared-examples.js';
import type { SpecModel } from '../../generator/model.js';
import { loadModel } from '../../generator/pipeline.js';

let model: SpecModel;
let examples: ExampleBases;

/** The value of `expression` (JSON with shared values by name), given the shared values so far. */
function evaluate(expression: string, scope: Map<string, unknown>): unknown {
  // Names become JSON by substitution, then the text is plain JSON: no evaluation of code.
  const json = expression.replace(/(?<=[:[,]\s*)([a-z][A-Za-z]*\d*)(?=\s*[,}\]])/g, (name) => {
    if (name === 'true' || name === 'false' || name === 'null') return name;
    if (!scope.has(name)) throw new Error(`${name} is used before it is declared`);
    return JSON.stringify(scope.get(name));
  });
  return JSON.parse(json);
}

beforeAll(async () => {
  model = await loadModel();
  examples = exampleBases(model.topics, model.schemas);
});

describe('shared example values', () => {
  it('read back, every base is the docs example of its topic', () => {
    const scope = new Map<string, unknown>();
    for (const shared of examples.shared) scope.set(shared.name, evaluate(shared.expression, scope));
    for (const topic of model.topics)
      expect(evaluate(examples.bases.get(topic.topic)!, scope), topic.topic).toEqual(
        topic.examples[0]!.payload,
      );
  });

  it('shares only what repeats, and names each after its model', () => {
    expect(examples.shared.length).toBeGreaterThan(5);
    const texts = [...examples.bases.values(), ...examples.shared.map((shared) => shared.expression)];
    for (const shared of examples.shared) {
      expect(shared.name.toLowerCase()).toMatch(new RegExp(`^${shared.typeName.toLowerCase()}\\d*$`));
      const uses = texts.join('\n').match(new RegExp(`(?<![\\w"])${shared.name}(?![\\w"])`, 'g')) ?? [];
      expect(uses.length, shared.name).toBeGreaterThanOrEqual(2);
    }
    expect(examples.shared.find((shared) => shared.typeName === 'Profile')).toBeDefined();
  });
});
