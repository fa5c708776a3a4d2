/**
 * Spec lint: the rules that keep spec/ compilable into exact types, open
 * validators and valid fixtures. Each rule returns plain-language problems;
 * generation stops when there is any.
 */
import { createSpecAjv, SPEC_KEYWORDS } from './spec/ajv.js';
import { SPEC_ID_BASE, specPathOf, type JsonSchema } from './spec/load.js';
import type { SchemaDocument, SpecModel } from './model.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Draft-07 keywords we allow (no `additionalProperties`: the spec is open by design). */
const ALLOWED_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$comment',
  'title',
  'description',
  'examples',
  'definitions',
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'minProperties',
  'maxProperties',
  ...SPEC_KEYWORDS,
]);

/** Keys under which the values are maps of names to schemas (not schemas themselves). */
const SCHEMA_MAPS = new Set(['properties', 'definitions']);
/** Keys whose values are data, not schemas. */
const DATA_KEYS = new Set(['examples', 'enum', 'const', 'required', 'x-errata']);

type Visit = (node: JsonSchema, pointer: string) => void;

/** Calls `visit` on every subschema of `schema`, with its JSON Pointer. */
export function walkSchemas(schema: JsonSchema, visit: Visit, pointer = ''): void {
  visit(schema, pointer);
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYS.has(key) || value === null || typeof value !== 'object') continue;
    const at = `${pointer}/${key}`;
    if (SCHEMA_MAPS.has(key)) {
      for (const [name, sub] of Object.entries(value as Record<string, JsonSchema>))
        walkSchemas(sub, visit, `${at}/${name}`);
    } else if (Array.isArray(value)) {
      value.forEach((sub, index) => {
        if (sub !== null && typeof sub === 'object') walkSchemas(sub as JsonSchema, visit, `${at}/${index}`);
      });
    } else {
      walkSchemas(value as JsonSchema, visit, at);
    }
  }
}

function resolvePointer(root: unknown, fragment: string): unknown {
  if (fragment === '' || fragment === '/') return root;
  return fragment
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      root,
    );
}

function lintDocument(doc: SchemaDocument, byPath: Map<string, SchemaDocument>): string[] {
  const problems: string[] = [];
  const where = `spec/${doc.path}`;
  if (doc.schema.$schema !== DRAFT_07) problems.push(`${where}: $schema must be ${DRAFT_07}`);
  if (doc.schema.$id !== SPEC_ID_BASE + doc.path)
    problems.push(`${where}: $id must be ${SPEC_ID_BASE + doc.path}`);
  if (!doc.typeName) problems.push(`${where}: needs a title (it names the TypeScript type)`);
  if (!doc.description) problems.push(`${where}: needs a description (it becomes the JSDoc)`);

  walkSchemas(doc.schema, (node, pointer) => {
    const at = `${where}#${pointer}`;
    for (const key of Object.keys(node)) {
      if (!ALLOWED_KEYWORDS.has(key)) problems.push(`${at}: keyword "${key}" is not allowed in the spec`);
    }
    if (node['x-open-enum'] !== undefined && !Array.isArray(node.enum))
      problems.push(`${at}: x-open-enum goes beside an enum`);
    if (typeof node.$ref !== 'string') return;
    const siblings = Object.keys(node).filter((key) => key !== '$ref' && key !== 'description');
    if (siblings.length)
      problems.push(`${at}: only "description" may stand beside $ref (found ${siblings.join(', ')})`);
    const target = new URL(node.$ref, doc.id).href;
    const targetPath = specPathOf(target);
    const targetDoc = targetPath === undefined ? undefined : byPath.get(targetPath);
    const fragment = decodeURIComponent(target.split('#')[1] ?? '');
    if (!targetDoc || resolvePointer(targetDoc.schema, fragment) === undefined) {
      problems.push(`${at}: $ref "${node.$ref}" does not resolve to anything in spec/`);
    }
  });
  return problems;
}

function lintUniqueNames(documents: SchemaDocument[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const shapes = new Map<string, string>();
  for (const doc of documents) {
    const names = [doc.typeName];
    walkSchemas(doc.schema, (node) => {
      if (node !== doc.schema && typeof node.title === 'string') names.push(node.title);
    });
    for (const name of names) {
      const other = seen.get(name);
      if (other) problems.push(`spec/${doc.path}: the name ${name} is also declared by spec/${other}`);
      seen.set(name, doc.path);
    }
    if (doc.kind === 'model' && doc.schema.properties) {
      const shape = JSON.stringify(doc.schema.properties);
      const twin = shapes.get(shape);
      if (twin)
        problems.push(
          `spec/${doc.path}: declares exactly the same properties as spec/${twin}; share one model`,
        );
      shapes.set(shape, doc.path);
    }
  }
  return problems;
}

function lintTopics(model: SpecModel): string[] {
  const problems: string[] = [];
  const files = new Set(model.topics.map((topic) => topic.topic));
  for (const entry of model.api.topics) {
    if (!files.has(entry.kind))
      problems.push(`spec/api.json lists topic ${entry.kind}, which has no spec/topics/${entry.kind}.json`);
  }
  const listed = new Set(model.api.topics.map((entry) => entry.kind));
  const ajv = createSpecAjv(model.documents);
  for (const topic of model.topics) {
    const where = `spec/${topic.path}`;
    if (!listed.has(topic.topic)) problems.push(`${where}: the topic is not listed in spec/api.json`);
    const kindConst = (topic.schema.properties as Record<string, JsonSchema> | undefined)?.kind?.const;
    if (kindConst !== topic.topic)
      problems.push(`${where}: properties.kind must be {"const": "${topic.topic}"}`);
    if (topic.typeName !== `${topic.dataTypeName.replace(/Data$/, '')}Webhook`) {
      problems.push(`${where}: title must be ${topic.dataTypeName.replace(/Data$/, '')}Webhook`);
    }
    const dataTitle = (topic.schema.properties as Record<string, JsonSchema> | undefined)?.data?.title;
    if (dataTitle !== topic.dataTypeName)
      problems.push(`${where}: properties.data.title must be ${topic.dataTypeName}`);
    if (topic.examples.length === 0)
      problems.push(`${where}: needs at least one example (the docs' example, corrected)`);
    const validate = ajv.getSchema(topic.id);
    for (const example of topic.examples) {
      if (validate && !validate(example.payload)) {
        const detail = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        problems.push(`${where}: example ${example.name} does not validate: ${detail}`);
      }
    }
  }
  return problems;
}

/** Problems in the documents themselves: run before refs are resolved, so a broken $ref reads clearly. */
export function lintDocuments(documents: SchemaDocument[]): string[] {
  const byPath = new Map(documents.map((doc) => [doc.path, doc]));
  return [...documents.flatMap((doc) => lintDocument(doc, byPath)), ...lintUniqueNames(documents)];
}

/** Problems in the resolved model: the topic list, names and examples. */
export function lintModel(model: SpecModel): string[] {
  return lintTopics(model);
}
