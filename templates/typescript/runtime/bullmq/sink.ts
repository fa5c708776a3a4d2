/**
 * `createBullmqSink`: the receiver's handoff (`handoff` option) onto a BullMQ queue. Each verified
 * delivery becomes one job whose id is derived from the webhook's id, so every copy Chameleon sends
 * (retries, concurrent duplicates, several receivers) collapses into one job: BullMQ's `add` of an
 * existing job id returns that job and adds nothing. The receiver answers 2xx once `add` resolved,
 * that is once Redis holds the job (durable as far as Redis persists: use AOF in production).
 *
 * Completed jobs are what makes a late copy collapse, so they are kept for the idempotency TTL
 * (48 h, past Chameleon's 43-hour retry span) and only then removed; failed jobs (the dead-letter
 * set) are kept until someone replays or removes them.
 */
import { Queue, type BackoffOptions, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { IDEMPOTENCY_TTL_HOURS } from '../facts.js';
import type { DeliveryRecord, DeliverySink } from '../receiver/types.js';
import { corkableSocketOf, createTurns } from '../redis/turn.js';

/** The queue both sides use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'chameleon-webhooks';
/** Attempts of a job before it stays in the failed set (the dead letters). */
export const DEFAULT_ATTEMPTS = 8;
/** Exponential backoff from 2 s: 2, 4, 8 … 128 s between the 8 attempts. */
export const DEFAULT_BACKOFF: BackoffOptions = { type: 'exponential', delay: 2000 };
/** Longest wait for Redis to take a job, in milliseconds; then the answer is 500 and Chameleon retries. */
export const DEFAULT_ENQUEUE_TIMEOUT_MS = 2000;

export interface BullmqSinkOptions {
  /** A BullMQ connection (ioredis options or client); ignored when `queue` is given. */
  connection?: ConnectionOptions;
  /** A queue of your own (its name must match the workers'). */
  queue?: Queue;
  /** Queue name (default {@link DEFAULT_QUEUE_NAME}). */
  queueName?: string;
  /** Attempts per job (default {@link DEFAULT_ATTEMPTS}); after the last failure it stays in the failed set. */
  attempts?: number;
  /** Backoff between attempts (default {@link DEFAULT_BACKOFF}). */
  backoff?: number | BackoffOptions;
  /**
   * How long a completed job is kept, in seconds: while it is, a copy of its webhook collapses into
   * it. Default: the idempotency TTL, 48 h, past Chameleon's 43-hour retry span.
   */
  keepCompletedSeconds?: number;
  /** Longest wait for Redis to take a job (default {@link DEFAULT_ENQUEUE_TIMEOUT_MS}). */
  enqueueTimeoutMs?: number;
}

export interface BullmqSink extends DeliverySink {
  readonly queue: Queue;
  /** Closes the queue's connection if the sink opened it. */
  close(): Promise<void>;
}

/**
 * The BullMQ job id of a webhook id: the id itself, which is what Chameleon ids always are; any
 * other id (BullMQ refuses ids with `:` or that read as integers) is escaped, one to one.
 */
export function jobIdOf(webhookId: string): string {
  const plain =
    !webhookId.includes(':') && !webhookId.startsWith('~') && `${parseInt(webhookId, 10)}` !== webhookId;
  return plain ? webhookId : `~${encodeURIComponent(webhookId).replaceAll('~', '%7E')}`;
}

/**
 * The ioredis client under a queue, once connected (BullMQ 5: `queue.client`; 6: its backend's), for
 * its socket; undefined where there is none to reach.
 */
function clientOf(queue: Queue): Promise<unknown> {
  const holder = queue as unknown as {
    client?: Promise<unknown>;
    getBackend?: () => { client?: Promise<unknown> } | undefined;
  };
  return Promise.resolve(holder.client ?? holder.getBackend?.()?.client);
}

/** A {@link DeliverySink} that enqueues each delivery once, for `createWorker`'s workers. */
export function createBullmqSink(options: BullmqSinkOptions): BullmqSink {
  if (!options.queue && !options.connection)
    throw new TypeError('createBullmqSink needs a connection or a queue');
  const queue =
    options.queue ?? new Queue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: options.connection! });
  const jobOptions: JobsOptions = {
    attempts: options.attempts ?? DEFAULT_ATTEMPTS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    removeOnComplete: { age: options.keepCompletedSeconds ?? IDEMPOTENCY_TTL_HOURS * 3600 },
    removeOnFail: false,
  };
  const timeoutMs = options.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS;
  let client: unknown;
  clientOf(queue).then(
    (connected) => (client = connected),
    () => undefined, // no client to reach: each add is written on its own
  );
  // The adds of one event-loop turn leave in one write and share one timer; each still resolves
  // with its own job's reply, so `keep` resolves only once Redis holds that job.
  const bounded = createTurns({ timeoutMs, socket: () => corkableSocketOf(client) });
  // A copy arriving while its webhook's job is being added waits for that add, not another.
  const adding = new Map<string, Promise<unknown>>();
  function add(record: DeliveryRecord, jobId: string): Promise<unknown> {
    const pending = adding.get(jobId);
    if (pending) return pending;
    const added = bounded(
      () => queue.add(record.kind, record, { ...jobOptions, jobId }),
      () => new Error(`enqueueing ${jobId} did not complete within ${timeoutMs} ms`),
    );
    adding.set(jobId, added);
    const forget = () => adding.get(jobId) === added && adding.delete(jobId);
    added.then(forget, forget);
    return added;
  }
  return {
    queue,
    async keep(record: DeliveryRecord): Promise<void> {
      try {
        await add(record, jobIdOf(record.id));
      } catch (error) {
        console.error(
          `chameleon-webhooks/bullmq: cannot enqueue webhook ${record.id}: ${error instanceof Error ? error.message : String(error)}; answering 500 so Chameleon retries`,
        );
        throw error;
      }
    },
    async close() {
      if (!options.queue) await queue.close();
    },
  };
}
