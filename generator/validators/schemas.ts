/**
 * The schemas the validators are compiled from: the spec's documents, rewritten
 * so that ONE compiled set serves both modes.
 *
 * - Objects that declare `properties` are closed (`additionalProperties: false`),
 *   so an undocumented property shows up as an `additionalProperties` error that
 *   the runtime turns into an `unknown-property` warning. A payload without any
 *   undocumented property or value passes on the first call, which is the fast path.
 * - Closed enums stay enums: strict mode reports an unknown value as an error,
 *   tolerant mode turns it into an `unknown-enum-value` warning.
 * - Open enums (`x-open-enum`: the vendor lists examples, not every value) become
 *   their values' types: no mode rejects or reports a value missing from the list.
 * - A nullable `anyOf: [X, {type: "null"}]` becomes X with `null` added to its
 *   type when X has one type (a `$ref` to a shared definition such as Timestamp
 *   is inlined first), because `format`, `pattern` and the like only apply to
 *   their own type: one check instead of two branches. Otherwise it becomes
 *   `if: {type: "null"}, else: X`, so the errors inside X reach the caller one by
 *   one (an `anyOf` would fold them into one failure, and an undocumented
 *   property inside X would fail the whole branch).
 * - Objects and enums inside any other combinator are left as written (open,
 *   enforced in both modes): warnings there could not be told from failures.
 * - Annotations (title, description, examples, errata) are dropped: the runtime never needs them.
 */
import type { JsonSchema } from '../spec/load.js';

const ANNOTATIONS = ['title', 'description', 'examples', 'x-errata', '$comment'];
const COMBINATORS = ['anyOf', 'oneOf', 'allOf', 'not'];

function isNullBranch(schema: unknown): boolean {
  return (schema as JsonSchema | null)?.type === 'null' && Object.keys(schema as JsonSchema).length === 1;
}

/** JSON types of an open enum's values, as a `type` keyword. */
function typeOfValues(values: unknown[]): string | string[] {
  const types = [...new Set(values.map((value) => (value === null ? 'null' : typeof value)))].sort();
  return types.length === 1 ? types[0]! : types;
}

/** Resolves a `$ref` to a small shared definition (e.g. Timestamp), or undefined to keep the ref. */
export type InlineRef = (ref: string) => JsonSchema | undefined;

/** X with `null` added to its one type, or undefined when X cannot simply take null. */
function withNullType(branch: JsonSchema, inline: InlineRef): JsonSchema | undefined {
  const target = typeof branch.$ref === 'string' ? inline(branch.$ref) : branch;
  if (!target || typeof target.type !== 'string' || target.enum || target.const !== undefined)
    return undefined;
  const { description: _description, title: _title, ...rest } = target;
  return { ...rest, type: [target.type, 'null'] };
}

function rewriteNode(node: JsonSchema, insideCombinator: boolean, inline: InlineRef): JsonSchema {
  const branches = node.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(branches) && branches.length === 2 && branches.some(isNullBranch)) {
    const other = branches.find((branch) => !isNullBranch(branch))!;
    const { anyOf: _anyOf, ...rest } = node;
    const merged = withNullType(other, inline);
    if (merged) return rewriteNode({ ...rest, ...merged }, insideCombinator, inline);
    // The non-null branch is rewritten as if it stood alone: it is no longer inside a combinator.
    return {
      ...rewriteNode(rest, insideCombinator, inline),
      if: { type: 'null' },
      else: rewriteNode(other, insideCombinator, inline),
    };
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.includes(key) || key === 'x-open-enum') continue;
    out[key] = rewriteChild(key, value, insideCombinator || COMBINATORS.includes(key), inline);
  }
  if (node['x-open-enum'] === true && Array.isArray(node.enum)) {
    delete out.enum;
    out.type = typeOfValues(node.enum);
  }
  if (!insideCombinator && out.properties && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

function rewriteChild(key: string, value: unknown, insideCombinator: boolean, inline: InlineRef): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (key === 'enum' || key === 'const' || key === 'required') return value;
  if (key === 'properties' || key === 'definitions') {
    return Object.fromEntries(
      Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [
        name,
        rewriteNode(sub, insideCombinator, inline),
      ]),
    );
  }
  if (Array.isArray(value))
    return value.map((sub) =>
      sub && typeof sub === 'object' ? rewriteNode(sub as JsonSchema, insideCombinator, inline) : sub,
    );
  return rewriteNode(value as JsonSchema, insideCombinator, inline);
}

/** A spec document as the validators compile it (see the module comment). */
export function compilableSchema(schema: JsonSchema, inline: InlineRef = () => undefined): JsonSchema {
  return rewriteNode(schema, false, inline);
}
