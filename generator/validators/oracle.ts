/**
 * Ajv itself, compiling at run time the same schemas the generated validators
 * are written from (allErrors, objects closed, ajv-formats' full date-time):
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

export function createOracle(model: SpecModel): Oracle {
  const ajv = new Ajv({ strict: true, allErrors: true, messages: false });
  (addFormatsPlugin as unknown as (ajv: Ajv) => Ajv)(ajv);
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
