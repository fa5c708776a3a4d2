/**
 * An Octokit-style registry over the receiver: handlers are added with `on(topic, handler)` from any
 * module, and the same object is handed to a receiver (`createNodeHandler(webhooks)`,
 * `createFetchHandler(webhooks)`, `createFastifyPlugin(webhooks)`, `createHonoHandler(webhooks)`,
 * `createKoaMiddleware(webhooks)`), which reads the registry at each delivery.
 *
 * ```ts
 * // webhooks.ts
 * export const webhooks = createWebhooks({ secret: process.env.CHAMELEON_VERIFICATION_SECRET ?? '' });
 * // tours.ts
 * webhooks.on('tour.completed', (webhook) => console.log(webhook.data.tour.id));
 * // server.ts
 * app.post('/webhooks/chameleon', createNodeHandler(webhooks));
 * ```
 */
import { isTopic } from '../topics.js';
import type { AnyChameleonWebhook, WebhookOf, WebhookTopic } from '../types.js';
import type { ReceiverOptions } from './types.js';

/** A handler of one topic (or several: it then gets the union of their webhooks). */
export type WebhookListener<Kind extends WebhookTopic> = (webhook: WebhookOf<Kind>) => unknown;
/** A handler of every verified webhook, topics added after this version included. */
export type AnyWebhookListener = (webhook: AnyChameleonWebhook) => unknown;
export type WebhookErrorHandler = (error: unknown, webhook: AnyChameleonWebhook) => void;

/** Every receiver option except the handlers, which are registered with `on`. */
export type WebhooksOptions = Omit<ReceiverOptions, 'on' | 'onAny'>;

/** The topic `on('*', …)` stands for: every verified webhook. */
export const ANY_TOPIC = '*';

export interface Webhooks {
  /** Runs `listener` for each verified webhook of `topic` (or of any of `topics`). Chainable. */
  on<Kind extends WebhookTopic>(topic: Kind | readonly Kind[], listener: WebhookListener<Kind>): Webhooks;
  /** Runs `listener` for every verified webhook, after the topic's own listeners. */
  on(topic: typeof ANY_TOPIC, listener: AnyWebhookListener): Webhooks;
  /** Removes a listener added with the same topic(s). */
  removeListener<Kind extends WebhookTopic>(
    topic: Kind | readonly Kind[],
    listener: WebhookListener<Kind>,
  ): Webhooks;
  removeListener(topic: typeof ANY_TOPIC, listener: AnyWebhookListener): Webhooks;
  /** Sees every error a listener throws (the delivery is answered 500, so Chameleon retries). */
  onError(handler: WebhookErrorHandler): Webhooks;
  /** The options a receiver is built with: they dispatch to the listeners registered at each delivery. */
  readonly receiverOptions: ReceiverOptions;
}

type Listener = (webhook: AnyChameleonWebhook) => unknown;

/** The topics a call names, each checked: a misspelt topic fails where it is registered, not silently. */
function topicsOf(topic: unknown): string[] {
  const topics = typeof topic === 'string' ? [topic] : Array.isArray(topic) ? (topic as unknown[]) : [];
  if (topics.length === 0) throw new TypeError('webhooks.on: name a topic, a list of topics, or "*"');
  for (const name of topics) {
    if (name !== ANY_TOPIC && !isTopic(name))
      throw new TypeError(`webhooks.on: "${String(name)}" is not a topic this version knows`);
  }
  return topics as string[];
}

/**
 * Runs every listener of one webhook at once and waits for all of them: one failure is rethrown as
 * it is, several as an AggregateError, so the receiver answers 500 and the retry runs them again.
 */
async function runAll(listeners: Listener[], webhook: AnyChameleonWebhook): Promise<void> {
  const outcomes = await Promise.allSettled(listeners.map(async (listener) => listener(webhook)));
  const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} webhook listeners failed`);
}

/** A registry of listeners over `options` (the secret and every other receiver option). */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const listeners = new Map<string, Listener[]>();
  const errorHandlers: WebhookErrorHandler[] = options.onError ? [options.onError] : [];

  const dispatch = (webhook: AnyChameleonWebhook) =>
    runAll([...(listeners.get(webhook.kind) ?? []), ...(listeners.get(ANY_TOPIC) ?? [])], webhook);

  const receiverOptions: ReceiverOptions = {
    ...options,
    // One entry point: the receiver calls onAny for every verified, conforming webhook (known or not).
    onAny: dispatch,
    onError: (error, webhook) => {
      for (const handler of errorHandlers) {
        try {
          handler(error, webhook);
        } catch {
          // One error handler's failure must not keep the others from seeing the error.
        }
      }
    },
  };

  const webhooks: Webhooks = {
    on(topic: unknown, listener: Listener) {
      for (const name of topicsOf(topic)) listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return webhooks;
    },
    removeListener(topic: unknown, listener: Listener) {
      for (const name of topicsOf(topic)) {
        const kept = (listeners.get(name) ?? []).filter((registered) => registered !== listener);
        listeners.set(name, kept);
      }
      return webhooks;
    },
    onError(handler) {
      errorHandlers.push(handler);
      return webhooks;
    },
    receiverOptions,
  } as Webhooks;
  return webhooks;
}

/** What every receiver accepts: its options, or a registry made with {@link createWebhooks}. */
export type ReceiverInput = ReceiverOptions | Webhooks;

/** The options of a receiver input (the registry's own, or the options as given). */
export function receiverOptionsOf(input: ReceiverInput): ReceiverOptions {
  return 'receiverOptions' in input ? input.receiverOptions : input;
}
