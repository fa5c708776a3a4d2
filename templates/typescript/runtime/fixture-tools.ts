/**
 * What every fixture factory of fixtures.ts uses: a fresh Chameleon-style id,
 * the deep merge of overrides into a copy of the documented example, and the
 * serialisation whose exact bytes get signed (internal: fixtures.ts re-exports
 * the public names).
 */
import { SENT_AT_FIELD } from './facts.js';
import type { AnyChameleonWebhook, WebhookTopic, WebhookTopicMap } from './types.js';

/** Every property optional, at every depth; arrays are replaced whole, so they stay as they are. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [Key in keyof T]?: DeepPartial<T[Key]> }
    : T;

/** What a factory of topic `Kind` accepts: any part of its webhook. */
export type FixtureOverrides<Kind extends WebhookTopic> = DeepPartial<WebhookTopicMap[Kind]>;

const FORBIDDEN_KEYS = /* @__PURE__ */ new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `overrides` merged into `target` (which is mutated): objects merge, everything else replaces. */
function mergeInto(
  target: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || FORBIDDEN_KEYS.has(key)) continue;
    const current = target[key];
    target[key] =
      isPlainObject(value) && isPlainObject(current) ? mergeInto(current, value) : structuredClone(value);
  }
  return target;
}

function randomHex(bytes: number): string {
  const buffer = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A fresh Chameleon-style ID: like Chameleon's own, its first 8 hex digits are
 * the current unix time in seconds, the other 16 are random.
 */
export function newWebhookId(now: Date = new Date()): string {
  return (
    Math.floor(now.getTime() / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8) + randomHex(8)
  );
}

/** A copy of `base` with a fresh `id` and {@link SENT_AT_FIELD} (now), then `overrides` merged in deeply. */
export function freshFixture<Kind extends WebhookTopic>(
  base: WebhookTopicMap[Kind],
  overrides: FixtureOverrides<Kind> | undefined,
): WebhookTopicMap[Kind] {
  const now = new Date();
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const webhook = { ...copy, id: newWebhookId(now), [SENT_AT_FIELD]: now.toISOString() };
  return mergeInto(webhook, (overrides ?? {}) as Record<string, unknown>) as unknown as WebhookTopicMap[Kind];
}

export interface SignedRequestOptions {
  /** Send compact JSON instead of pretty-printed (default false). */
  compact?: boolean;
  /** Override the User-Agent (default `SENDER_USER_AGENT`). */
  userAgent?: string;
}

/** The exact bytes to send and the headers Chameleon sends with them. */
export interface SignedRequest {
  /** The body: sign these bytes, send these bytes. */
  body: string;
  headers: Record<string, string>;
}

/**
 * The body exactly as it will be sent (pretty-printed by default, so a receiver
 * that re-serialises the JSON before verifying fails, as it would in production).
 */
export function serializeWebhook(
  payload: AnyChameleonWebhook | Record<string, unknown>,
  options: SignedRequestOptions = {},
): string {
  return options.compact ? JSON.stringify(payload) : JSON.stringify(payload, null, 2);
}
