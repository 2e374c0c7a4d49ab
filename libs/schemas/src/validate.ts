import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { PlatformError } from './errors';

const ajv = addFormats(new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false }));
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Compiles a schema once (per schema object) and returns a typed guard. */
export function compileSchema<T extends TSchema>(schema: T): ValidateFunction<Static<T>> {
  let validate = compiled.get(schema);
  if (!validate) {
    // `$id`s repeat across separately built request schemas; ids are documentation here, not refs.
    const { $id: _id, ...anonymous } = schema as TSchema & { $id?: string };
    validate = ajv.compile(anonymous);
    compiled.set(schema, validate);
  }
  return validate as ValidateFunction<Static<T>>;
}

/** One readable sentence for the first schema error, naming the field: `text: must NOT have more than 512 characters`. */
export function describeSchemaError(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid value';
  const field = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : '';
  let message = first.message ?? 'is invalid';
  if (first.keyword === 'additionalProperties') {
    message = `unknown field '${(first.params as { additionalProperty: string }).additionalProperty}'`;
  } else if (first.keyword === 'required') {
    message = `missing required field '${(first.params as { missingProperty: string }).missingProperty}'`;
  } else if (first.keyword === 'pattern' && first.params && (first.params as { pattern: string }).pattern === '\\S') {
    message = 'must not be empty or whitespace only';
  } else if (first.keyword === 'const' || first.keyword === 'enum') {
    message = `${message}: ${JSON.stringify(first.params)}`;
  }
  return field ? `${field}: ${message}` : message;
}

/** Validates `value`, returning it typed, or throws a VALIDATION_ERROR naming the field. */
export function assertValid<T extends TSchema>(schema: T, value: unknown, what = 'value'): Static<T> {
  const validate = compileSchema(schema);
  if (validate(value)) return value;
  throw new PlatformError('VALIDATION_ERROR', `${what} is invalid: ${describeSchemaError(validate.errors)}`);
}
