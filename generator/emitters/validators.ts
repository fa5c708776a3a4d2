/**
 * Validators: generator/validators/ writes a fast guard per document and the
 * schema table the detailed validator walks; the registry names each topic's
 * and model's checks. The public, never-throwing API (`validate.ts`) and the
 * detailed validator are runtime source that imports these modules; this
 * module gathers the facts they print (topics, models, how patterns and
 * formats read to a person).
 */
import type { SchemaDocument, SpecModel } from '../model.js';
import { walkNodes } from '../schema/index.js';
import { render } from '../templates.js';
import { writeValidators } from '../validators/guards.js';
import type { Emitter, GeneratedFile } from './emitter.js';

/** Errors reported by default before the list is cut. */
const DEFAULT_MAX_ERRORS = 20;

/** Plain words for the shared definitions that carry a pattern, by title. */
const PATTERN_PHRASES: Record<string, string> = {
  ChameleonId: 'a Chameleon ID (24 lowercase hex characters)',
};

function patternNames(documents: SchemaDocument[]): Array<{ pattern: string; expected: string }> {
  const names = new Map<string, string>();
  for (const doc of documents) {
    for (const root of [doc.root, ...doc.definitions.map((definition) => definition.node)]) {
      walkNodes(root, (node) => {
        const pattern = node.kind === 'primitive' || node.kind === 'multiType' ? node.pattern : undefined;
        if (pattern === undefined || names.has(pattern)) return;
        const phrase = node.annotations.title ? PATTERN_PHRASES[node.annotations.title] : undefined;
        names.set(pattern, phrase ?? `a string matching /${pattern}/`);
      });
    }
  }
  return [...names]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pattern, expected]) => ({ pattern, expected }));
}

/** Format names with an example taken from the spec's own examples. */
function formatNames(model: SpecModel): Array<{ format: string; expected: string }> {
  const sentAt = model.topics
    .map((topic) => topic.examples[0]?.payload.sent_at)
    .find((value) => typeof value === 'string');
  const example = typeof sentAt === 'string' ? ` such as ${sentAt}` : '';
  return [{ format: 'date-time', expected: `an RFC 3339 date-time${example}` }];
}

export const validatorsEmitter: Emitter = {
  name: 'validators',
  emit(model) {
    const documents = [model.common, model.envelope, ...model.topics, ...model.models];
    const context = {
      api: model.api,
      topics: model.topics,
      models: model.models,
      envelope: model.envelope.typeName,
      topicCount: model.topics.length,
      modelCount: model.models.length,
      defaultMaxErrors: DEFAULT_MAX_ERRORS,
      patterns: patternNames(documents),
      formats: formatNames(model),
      ...writeValidators(model),
    };
    const file = (path: string, template: string, exportFrom?: string[]): GeneratedFile => ({
      path: `typescript/src/${path}`,
      contents: render(`typescript/${template}`, context),
      ...(exportFrom ? { exportFrom } : {}),
    });
    // validate.ts and the interpreter (detailed.ts, issues.ts, formats.ts) are runtime source.
    return [
      file('validators/guards.ts', 'validators/guards.ts'),
      file('validators/phrases.ts', 'validators/phrases.ts'),
      file('validators/registry.ts', 'validators/registry.ts'),
      file('validators/schemas.ts', 'validators/schemas.ts'),
    ];
  },
};
