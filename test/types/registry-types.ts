/**
 * Type-level tests of the registry (`createWebhooks`). Never run: `npm run typecheck` compiles it, so a
 * lost narrowing or an accepted mistake fails the build.
 */
import {
  createFastifyPlugin,
  createKoaMiddleware,
  createNodeHandler,
  createWebhooks,
  type AnyChameleonWebhook,
  type WebhookOf,
} from '../../generated/typescript/src/index.js';
import * as web from '../../generated/typescript/src/web.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export function listenersNarrowByTopic(): void {
  const webhooks = createWebhooks({ secret: 'secret' });
  webhooks.on('tour.completed', (webhook) => {
    assertType<Equal<typeof webhook, WebhookOf<'tour.completed'>>>();
    void webhook.data.tour.id;
    // @ts-expect-error tour.completed carries no survey
    void webhook.data.survey;
  });
  webhooks.on(['tour.started', 'tour.completed'], (webhook) => {
    assertType<Equal<typeof webhook.kind, 'tour.started' | 'tour.completed'>>();
    if (webhook.kind === 'tour.completed') void webhook.data.tour.id;
  });
  webhooks.on('*', (webhook) => {
    assertType<Equal<typeof webhook, AnyChameleonWebhook>>();
  });
  // @ts-expect-error not a topic
  webhooks.on('tour.complete', () => undefined);
  // @ts-expect-error a listener of one topic does not take another's webhook
  webhooks.on('ping', (webhook: WebhookOf<'tour.completed'>) => webhook.data.tour);
  const listener = (webhook: WebhookOf<'ping'>) => webhook.data.account.id;
  webhooks.on('ping', listener).removeListener('ping', listener);
  webhooks.onError((error, webhook) => {
    assertType<Equal<typeof error, unknown>>();
    assertType<Equal<typeof webhook, AnyChameleonWebhook>>();
  });
}

export function everyReceiverTakesTheRegistry(): void {
  const webhooks = createWebhooks({ secret: ['new', 'old'], idempotency: false });
  void createNodeHandler(webhooks);
  void createFastifyPlugin(webhooks, { path: '/hooks' });
  void createKoaMiddleware(webhooks, { path: '/hooks' });
  const edge = web.createWebhooks({ secret: 'secret' });
  const handle: (request: Request) => Promise<Response> = web.createFetchHandler(edge);
  void handle;
  // @ts-expect-error handlers are registered with on(), not passed as options
  createWebhooks({ secret: 'secret', on: {} });
  // Options with inline handlers keep their contextual types beside the registry overload.
  createNodeHandler({ secret: 'secret', on: { ping: (webhook) => webhook.data.account.id } });
}
