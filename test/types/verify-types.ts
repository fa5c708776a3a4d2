/**
 * Type-level tests of verification and the receivers. Never run: `npm run
 * typecheck` compiles it, so a lost narrowing or an accepted mistake fails the build.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  createFetchHandler,
  createNodeHandler,
  verifyWebhook,
  type ChameleonWebhook,
  type UnknownTopicWebhook,
  type VerificationFailureReason,
  type WebhookVerificationResult,
} from '../../generated/typescript/src/index.js';
import * as web from '../../generated/typescript/src/web.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export function resultNarrows(rawBody: Buffer, headers: IncomingHttpHeaders): void {
  const result = verifyWebhook(rawBody, headers, ['new-secret', 'old-secret']);
  assertType<Equal<typeof result, WebhookVerificationResult>>();
  if (!result.ok) {
    assertType<Equal<typeof result.reason, VerificationFailureReason>>();
    // @ts-expect-error a failure has no webhook
    void result.webhook;
    return;
  }
  const id: string = result.id;
  if (result.known) assertType<Equal<typeof result.webhook, ChameleonWebhook>>();
  else assertType<Equal<typeof result.webhook, UnknownTopicWebhook>>();
  void id;
}

export function reasonsAreAClosedUnion(reason: VerificationFailureReason): void {
  // @ts-expect-error not a reason
  const typo: VerificationFailureReason = 'signature-mismatched';
  void typo;
  void reason;
}

export async function webBuildReturnsPromises(request: Request): Promise<void> {
  const pending = web.verifyWebhook(await request.arrayBuffer(), request.headers, 'secret');
  assertType<Equal<typeof pending, Promise<WebhookVerificationResult>>>();
  const signature: Promise<string> = web.signWebhook('{}', 'secret');
  void signature;
}

export function handlersAreTypedPerTopic(): void {
  createNodeHandler({
    secret: 'secret',
    on: {
      'tour.completed': (webhook) => {
        assertType<Equal<typeof webhook.kind, 'tour.completed'>>();
        void webhook.data.tour.id;
        // @ts-expect-error tour.completed carries no survey
        void webhook.data.survey;
      },
      ping: (webhook) => void webhook.data.account.id,
    },
    onUnknownTopic: (webhook) => assertType<Equal<typeof webhook, UnknownTopicWebhook>>(),
    toleranceSeconds: false,
  });
  createFetchHandler({
    secret: 'secret',
    // @ts-expect-error not a topic
    on: { 'tour.teleported': () => {} },
  });
  // @ts-expect-error the secret is required
  web.createFetchHandler({ on: {} });
}
