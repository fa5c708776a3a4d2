/**
 * What the types say beyond the shapes: the JSDoc the envelope gives every topic's
 * `id`, `kind` and `sent_at`, the JSDoc of promised properties (`x-required-strict`),
 * and the interfaces that custom properties are typed through (`x-custom-properties`:
 * `interface Profile extends ProfileProperties`, which consumers augment).
 * Each is a change of schema nodes before json-schema-to-typescript reads them.
 */
import type { SchemaDocument } from '../model.js';
import type { JsonSchema, ObjectNode, Property, SchemaNode } from '../schema/index.js';

/** The JSDoc of a property the docs promise but strict validation alone requires. */
export const PROMISED_DOC =
  "Promised by the vendor's docs: strict validation requires it; tolerant validation (the default) takes a delivery without it, so check it before use.";

/** The name of the interface that types the custom properties of `typeName` (`ProfileProperties`). */
export function customPropertiesName(typeName: string): string {
  return `${typeName}Properties`;
}

function withDescription(node: SchemaNode, text: string, replace = false): SchemaNode {
  const current = node.annotations.description;
  const description = current && !replace ? `${current} ${text}` : text;
  return { ...node, annotations: { ...node.annotations, description } } as SchemaNode;
}

/** The sentence a `$ref` with promised properties adds to its JSDoc. */
function promisedHere(names: string[]): string {
  const list = names.map((name) => `\`${name}\``).join(', ');
  return `Promised here by the vendor's docs: ${list} (strict validation requires ${names.length > 1 ? 'them' : 'it'}; tolerant validation does not).`;
}

/** `node` with the JSDoc of promised properties, at any depth (refs are not followed). */
export function withPromisedDocs(node: SchemaNode): SchemaNode {
  switch (node.kind) {
    case 'ref':
      return node.requiredStrict.length ? withDescription(node, promisedHere(node.requiredStrict)) : node;
    case 'object': {
      const properties = node.properties.map((property): Property => ({
        ...property,
        node: withPromisedDocs(
          node.requiredStrict.includes(property.name)
            ? withDescription(property.node, PROMISED_DOC)
            : property.node,
        ),
      }));
      return { ...node, properties };
    }
    case 'array':
      return node.items ? { ...node, items: withPromisedDocs(node.items) } : node;
    case 'nullable':
      return { ...node, node: withPromisedDocs(node.node) };
    case 'union':
    case 'allOf':
      return { ...node, branches: node.branches.map(withPromisedDocs) };
    default:
      return node;
  }
}

/** A topic's root with the envelope's descriptions on the envelope keys it does not describe itself. */
export function withEnvelopeDocs(root: SchemaNode, envelope: SchemaDocument): SchemaNode {
  if (root.kind !== 'object' || envelope.root.kind !== 'object') return root;
  const envelopeDocs = new Map(
    envelope.root.properties.map((property) => [property.name, property.node.annotations.description]),
  );
  const properties = root.properties.map((property): Property => {
    const doc = envelopeDocs.get(property.name);
    return doc && property.node.annotations.description === undefined
      ? { ...property, node: withDescription(property.node, doc, true) }
      : property;
  });
  return { ...root, properties } as ObjectNode;
}

/** The jstt definition of the (empty, augmentable) interface of a document's custom properties. */
export function customPropertiesDefinition(doc: SchemaDocument): [string, JsonSchema] {
  const name = customPropertiesName(doc.typeName);
  const description = [
    `The custom properties of a ${doc.typeName}: the keys you send to Chameleon yourself, which it stores under their normalized names.`,
    'Empty here; type yours by module augmentation:',
    '',
    "    declare module 'chameleon-webhooks' {",
    `      interface ${name} {`,
    '        plan_name?: string;',
    '      }',
    '    }',
    '',
    `and \`${doc.typeName}\` (which extends it) carries them. Declare them optional: a ${doc.typeName} without them is still valid.`,
  ].join('\n');
  return [name, { title: name, description, type: 'object', properties: {}, additionalProperties: false }];
}
