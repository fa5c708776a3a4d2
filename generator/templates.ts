/**
 * Handlebars templates in templates/ hold the shape of generated text; this
 * module only loads them and registers the few helpers they share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

const handlebars = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

/** A description as the lines of a JSDoc block (without the opening and closing lines). */
function jsdocLines(text: unknown, indent = ''): string {
  if (typeof text !== 'string' || text.trim() === '') return '';
  return text
    .trim()
    .split('\n')
    .map((line) => `${indent} * ${line.replace(/\*\//g, '*\\/')}`.trimEnd())
    .join('\n');
}

handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
handlebars.registerHelper('jsdoc', (text: unknown, options: Handlebars.HelperOptions) =>
  jsdocLines(text, typeof options.hash.indent === 'string' ? options.hash.indent : ''),
);
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('join', (items: unknown, separator: unknown) =>
  Array.isArray(items) ? items.join(typeof separator === 'string' ? separator : ', ') : '',
);

handlebars.registerPartial('header', readFileSync(path.join(TEMPLATES_DIR, 'partials/header.hbs'), 'utf8'));

/** Renders templates/<name>.hbs with `context`. Output is not escaped: templates emit code, not HTML. */
export function render(name: string, context: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(path.join(TEMPLATES_DIR, `${name}.hbs`), 'utf8');
    template = handlebars.compile(source, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  return template(context);
}
