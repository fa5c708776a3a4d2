/**
 * Type-level tests of the generated types. This file is never run: `npm test`
 * compiles it with tsc, and a wrong narrowing or an accepted typo fails the build.
 */
import type {
  AnyChameleonWebhook,
  ChameleonWebhook,
  Profile,
  TourCompletedWebhook,
  UnknownTopicWebhook,
  WebhookDataOf,
  WebhookOf,
  WebhookTopic,
} from '../../generated/typescript/src/index.js';
import { isKnownTopic, readExtra, type WEBHOOK_TOPICS } from '../../generated/typescript/src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export function narrowsOnKind(webhook: ChameleonWebhook): void {
  if (webhook.kind === 'tour.completed') {
    const name: string | undefined = webhook.data.tour.name;
    assertType<Equal<typeof webhook, TourCompletedWebhook>>();
    // @ts-expect-error a typo of a documented key does not compile
    void webhook.data.tuor;
    // @ts-expect-error tour.completed carries no survey
    void webhook.data.survey;
    void name;
  }
  if (webhook.kind === 'helpbar.answer') {
    assertType<Equal<typeof webhook.data.action.references, string[] | undefined>>();
  }
  if (webhook.kind === 'demo.started') {
    assertType<Equal<typeof webhook.data.profile, Profile | null | undefined>>();
    // @ts-expect-error the anonymous demo profile may be null: it must be checked first
    void webhook.data.profile.email;
  }
  if (webhook.kind === 'survey.button.clicked') {
    void webhook.data.survey.id;
    void webhook.data.button.id;
    // @ts-expect-error survey topics are keyed `survey`, not `tour`
    void webhook.data.tour;
  }
}

export function switchIsExhaustive(webhook: ChameleonWebhook): string {
  switch (webhook.kind) {
    case 'ping':
      return webhook.data.account.id;
    case 'response.finished':
      return webhook.data.response.id;
    case 'alert.triggered':
      return webhook.data.alert_group.id;
    case 'helpbar.answer':
    case 'helpbar.search':
    case 'helpbar.item.action':
    case 'helpbar.item.error':
      return webhook.data.action.id;
    case 'tour.started':
    case 'tour.completed':
    case 'tour.exited':
    case 'tour.snoozed':
    case 'tour.button.clicked':
      return webhook.data.tour.id;
    case 'survey.started':
    case 'survey.completed':
    case 'survey.exited':
    case 'survey.snoozed':
    case 'survey.button.clicked':
      return webhook.data.survey.id;
    case 'embed.started':
    case 'embed.completed':
    case 'embed.exited':
    case 'embed.snoozed':
    case 'embed.button.clicked':
      return webhook.data.embed.id;
    case 'demo.started':
    case 'demo.reveal':
    case 'demo.finished':
    case 'demo.form.submitted':
    case 'demo.email.added':
      return webhook.data.demo.id;
    default: {
      const unreachable: never = webhook;
      return unreachable;
    }
  }
}

export function snoozeActionsAreTyped(webhook: WebhookOf<'tour.snoozed'>): number | undefined {
  const until: string | undefined = webhook.data.action.deferred_until;
  void until;
  return webhook.data.action.deferred_hours;
}

export function unknownTopicsNeedNoCast(webhook: AnyChameleonWebhook): string {
  if (isKnownTopic(webhook)) {
    assertType<Equal<typeof webhook, ChameleonWebhook>>();
    return webhook.kind;
  }
  assertType<Equal<typeof webhook, UnknownTopicWebhook>>();
  const data: unknown = webhook.data.anything;
  void data;
  return webhook.kind;
}

assertType<Equal<WebhookOf<'helpbar.future'>, UnknownTopicWebhook<'helpbar.future'>>>();
assertType<Equal<WebhookDataOf<'ping'>, WebhookOf<'ping'>['data']>>();
assertType<Equal<(typeof WEBHOOK_TOPICS)[number], WebhookTopic>>();
// @ts-expect-error WebhookDataOf takes known topics only
export type NotATopic = WebhookDataOf<'tour.finished'>;

export function extrasAreReachableButUnknown(webhook: TourCompletedWebhook): unknown {
  return readExtra(webhook.data.tour, 'segment_ids_v2');
}

export const docsExampleTypeChecks: TourCompletedWebhook = {
  id: '5fb70dcbc39330000325a818',
  kind: 'tour.completed',
  sent_at: '2029-12-11T00:28:59.652Z',
  data: {
    profile: { id: '5f885a88e7daf3000e3eb4f6', email: 'jane@example.com' },
    tour: { id: '5fb6e4ab8af58a00073f0d98', name: 'Usage upsell banner - A' },
    step: { id: '5fb6e4ab8af58a00073f0d99' },
  },
};
