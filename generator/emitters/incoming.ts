/**
 * Data into Chameleon: the facts module `src/incoming/facts.ts` (endpoints,
 * limits, reserved keys and identifier rules from spec/api.json and
 * spec/incoming/). The normalization, the incoming client and the `import` CLI
 * subcommand are runtime source (templates/typescript/runtime/) that reads
 * every number and name it uses from that module.
 */
import type { ObjectNode } from '../schema/index.js';
import { render } from '../templates.js';
import type { SchemaDocument, SpecModel } from '../model.js';
import type { Emitter } from './emitter.js';

/** What one incoming endpoint accepts, as the runtime needs it. */
interface IncomingEndpointContext {
  model: string;
  path: string;
  secretPath: string;
  batchPath?: string;
  /** The secret-in-path form of the batch path (the batch suffix after `secretPath`). */
  secretBatchPath?: string;
  /** The key of the item array in a batch body (`profiles`). */
  batchKey?: string;
  /** Keys the schema documents: identifiers and known fields, never renamed. */
  knownKeys: string[];
  /** Keys every item needs. */
  required: string[];
  /** At least one of these key sets must be present (from the schema's `anyOf`). */
  identifierSets: string[][];
}

function documentAt(model: SpecModel, rel: string): SchemaDocument {
  const doc = model.incoming.find((candidate) => candidate.path === rel);
  if (!doc) throw new Error(`spec/api.json names spec/${rel}, which is not an incoming schema`);
  return doc;
}

/** An incoming body's root object (the JSON body of a request). */
function bodyOf(doc: SchemaDocument): ObjectNode {
  if (doc.root.kind !== 'object') throw new Error(`spec/${doc.path}: an incoming body is an object`);
  return doc.root;
}

/** The one array property of a batch body (`profiles`, `companies`). */
function batchKeyOf(doc: SchemaDocument): string {
  const key = bodyOf(doc).properties.find((property) => property.required && property.node.kind === 'array');
  if (!key) throw new Error(`spec/${doc.path}: a batch body needs one required array property`);
  return key.name;
}

function endpointContext(
  model: SpecModel,
  endpoint: SpecModel['api']['incoming']['endpoints'][number],
): IncomingEndpointContext {
  const doc = documentAt(model, endpoint.schema);
  const body = bodyOf(doc);
  const context: IncomingEndpointContext = {
    model: endpoint.model,
    path: endpoint.path,
    secretPath: endpoint.secretPath,
    knownKeys: body.properties.map((property) => property.name),
    required: body.required,
    identifierSets: body.requiredAlternatives.filter((set) => set.length > 0),
  };
  if (endpoint.batchPath && endpoint.batchSchema) {
    if (!endpoint.batchPath.startsWith(endpoint.path)) {
      throw new Error(`spec/api.json: the batch path of ${endpoint.model} must extend its path`);
    }
    const batchDoc = documentAt(model, endpoint.batchSchema);
    context.batchPath = endpoint.batchPath;
    context.secretBatchPath = endpoint.secretPath + endpoint.batchPath.slice(endpoint.path.length);
    context.batchKey = batchKeyOf(batchDoc);
  }
  return context;
}

export const incomingEmitter: Emitter = {
  name: 'incoming',
  emit(model) {
    const { api } = model;
    const endpoints = api.incoming.endpoints.map((endpoint) => endpointContext(model, endpoint));
    const context = {
      api,
      incoming: api.incoming,
      endpoints,
      batchEndpoints: endpoints.filter((endpoint) => endpoint.batchPath),
    };
    return [
      {
        path: 'typescript/src/incoming/facts.ts',
        contents: render('typescript/incoming/facts.ts', context),
        exportFrom: ['.', './web'],
      },
    ];
  },
};
