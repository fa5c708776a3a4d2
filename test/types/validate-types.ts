/**
 * Type-level tests of the validators. Never run: `npm run typecheck` compiles
 * it, and a wrong narrowing fails the build.
 */
import type { StandardSchemaV1 as OfficialStandardSchemaV1 } from '@standard-schema/spec';
import type {
  ChameleonWebhook,
  Profile,
  TourCompletedWebhook,
  UnknownTopicWebhook,
} from '../../generated/typescript/src/index.js';
import {
  isWebhook,
  modelValidators,
  validateWebhook,
  validators,
  webhookSchema,
} from '../../generated/typescript/src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export function resultNarrowsByKind(body: unknown): void {
  const result = validateWebhook(body);
  if (!result.ok) {
    assertType<Equal<(typeof result.errors)[number]['path'], string>>();
    // @ts-expect-error a failed result has no webhook
    void result.webhook;
    return;
  }
  if (!result.known) {
    assertType<Equal<typeof result.webhook, UnknownTopicWebhook>>();
    return;
  }
  assertType<Equal<typeof result.webhook, ChameleonWebhook>>();
  if (result.webhook.kind === 'tour.completed') {
    assertType<Equal<typeof result.webhook, TourCompletedWebhook>>();
    const tourId: string = result.webhook.data.tour.id;
    void tourId;
  }
}

export function rejectingUnknownTopicsLeavesOnlyKnownWebhooks(body: unknown): void {
  const result = validateWebhook(body, { unknownTopics: 'reject', mode: 'strict' });
  if (result.ok) assertType<Equal<typeof result.webhook, ChameleonWebhook>>();
}

export function isWebhookGuards(value: unknown): void {
  if (isWebhook(value, 'tour.completed')) assertType<Equal<typeof value, TourCompletedWebhook>>();
  if (isWebhook(value)) assertType<Equal<typeof value, ChameleonWebhook>>();
  // @ts-expect-error not a topic
  isWebhook(value, 'tour.teleported');
}

export function perTopicAndModelValidators(value: unknown): void {
  const topic = validators['tour.completed'](value);
  if (topic.ok) assertType<Equal<typeof topic.value, TourCompletedWebhook>>();
  const profile = modelValidators.Profile(value, { mode: 'strict' });
  if (profile.ok) assertType<Equal<typeof profile.value, Profile>>();
  if (modelValidators.Profile.is(value)) assertType<Equal<typeof value, Profile>>();
}

/** Our validators are Standard Schemas as the official interface defines them. */
export const standardTopic: OfficialStandardSchemaV1<unknown, TourCompletedWebhook> =
  validators['tour.completed'];
export const standardModel: OfficialStandardSchemaV1<unknown, Profile> = modelValidators.Profile;
export const standardWebhook: OfficialStandardSchemaV1 = webhookSchema;
