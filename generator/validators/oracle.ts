/**
 * Ajv itself, compiling at run time the same schemas the generated validators
 * are written from (allErrors, objects closed, ajv-formats' full date-time,
 * and our one keyword, `requiredStrict`, taught to it below):
 * the reference the tests compare both generated paths with, error for error.
 * Never used by the runtime package.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { SpecModel } from '../model.js';
import { validatedDocuments, validatedSchema } from './documents.js';

/** An error as Ajv reports it, reduced to what the runtime's classification reads. */
export interface OracleError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Every error Ajv finds in `value` against the document named `typeName` (empty when it passes). */
export type Oracle = (typeName: string, value: unknown) => OracleError[];

/**
 * `requiredStrict: [names]`: on an object, an error per name that is missing, in Ajv's own
 * `required` shape (`params.missingProperty`). Untyped, as the interpreter runs it: after the
 * untyped keywords, before the type's own.
 */
function promised(names: string[], data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return true;
  const record = data as Record<string, unknown>;
  const missing = names.filter((name) => record[name] === undefined);
  promised.errors = missing.map((name) => ({ keyword: 'requiredStrict', params: { missingProperty: name } }));
  return missing.length === 0;
}
promised.errors = [] as Array<{ keyword: string; params: Record<string, unknown> }>;

export function createOracle(model: SpecModel): Oracle {
  const ajv = new Ajv({ strict: true, allErrors: true, messages: false });
  (addFormatsPlugin as unknown as (ajv: Ajv) => Ajv)(ajv);
  ajv.addKeyword({ keyword: 'requiredStrict', schemaType: 'array', errors: true, validate: promised });
  ajv.addSchema(validatedSchema(model, model.common));
  for (const doc of validatedDocuments(model)) ajv.addSchema(validatedSchema(model, doc));
  const validators = new Map<string, ValidateFunction>();
  for (const doc of validatedDocuments(model)) validators.set(doc.typeName, ajv.getSchema(doc.id)!);
  return (typeName, value) => {
    const validate = validators.get(typeName);
    if (!validate) throw new Error(`oracle: no document named ${typeName}`);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(({ instancePath, keyword, params }) => ({
      instancePath,
      keyword,
      params,
    }));
  };
}
