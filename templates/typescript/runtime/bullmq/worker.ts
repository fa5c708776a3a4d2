/**
 * `createWorker`: BullMQ workers that run the typed handlers on the deliveries `createBullmqSink`
 * enqueued. The same dispatch as the in-process receiver: a conforming webhook goes to its topic's
 * handler (or `onUnknownTopic`), then `onAny`; a non-conforming one to `onNonconforming` only.
 *
 * What runs how often: a handler that throws is retried with backoff (the sink's `attempts` and
 * `backoff`), then the job stays in the failed set (dead letters: replay with `job.retry()`). A
 * handler runs again after it succeeded only when its worker died (or blocked its event loop past
 * `lockDuration`) between the handler's start and BullMQ recording the job complete: the lock runs
 * out and another worker takes the job. So handlers must be idempotent, keyed on `webhook.id`.
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { DeliveryRecord, WebhookHandlers } from '../receiver/types.js';
import { isTopic } from '../topics.js';
import type { AnyChameleonWebhook, UnknownTopicWebhook } from '../types.js';
import type { ValidationIssue } from '../validate.js';
import { DEFAULT_QUEUE_NAME } from './sink.js';

export interface CreateWorkerOptions {
  /** A BullMQ connection (ioredis options or client; BullMQ needs `maxRetriesPerRequest: null`). */
  connection: ConnectionOptions;
  /** Queue name (default {@link DEFAULT_QUEUE_NAME}): the sink's. */
  queueName?: string;
  /** Handlers by topic: `{ 'tour.completed': async (webhook) => { … } }`. */
  on?: WebhookHandlers;
  /** Runs for every conforming webhook, after its topic's handler. */
  onAny?: (webhook: AnyChameleonWebhook) => unknown;
  /** Runs for a conforming webhook of a topic added after this version. */
  onUnknownTopic?: (webhook: UnknownTopicWebhook) => unknown;
  /**
   * Gets each authentic webhook that did not conform to the spec, with its issues. Without it such a
   * job fails at once, without retries, and stays in the failed set (kept, for a replay).
   */
  onNonconforming?: (webhook: UnknownTopicWebhook, issues: ValidationIssue[]) => unknown;
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /** Times a job may be taken over from a dead worker before it is failed (default 2). */
  maxStalledCount?: number;
  /** Any other BullMQ worker option (`lockDuration`, `stalledInterval`, `autorun`, …). */
  worker?: Omit<WorkerOptions, 'connection' | 'concurrency'>;
}

/**
 * Fails a non-conforming job without retries (BullMQ's `UnrecoverableError`) when the worker has no
 * `onNonconforming`: the job stays in the failed set, kept for a replay.
 */
function nonconformingNotHandled(id: string): Error {
  return new UnrecoverableError(
    `Webhook ${id} does not conform to the spec and this worker has no onNonconforming: kept in the failed set.`,
  );
}

/** Runs one delivery's handlers, as the in-process receiver would. */
export async function handleDelivery(options: CreateWorkerOptions, record: DeliveryRecord): Promise<void> {
  const webhook = JSON.parse(record.body) as AnyChameleonWebhook;
  if (!record.conforming) {
    if (!options.onNonconforming) throw nonconformingNotHandled(record.id);
    await options.onNonconforming(webhook as UnknownTopicWebhook, record.issues);
    return;
  }
  if (isTopic(webhook.kind)) {
    const handler = options.on?.[webhook.kind] as ((webhook: AnyChameleonWebhook) => unknown) | undefined;
    await handler?.(webhook);
  } else {
    await options.onUnknownTopic?.(webhook as UnknownTopicWebhook);
  }
  await options.onAny?.(webhook);
}

/** A BullMQ worker running the handlers on the queue's deliveries; `await worker.close()` to stop it. */
export function createWorker(options: CreateWorkerOptions): Worker<DeliveryRecord> {
  return new Worker<DeliveryRecord>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    (job: Job<DeliveryRecord>) => handleDelivery(options, job.data),
    {
      maxStalledCount: options.maxStalledCount ?? 2,
      ...options.worker,
      connection: options.connection,
      concurrency: options.concurrency ?? 1,
    },
  );
}
