/**
 * The guard writer (generator/validators/guards.ts) as a unit: small inline
 * schemas in, the guard code it writes out, and that code run on given values.
 * Every keyword the writer claims to support has a case here, including those
 * today's spec does not use, and so does every schema it must refuse.
 */
import { transform } from 'esbuild';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as prettier from 'prettier';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isDateTime } from '../../generated/typescript/src/validators/formats.js';
import type { JsonSchema } from '../../generator/spec/load.js';
import { render } from '../../generator/templates.js';
import { buildInlineSpec } from './inline-spec.js';
import { sharedDefinitions } from '../../generator/validators/documents.js';
import {
  guardSources,
  oneClassRepeated,
  writeGuards,
  type GuardFunction,
  type WrittenGuards,
} from '../../generator/validators/guards.js';
import { ROOT } from '../helpers.js';

/** The shared definitions every case may refer to: a definition with a pattern, one with a closed enum. */
const COMMON: JsonSchema = {
  title: 'Common',
  definitions: {
    Code: { type: 'string', pattern: '^[a-z]{3}$' },
    Level: { enum: ['low', 'high'] },
  },
};

const build = buildInlineSpec;

/** Guards of the shared definitions plus one model, `Thing`, whose schema is `schema`, and of `others`. */
function writeThing(schema: JsonSchema, others: Record<string, JsonSchema> = {}) {
  const files: Record<string, JsonSchema> = {
    'common.json': COMMON,
    'models/thing.json': { title: 'Thing', ...schema },
  };
  for (const [name, other] of Object.entries(others))
    files[`models/${name.toLowerCase()}.json`] = { title: name, ...other };
  const { documents, problems, index } = build(files);
  if (problems.length) throw new Error(problems.join('\n'));
  const [common, ...models] = documents;
  return writeGuards(guardSources(common!, models), sharedDefinitions('common.json', index));
}

/** The functions a case wrote beyond the shared definitions, as `name(params)` and the body. */
function code(functions: GuardFunction[]): string {
  return functions
    .filter((guard) => guard.name !== 'isCode' && guard.name !== 'isLevel')
    .map((guard) => {
      const params = [guard.readsValue ? 'v' : '_v', ...(guard.readsStrict ? ['s'] : [])].join(', ');
      return [`${guard.name}(${params})`, ...guard.body.map((line) => `  ${line}`)].join('\n');
    })
    .join('\n');
}

/** The guards module as the pipeline renders and formats it. */
async function guardsModule(guards: WrittenGuards): Promise<string> {
  const text = render('typescript/validators/guards.ts', {
    api: { apiVersion: 'v1', specVersion: '0.0' },
    guards,
  });
  const config = (await prettier.resolveConfig(`${ROOT}/.prettierrc.json`)) ?? {};
  return prettier.format(text, { ...config, filepath: 'guards.ts' });
}

type Guards = Record<string, (value: unknown, strict?: boolean) => boolean>;

/** Compiles the module with esbuild and evaluates it here, in the test (never in the runtime package). */
async function load(source: string): Promise<Guards> {
  const { code: js } = await transform(source, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as Guards };
  const require = (specifier: string) => {
    if (specifier !== './formats.js') throw new Error(`the guards module imports ${specifier}`);
    return { isDateTime };
  };
  new Function('module', 'exports', 'require', js)(module, module.exports, require);
  return module.exports;
}

/**
 * TypeScript's errors in a guards module, with unused locals and parameters as
 * errors too: it must compile on `unknown` values by narrowing alone.
 */
function typeErrors(source: string): string[] {
  const files = new Map([
    ['/virtual/guards.ts', source],
    ['/virtual/formats.ts', 'export declare function isDateTime(text: string): boolean;\n'],
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name);
  host.directoryExists = (name) => name === '/virtual' || ts.sys.directoryExists(name);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.getSourceFile = (name, version) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile(name, version) : ts.createSourceFile(name, text, version);
  };
  const program = ts.createProgram(['/virtual/guards.ts'], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** [value, strict, want]: the verdict `isThing(value, strict)` must give. */
type Verdict = [unknown, boolean, boolean];

interface Case {
  name: string;
  given: JsonSchema;
  /** Other models the schema refers to, by name. */
  others?: Record<string, JsonSchema>;
  /** The written functions (see `code`). */
  want: string;
  verdicts: Verdict[];
}

const CASES: Case[] = [
  {
    name: 'type: string',
    given: { type: 'string' },
    want: "isThing(v)\n  if (!(typeof v === 'string')) return false;\n  return true;",
    verdicts: [
      ['a', false, true],
      [1, false, false],
      [null, false, false],
    ],
  },
  {
    name: 'type: number (finite only, as Ajv with strictNumbers)',
    given: { type: 'number' },
    want: "isThing(v)\n  if (!(typeof v === 'number' && Number.isFinite(v))) return false;\n  return true;",
    verdicts: [
      [1.5, false, true],
      [Number.NaN, false, false],
      [Number.POSITIVE_INFINITY, false, false],
      ['1', false, false],
    ],
  },
  {
    name: 'type: integer',
    given: { type: 'integer' },
    want: "isThing(v)\n  if (!(typeof v === 'number' && Number.isInteger(v))) return false;\n  return true;",
    verdicts: [
      [2, false, true],
      [2.5, false, false],
    ],
  },
  {
    name: 'type: boolean',
    given: { type: 'boolean' },
    want: "isThing(v)\n  if (!(typeof v === 'boolean')) return false;\n  return true;",
    verdicts: [
      [false, false, true],
      [0, false, false],
    ],
  },
  {
    name: 'type: null',
    given: { type: 'null' },
    want: 'isThing(v)\n  if (!(v === null)) return false;\n  return true;',
    verdicts: [
      [null, false, true],
      [undefined, false, false],
    ],
  },
  {
    name: 'type: array (without items)',
    given: { type: 'array' },
    want: 'isThing(v)\n  if (!(Array.isArray(v))) return false;\n  return true;',
    verdicts: [
      [[], false, true],
      [{}, false, false],
    ],
  },
  {
    name: 'type: object (without properties)',
    given: { type: 'object' },
    want: 'isThing(v)\n  if (!(isObject(v))) return false;\n  return true;',
    verdicts: [
      [{}, false, true],
      [[], false, false],
      [null, false, false],
    ],
  },
  {
    name: 'an array of types',
    given: { type: ['string', 'integer', 'null'] },
    want:
      "isThing(v)\n  if (!((typeof v === 'string') || (typeof v === 'number' && Number.isInteger(v)) || (v === null))) return false;\n" +
      '  return true;',
    verdicts: [
      ['a', false, true],
      [3, false, true],
      [null, false, true],
      [3.5, false, false],
      [true, false, false],
    ],
  },
  {
    name: 'enum: any string passes unless strict',
    given: { type: 'string', enum: ['red', 'green'] },
    want:
      "isThing(v, s)\n  if (!(typeof v === 'string')) return false;\n" +
      '  if (!(v === "red" || v === "green" || (!s && typeof v === \'string\'))) return false;\n  return true;',
    verdicts: [
      ['red', true, true],
      ['blue', false, true],
      ['blue', true, false],
      [1, false, false],
    ],
  },
  {
    name: 'enum of numbers: a number never passes as an unknown value',
    given: { enum: [1, 2] },
    want: "isThing(v, s)\n  if (!(v === 1 || v === 2 || (!s && typeof v === 'string'))) return false;\n  return true;",
    verdicts: [
      [2, true, true],
      [3, false, false],
    ],
  },
  {
    name: 'const',
    given: { const: 'ping' },
    want: 'isThing(v)\n  if (v !== "ping") return false;\n  return true;',
    verdicts: [
      ['ping', false, true],
      ['pong', false, false],
    ],
  },
  {
    name: 'minLength and maxLength on a string',
    given: { type: 'string', minLength: 2, maxLength: 3 },
    want:
      "isThing(v)\n  if (!(typeof v === 'string')) return false;\n  if (v.length < 2) return false;\n" +
      '  if (v.length > 3) return false;\n  return true;',
    verdicts: [
      ['ab', false, true],
      ['abc', false, true],
      ['a', false, false],
      ['abcd', false, false],
    ],
  },
  {
    name: 'pattern: a constant named after its owner',
    given: { type: 'string', pattern: '^x+$' },
    want: "isThing(v)\n  if (!(typeof v === 'string')) return false;\n  if (!THING_PATTERN.test(v)) return false;\n  return true;",
    verdicts: [
      ['xx', false, true],
      ['xy', false, false],
    ],
  },
  {
    name: 'format: date-time',
    given: { type: ['string', 'null'], format: 'date-time' },
    want:
      "isThing(v)\n  if (!((typeof v === 'string') || (v === null))) return false;\n" +
      "  if (typeof v === 'string' && !isDateTime(v)) return false;\n  return true;",
    verdicts: [
      ['2029-12-11T00:28:59.651Z', false, true],
      [null, false, true],
      ['2029-13-11T00:28:59Z', false, false],
    ],
  },
  {
    name: 'minimum and maximum on an integer',
    given: { type: 'integer', minimum: 0, maximum: 10 },
    want:
      "isThing(v)\n  if (!(typeof v === 'number' && Number.isInteger(v))) return false;\n  if (!(v >= 0)) return false;\n" +
      '  if (!(v <= 10)) return false;\n  return true;',
    verdicts: [
      [0, false, true],
      [10, false, true],
      [-1, false, false],
      [11, false, false],
    ],
  },
  {
    name: 'exclusiveMinimum and exclusiveMaximum beside another type',
    given: { type: ['number', 'string'], exclusiveMinimum: 0, exclusiveMaximum: 1 },
    want:
      "isThing(v)\n  if (!((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string'))) return false;\n" +
      "  if (typeof v === 'number' && !(v > 0)) return false;\n  if (typeof v === 'number' && !(v < 1)) return false;\n" +
      '  return true;',
    verdicts: [
      [0.5, false, true],
      ['anything', false, true],
      [0, false, false],
      [1, false, false],
    ],
  },
  {
    name: 'required and properties: shared checks read a property in place, other checks name a variable by its path',
    given: {
      type: 'object',
      required: ['id', 'data'],
      properties: {
        id: { type: 'string' },
        data: {
          type: 'object',
          properties: {
            count: { type: 'integer' },
            'display-name': { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          },
        },
        note: { type: 'string' },
        free: {},
      },
    },
    want: [
      'is_integer(v)',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  return true;',
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'opt_integer(v)',
      '  if (v === undefined) return true;',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  return true;',
      'opt_string(v)',
      '  if (v === undefined) return true;',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (!(isObject(v))) return false;',
      '  if (!is_string(v.id)) return false;',
      '  const data = v.data;',
      '  if (!(isObject(data))) return false;',
      '  if (!opt_integer(data.count)) return false;',
      '  const data_display_name = data["display-name"];',
      '  if (data_display_name !== undefined && (!(is_string(data_display_name) || is_integer(data_display_name)))) return false;',
      '  if (!opt_string(v.note)) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [{ id: 'a', data: {} }, false, true],
      [{ id: 'a', data: { count: 1, 'display-name': 'x' }, note: 'n', free: [1], extra: 1 }, false, true],
      [{ data: {} }, false, false],
      [{ id: 'a', data: { count: 1.5 } }, false, false],
      [{ id: 'a', data: { 'display-name': true } }, false, false],
      [{ id: 'a', data: {}, note: 1 }, false, false],
    ],
  },
  {
    name: 'properties without a type apply to objects only; a required key without a schema is only present',
    given: { required: ['id'], properties: { name: {} } },
    want: [
      'isThing(v)',
      '  if (isObject(v)) {',
      '    if (v.id === undefined) return false;',
      '  }',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [{ id: null }, false, true],
      [{}, false, false],
      ['not an object', false, true],
    ],
  },
  {
    name: 'a property named like a reserved word or a module name gets a suffix',
    given: {
      type: 'object',
      properties: {
        default: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        s: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        isCode: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        opt_string: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      },
    },
    want: [
      'is_integer(v)',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  return true;',
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (!(isObject(v))) return false;',
      '  const default_ = v.default;',
      '  if (default_ !== undefined && (!(is_string(default_) || is_integer(default_)))) return false;',
      '  const s_ = v.s;',
      '  if (s_ !== undefined && (!(is_string(s_) || is_integer(s_)))) return false;',
      '  const isCode_ = v.isCode;',
      '  if (isCode_ !== undefined && (!(is_string(isCode_) || is_integer(isCode_)))) return false;',
      '  const opt_string_ = v.opt_string;',
      '  if (opt_string_ !== undefined && (!(is_string(opt_string_) || is_integer(opt_string_)))) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [{ default: 'a', s: 'b', isCode: 'c', opt_string: 1 }, false, true],
      [{ s: true }, false, false],
      [{ opt_string: true }, false, false],
    ],
  },
  {
    name: 'items: indices per loop depth, items named by path',
    given: {
      type: 'array',
      items: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    },
    want: [
      'is_integer(v)',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  return true;',
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (!(Array.isArray(v))) return false;',
      '  for (let i = 0; i < v.length; i++) {',
      '    const item: unknown = v[i];',
      '    if (!(Array.isArray(item))) return false;',
      '    for (let j = 0; j < item.length; j++) {',
      '      const item_item: unknown = item[j];',
      '      if (!(is_string(item_item) || is_integer(item_item))) return false;',
      '    }',
      '  }',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [[[1, 2], []], false, true],
      [[[1, 'x']], false, true],
      [[[1, true]], false, false],
      [[1], false, false],
    ],
  },
  {
    name: 'items without a type apply to arrays only',
    given: { items: { type: 'string' } },
    want: [
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (Array.isArray(v)) {',
      '    for (let i = 0; i < v.length; i++) {',
      '      if (!is_string(v[i])) return false;',
      '    }',
      '  }',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [['a'], false, true],
      [[1], false, false],
      ['not an array', false, true],
    ],
  },
  {
    name: 'anyOf: a branch without a shared check is a function named after its owner and place',
    given: {
      type: 'object',
      properties: { position: { anyOf: [{ const: 'top' }, { type: 'integer', minimum: 0 }] } },
    },
    want: [
      'is_integer_min_0(v)',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  if (!(v >= 0)) return false;',
      '  return true;',
      'isThing_position_branch1(v)',
      '  if (v !== "top") return false;',
      '  return true;',
      'isThing(v)',
      '  if (!(isObject(v))) return false;',
      '  const position = v.position;',
      '  if (position !== undefined && (!(isThing_position_branch1(position) || is_integer_min_0(position)))) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [{ position: 'top' }, false, true],
      [{ position: 2 }, false, true],
      [{ position: -1 }, false, false],
      [{ position: 'bottom' }, false, false],
      [{ position: null }, false, false],
    ],
  },
  {
    name: 'anyOf: a $ref branch calls its target; nested anyOfs name their place in the branch',
    given: {
      anyOf: [
        { $ref: '../common.json#/definitions/Code' },
        { type: 'array', items: { anyOf: [{ const: 0 }, { const: 1 }] } },
      ],
    },
    want: [
      'isThing_branch2_item_branch1(v)',
      '  if (v !== 0) return false;',
      '  return true;',
      'isThing_branch2_item_branch2(v)',
      '  if (v !== 1) return false;',
      '  return true;',
      'isThing_branch2(v)',
      '  if (!(Array.isArray(v))) return false;',
      '  for (let i = 0; i < v.length; i++) {',
      '    const item: unknown = v[i];',
      '    if (!(isThing_branch2_item_branch1(item) || isThing_branch2_item_branch2(item))) return false;',
      '  }',
      '  return true;',
      'isThing(v)',
      '  if (!(isCode(v) || isThing_branch2(v))) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      ['abc', false, true],
      [[0, 1, 1], false, true],
      ['abcd', false, false],
      [[2], false, false],
    ],
  },
  {
    name: 'a nullable whose other side has one type takes null as one more type',
    given: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }] },
    want:
      "isThing(v)\n  if (!((typeof v === 'string') || (v === null))) return false;\n" +
      "  if (typeof v === 'string' && v.length < 1) return false;\n  return true;",
    verdicts: [
      ['a', false, true],
      [null, false, true],
      ['', false, false],
      [1, false, false],
    ],
  },
  {
    name: 'a nullable ref to a shared single-check definition merges that check',
    given: { anyOf: [{ type: 'null' }, { $ref: '../common.json#/definitions/Code' }] },
    want:
      "isThing(v)\n  if (!((typeof v === 'string') || (v === null))) return false;\n" +
      "  if (typeof v === 'string' && (v.length !== 3 || CODE_PATTERN.test(v))) return false;\n  return true;",
    verdicts: [
      ['abc', false, true],
      [null, false, true],
      ['ab', false, false],
    ],
  },
  {
    name: 'type: [T, "null"] applies the other rules as written',
    given: { type: ['string', 'null'], enum: ['a', null] },
    want:
      "isThing(v, s)\n  if (!((typeof v === 'string') || (v === null))) return false;\n" +
      '  if (!(v === "a" || v === null || (!s && typeof v === \'string\'))) return false;\n  return true;',
    verdicts: [
      [null, true, true],
      ['a', true, true],
      ['b', false, true],
      ['b', true, false],
    ],
  },
  {
    name: "an open enum takes any value of its values' types, in either mode",
    given: { type: ['string', 'null'], enum: ['a', null], 'x-open-enum': true },
    want: "isThing(v)\n  if (!((v === null) || (typeof v === 'string'))) return false;\n  return true;",
    verdicts: [
      ['b', true, true],
      [null, true, true],
      [1, true, false],
    ],
  },
  {
    name: 'a nullable whose other side is not one type: checked unless null (the if/else form)',
    given: { anyOf: [{ properties: { id: { type: 'string' } }, required: ['id'] }, { type: 'null' }] },
    want: [
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (v !== null) {',
      '    if (isObject(v)) {',
      '      if (!is_string(v.id)) return false;',
      '    }',
      '  }',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [null, false, true],
      [{ id: 'a' }, false, true],
      [{}, false, false],
      ['not an object', false, true],
    ],
  },
  {
    name: 'a nullable ref to a model calls its guard unless null',
    given: { anyOf: [{ $ref: 'other.json' }, { type: 'null' }] },
    others: { Other: { type: 'string' } },
    want:
      'isThing(v)\n  if (v !== null) {\n    if (!isOther(v)) return false;\n  }\n  return true;\n' +
      "isOther(v)\n  if (!(typeof v === 'string')) return false;\n  return true;",
    verdicts: [
      [null, false, true],
      ['o', false, true],
      [1, false, false],
    ],
  },
  {
    name: 'a nullable union of three keeps null as a branch where it is written',
    given: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
    want: [
      'is_integer(v)',
      "  if (!(typeof v === 'number' && Number.isInteger(v))) return false;",
      '  return true;',
      'is_null(v)',
      '  if (!(v === null)) return false;',
      '  return true;',
      'is_string(v)',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (!(is_string(v) || is_integer(v) || is_null(v))) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      ['a', false, true],
      [1, false, true],
      [null, false, true],
      [1.5, false, false],
    ],
  },
  {
    name: '$ref to a shared definition: the strict flag is passed only to guards that read it',
    given: {
      type: 'object',
      properties: {
        code: { $ref: '../common.json#/definitions/Code' },
        level: { $ref: '../common.json#/definitions/Level' },
      },
    },
    want: [
      'optCode(v)',
      '  if (v === undefined) return true;',
      '  if (!isCode(v)) return false;',
      '  return true;',
      'optLevel(v, s)',
      '  if (v === undefined) return true;',
      '  if (!isLevel(v, s)) return false;',
      '  return true;',
      'isThing(v, s)',
      '  if (!(isObject(v))) return false;',
      '  if (!optCode(v.code)) return false;',
      '  if (!optLevel(v.level, s)) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [
      [{ code: 'abc', level: 'low' }, true, true],
      [{ code: 'ab' }, false, false],
      [{ level: 'medium' }, false, true],
      [{ level: 'medium' }, true, false],
    ],
  },
  {
    name: 'annotations and the closing of objects are not checked by the guard',
    given: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://spec.test/v1/models/thing.json',
      type: 'object',
      additionalProperties: false,
      properties: { id: { type: 'string' } },
    },
    want: [
      'opt_string(v)',
      '  if (v === undefined) return true;',
      "  if (!(typeof v === 'string')) return false;",
      '  return true;',
      'isThing(v)',
      '  if (!(isObject(v))) return false;',
      '  if (!opt_string(v.id)) return false;',
      '  return true;',
    ].join('\n'),
    verdicts: [[{ id: 'a', extra: true }, false, true]],
  },
  {
    name: 'a schema that checks nothing does not read its value',
    given: {},
    want: 'isThing(_v)\n  return true;',
    verdicts: [[Symbol('anything'), false, true]],
  },
];

describe('GuardWriter: given a schema, want the guard', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, { given, others, want, verdicts }) => {
    const guards = writeThing(given, others);
    expect(code(guards.functions)).toBe(want);
    const { isThing } = await load(await guardsModule(guards));
    for (const [value, strict, verdict] of verdicts)
      expect(isThing!(value, strict), `isThing(${String(JSON.stringify(value))}, ${strict})`).toBe(verdict);
  });
});

describe('GuardWriter: names stay local', () => {
  it('names patterns after the definition that owns them and reuses them', () => {
    const guards = writeThing({
      type: 'object',
      properties: { a: { type: 'string', pattern: '^[a-z]{3}$' }, b: { type: 'string', pattern: '^b$' } },
    });
    expect(guards.patterns).toEqual([
      {
        name: 'CODE_PATTERN',
        source: '^[a-z]{3}$',
        regex: '[^a-z]',
        flags: '',
        lengths: { min: 3, max: 3 },
      },
      { name: 'THING_B_PATTERN', source: '^b$', regex: '^b$', flags: '' },
    ]);
  });

  it('gives two patterns that would share a name distinct names', () => {
    const guards = writeThing({
      type: 'object',
      properties: {
        a_b: { type: 'string', pattern: '^1$' },
        a: { type: 'object', properties: { b: { type: 'string', pattern: '^2$' } } },
      },
    });
    expect(guards.patterns.map((pattern) => pattern.name)).toEqual([
      'CODE_PATTERN',
      'THING_A_B_PATTERN',
      'THING_A_B_PATTERN_2',
    ]);
  });

  it('uses the u flag only where it can change a match', () => {
    const guards = writeThing({
      type: 'object',
      properties: { a: { type: 'string', pattern: '^[^x]$' }, b: { type: 'string', pattern: '^\\p{L}$' } },
    });
    expect(guards.patterns.map((pattern) => pattern.flags)).toEqual(['', 'u', 'u']);
  });

  it("does not change another schema's guard when a property is added", () => {
    const other = { type: 'object', properties: { x: { type: 'string', pattern: '^o$' } } };
    const before = writeThing({ type: 'object', properties: { a: { type: 'string' } } }, { Other: other });
    const after = writeThing(
      {
        type: 'object',
        properties: { z: { anyOf: [{ type: 'string' }, { type: 'null' }] }, a: { type: 'string' } },
      },
      { Other: other },
    );
    const otherGuard = (written: WrittenGuards) => written.functions.find((f) => f.name === 'isOther');
    expect(otherGuard(after)).toEqual(otherGuard(before));
  });

  it('passes s down through a chain of refs, and only there', () => {
    const guards = writeThing(
      { type: 'object', properties: { a: { $ref: 'middle.json' }, b: { $ref: 'plain.json' } } },
      { Middle: { $ref: '../common.json#/definitions/Level' }, Plain: { type: 'string' } },
    );
    const strict = Object.fromEntries(guards.functions.map((f) => [f.name, f.readsStrict]));
    // The optional properties' shared checks (`optMiddle`, `optPlain`) are links of the chain too.
    expect(strict).toEqual({
      isCode: false,
      isLevel: true,
      isThing: true,
      isMiddle: true,
      isPlain: false,
      optMiddle: true,
      optPlain: false,
    });
  });

  it('writes a module that compiles and exports the guard of every named schema (the schema table is keyed by them)', async () => {
    const module = await guardsModule(
      writeThing({ type: 'object', properties: { c: { $ref: '../common.json#/definitions/Code' } } }),
    );
    expect(Object.keys(await load(module)).sort()).toEqual(['isCode', 'isLevel', 'isThing']);
  });
});

describe('a pattern that only repeats one class of ASCII characters: its length, and no character outside the class', () => {
  it.each([
    ['^[0-9a-f]{24}$', { members: '0-9a-f', min: 24, max: 24 }],
    ['^[a-z_]{2,5}$', { members: 'a-z_', min: 2, max: 5 }],
    ['^[A-Z.]{2,}$', { members: 'A-Z.', min: 2, max: undefined }],
    ['^[a-c-e]{1}$', { members: 'a-c-e', min: 1, max: 1 }],
    ['^x+$', undefined],
    ['^[^x]{2}$', undefined],
    ['^[a-]{2}$', undefined],
    ['^[\\d]{3}$', undefined],
    ['^[a-z]{3}', undefined],
    ['^[a-z]+$', undefined],
  ])('%s', (pattern, want) => {
    expect(oneClassRepeated(pattern)).toEqual(want);
  });

  it('writes a guard that agrees with the pattern (with the u flag, as Ajv compiles it) on any string', async () => {
    const patterns = ['^[0-9a-f]{24}$', '^[0-9A-F]{6}$', '^[a-z_]{2,5}$', '^[a-c-e]{2,}$'];
    const loaded = await Promise.all(
      patterns.map(
        async (pattern) => (await load(await guardsModule(writeThing({ type: 'string', pattern })))).isThing!,
      ),
    );
    const near = fc
      .array(fc.constantFrom(...'0123456789abcdefABCDEFgz_-.\u00e9\ud83d\ude00'.split('')), { maxLength: 30 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.oneof(near, fc.string({ unit: 'binary', maxLength: 30 })), (text) => {
        for (const [index, pattern] of patterns.entries())
          expect(loaded[index]!(text, false), `${pattern} on ${JSON.stringify(text)}`).toBe(
            new RegExp(pattern, 'u').test(text),
          );
      }),
      { numRuns: 5000 },
    );
  });
});

describe('GuardWriter: refuses what it cannot check, naming the file and pointer', () => {
  it.each([
    [
      'oneOf',
      { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      /oneOf at spec\/models\/thing\.json# have no guard/,
    ],
    [
      'a nullable oneOf',
      { oneOf: [{ type: 'string' }, { type: 'null' }] },
      /oneOf at spec\/models\/thing\.json#/,
    ],
    ['allOf', { allOf: [{ type: 'string' }] }, /allOf at spec\/models\/thing\.json# have no guard/],
    ['not', { not: { type: 'string' } }, /not at spec\/models\/thing\.json#/],
    ['multipleOf', { type: 'integer', multipleOf: 2 }, /multipleOf at spec\/models\/thing\.json#/],
    [
      'a format without a guard',
      { type: 'string', format: 'email' },
      /format email at spec\/models\/thing\.json#/,
    ],
    ['array counts', { type: 'array', minItems: 1, uniqueItems: true }, /minItems, uniqueItems at/],
    ['property counts', { type: 'object', maxProperties: 3 }, /maxProperties at/],
    [
      'a schema for additional properties',
      { type: 'object', properties: { a: { type: 'object', additionalProperties: { type: 'string' } } } },
      /a schema for additionalProperties at spec\/models\/thing\.json#\/properties\/a have no guard/,
    ],
    [
      'an enum inside anyOf',
      { anyOf: [{ enum: ['a'] }, { type: 'integer' }] },
      /an enum inside anyOf at spec\/models\/thing\.json#\/anyOf\/0/,
    ],
    ['an object as const', { const: { a: 1 } }, /only primitive enum\/const values/],
    [
      'a $ref to a schema that is not a document or a definition',
      { properties: { a: { type: 'string' }, b: { $ref: '#/properties/a' } } },
      /cannot name the target of #\/properties\/a at spec\/models\/thing\.json#\/properties\/b/,
    ],
  ])('%s', (_name, given, error) => {
    expect(() => writeThing(given as JsonSchema)).toThrow(error);
  });

  it.each([
    ['a keyword the generator does not support', { type: 'string', if: { type: 'null' } }, 'keyword "if"'],
    ['a $ref outside the spec', { $ref: 'https://elsewhere.test/x.json' }, 'does not resolve'],
  ])('%s is a problem of the builder (the lint), before any guard', (_name, given, message) => {
    const { problems } = build({ 'common.json': COMMON, 'models/thing.json': { title: 'Thing', ...given } });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^spec/models/thing\\.json#: .*${message}`))]);
  });
});

describe('the guards module', () => {
  it('renders every keyword as the committed snapshot', async () => {
    const module = await guardsModule(
      writeThing({
        type: 'object',
        required: ['id', 'kind'],
        properties: Object.fromEntries([
          ['id', { $ref: '../common.json#/definitions/Code' }],
          ['kind', { const: 'thing' }],
          // Cases that need other documents or sit at a document's root stand alone above.
          ...CASES.flatMap((c, index) => (c.others || c.given.$schema ? [] : [[`case_${index}`, c.given]])),
        ]),
      }),
    );
    await expect(module).toMatchFileSnapshot('__snapshots__/guards.module.ts.snap');
    expect(typeErrors(module)).toEqual([]);
  });

  it("type-checks the spec's own guards with unused locals and parameters as errors", () => {
    const generated = readFileSync(`${ROOT}/generated/typescript/src/validators/guards.ts`, 'utf8');
    expect(typeErrors(generated)).toEqual([]);
  });

  it('reports a type error in a guard (the check can fail)', () => {
    expect(
      typeErrors('export function isX(v: unknown, s: boolean): boolean {\n  return v.length > 0;\n}\n'),
    ).toEqual(["'s' is declared but its value is never read.", "'v' is of type 'unknown'."]);
  });
});
