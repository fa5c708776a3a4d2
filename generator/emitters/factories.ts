/**
 * Typed fixture factories (`src/fixtures.ts`, from the docs' examples), the headers
 * `signedRequest` sends (`src/fixture-headers.ts`) and the
 * facts of the CLI that sends them (`src/cli/facts.ts`: the package version,
 * the delivery timeout and retry schedule). The CLI itself is runtime source.
 *
 * The sender's User-Agent, the request headers and the retry schedule are
 * computed here from `api.outgoing` and handed to the templates.
 */
import { exampleBases } from '../fixtures/shared-examples.js';
import { render } from '../templates.js';
import type { ApiFacts, SpecModel } from '../model.js';
import type { Emitter } from './emitter.js';

/** How the sender fills the User-Agent's `{host}` and `{environment}`. */
const SENDER_HOST = 'chameleon-webhooks-cli';
const SENDER_ENVIRONMENT = 'test';

/** The User-Agent the sender sends: the spec's format, checked against the spec's own pattern. */
export function senderUserAgent(api: ApiFacts): string {
  const { format, pattern } = api.outgoing.userAgent;
  const userAgent = format
    .replace('{apiVersion}', api.apiVersion)
    .replace('{host}', SENDER_HOST)
    .replace('{environment}', SENDER_ENVIRONMENT);
  if (!new RegExp(pattern).test(userAgent)) {
    throw new Error(
      `spec/api.json: the sender's User-Agent "${userAgent}" does not match outgoing.userAgent.pattern`,
    );
  }
  return userAgent;
}

/**
 * Chameleon documents "N retries over H hours" and no schedule; the backoff is
 * inferred to be exponential (spec/api.json `inferred`). The sender replays it as a doubling schedule: delay_i = base·2^i
 * (i = 0…N−1) with base = H·3600 / (2^N − 1), so the delays sum to H hours.
 * For 9 retries over 43 h that is ≈5 min, 10 min, 20 min, … 21.5 h. Rounded to
 * whole seconds; the last delay takes the rounding so the sum is exact.
 */
export function retryScheduleSeconds(retries: number, spanHours: number): number[] {
  const span = Math.round(spanHours * 3600);
  const base = span / (2 ** retries - 1);
  const delays = Array.from({ length: retries }, (_, i) => Math.round(base * 2 ** i));
  const drift = span - delays.reduce((sum, delay) => sum + delay, 0);
  if (delays.length) delays[delays.length - 1]! += drift;
  return delays;
}

/** Each documented header with the TypeScript expression of its value in `requestOf` (fixture-headers.ts). */
function requestHeaders(api: ApiFacts): Array<{ name: string; value: string; description: string }> {
  const idHeader = api.outgoing.headers.find((header) => /-Id$/i.test(header.name));
  if (!idHeader) throw new Error('spec/api.json: outgoing.headers lists no webhook id header');
  return api.outgoing.headers.map((header) => {
    let value = JSON.stringify(header.example);
    if (header.name === idHeader.name) value = 'payload.id';
    else if (header.name === api.outgoing.signature.header) value = 'signature';
    else if (/^user-agent$/i.test(header.name)) value = 'options.userAgent ?? SENDER_USER_AGENT';
    return { name: header.name, value, description: header.description };
  });
}

export function factoriesContext(model: SpecModel) {
  const { api } = model;
  const { delivery } = api.outgoing;
  const schedule = retryScheduleSeconds(delivery.retries, delivery.retrySpanHours);
  const examples = exampleBases(model.topics, model.schemas);
  return {
    api,
    version: model.packageVersion,
    topics: model.topics.map((topic) => ({ ...topic, base: examples.bases.get(topic.topic) })),
    shared: examples.shared,
    sharedTypes: [...new Set(examples.shared.map((example) => example.typeName))].sort(),
    headers: requestHeaders(api),
    userAgent: senderUserAgent(api),
    delivery,
    retrySchedule: schedule,
    retrySpanSeconds: schedule.reduce((sum, delay) => sum + delay, 0),
  };
}

export const factoriesEmitter: Emitter = {
  name: 'factories',
  emit(model) {
    const context = factoriesContext(model);
    return [
      {
        path: 'typescript/src/fixtures.ts',
        contents: render('typescript/fixtures.ts', context),
        exportFrom: ['.', './web'],
      },
      {
        path: 'typescript/src/fixture-headers.ts',
        contents: render('typescript/fixture-headers.ts', context),
      },
      { path: 'typescript/src/cli/facts.ts', contents: render('typescript/cli/facts.ts', context) },
    ];
  },
};
