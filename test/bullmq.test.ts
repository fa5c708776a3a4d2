/**
 * chameleon-webhooks/bullmq against a real redis-server: the receiver's handoff enqueues one job per
 * webhook id (copies collapse), answers once Redis holds it, and answers 500 within the deadline when
 * Redis stalls; workers run the typed handlers, retry with backoff into the failed set, and give
 * non-conforming deliveries the in-process policy.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBullmqSink,
  createWorker,
  jobIdOf,
  type BullmqSinkOptions,
  type CreateWorkerOptions,
} from '../generated/typescript/src/bullmq.js';
import {
  createNodeHandler,
  type DeliveryRecord,
  type ReceiverOptions,
} from '../generated/typescript/src/index.js';
import { socketWrites, startRedis, type RedisServer } from './redis-server.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

let redis: RedisServer;
let connection: { host: string; port: number; maxRetriesPerRequest: null };
beforeAll(async () => {
  redis = await startRedis();
  connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
});
afterAll(() => redis?.stop());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let queues = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh queue name, a sink on it, a receiver handing off to it, and a Queue to inspect it. */
async function setup(sinkOptions: Partial<BullmqSinkOptions> = {}, receiver: Partial<ReceiverOptions> = {}) {
  const queueName = `test-${process.pid}-${++queues}`;
  const sink = createBullmqSink({ connection, queueName, ...sinkOptions });
  const queue = new Queue(queueName, { connection });
  cleanups.push(
    () => sink.close(),
    () => queue.close(),
  );
  const server: Server = createServer(
    createNodeHandler({ secret: SECRET, now: NOW, handoff: sink, ...receiver }),
  );
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const worker = (options: Omit<CreateWorkerOptions, 'connection' | 'queueName'>) => {
    const created = createWorker({ connection, queueName, ...options });
    cleanups.push(() => created.close());
    return created;
  };
  return { sink, queue, url, worker };
}

/** The socket of a queue's ioredis connection, once it is connected (BullMQ 6: through its backend). */
async function socketOf(queue: Queue): Promise<unknown> {
  const holder = queue as unknown as {
    client?: Promise<unknown>;
    getBackend?: () => { client: Promise<unknown> };
  };
  await queue.waitUntilReady();
  const client = (await (holder.client ?? holder.getBackend!().client)) as { stream: unknown };
  await sleep(0); // the sink has looked its client up too
  return client.stream;
}

const recordOf = (id: string): DeliveryRecord => ({
  received_at: new Date().toISOString(),
  id,
  kind: 'tour.completed',
  conforming: true,
  issues: [],
  body: JSON.stringify({ id, kind: 'tour.completed' }),
});

async function post(url: string, d: Delivery): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Authentic (signed, fresh) but not what the spec says: `data.tour` must be an object. */
const nonconforming = (id: string) =>
  delivery({
    kind: 'tour.completed',
    id,
    edit: (payload) => {
      (payload.data as Record<string, unknown>).tour = 'not-a-tour';
    },
  });

describe('chameleon-webhooks/bullmq', () => {
  it('collapses every copy of a webhook into one job, and a worker runs its typed handler once', async () => {
    const { queue, url, worker } = await setup();
    const id = chameleonId(0xb011);
    const d = delivery({ kind: 'tour.completed', id });
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(url, d)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers[0]!.body).toMatchObject({ ok: true, id, queued: true });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect((await queue.getJob(jobIdOf(id)))?.data).toMatchObject({
      id,
      kind: 'tour.completed',
      conforming: true,
    });

    const seen: string[] = [];
    worker({
      on: {
        'tour.completed': async (webhook) => {
          seen.push(`${webhook.id} ${webhook.data.tour.id}`); // typed: data.tour is the Tour model
        },
      },
    });
    await until('the job to complete', async () => (await queue.getCompletedCount()) === 1);
    expect((await post(url, d)).status).toBe(200); // a late copy collapses into the completed job
    await sleep(100);
    expect(await queue.getJobCounts('completed', 'waiting')).toEqual({ completed: 1, waiting: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^${id} `));
  });

  it('keeps completed jobs for the idempotency TTL, past the retry span, and failed ones until replayed', async () => {
    const { queue, url } = await setup();
    const id = chameleonId(0xb012);
    await post(url, delivery({ id }));
    const job = (await queue.getJob(jobIdOf(id)))!;
    expect(job.opts.removeOnComplete).toEqual({ age: 48 * 3600 });
    expect(job.opts.removeOnFail).toBe(false);
    expect(job.opts.attempts).toBe(8);
  });

  it('retries a throwing handler with backoff, then keeps the job in the failed set', async () => {
    const { queue, url, worker } = await setup({ attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    let calls = 0;
    worker({
      on: {
        ping: () => {
          calls += 1;
          throw new Error('database down');
        },
      },
    });
    const id = chameleonId(0xb013);
    expect((await post(url, delivery({ id }))).status).toBe(200);
    await until('the job to fail', async () => (await queue.getFailedCount()) === 1);
    const job = (await queue.getJob(jobIdOf(id)))!;
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('database down');
    expect(calls).toBe(3);
  });

  it('gives non-conforming webhooks the in-process policy: 400 when strict, onNonconforming otherwise', async () => {
    const strict = await setup({}, { nonconforming: 'reject' });
    expect((await post(strict.url, nonconforming(chameleonId(0xb014)))).status).toBe(400);
    expect(await strict.queue.count()).toBe(0);

    const tolerant = await setup();
    const id = chameleonId(0xb015);
    const answer = await post(tolerant.url, nonconforming(id));
    expect(answer).toMatchObject({ status: 200, body: { queued: true, conforming: false } });
    const got: Array<{ id: string; paths: string[] }> = [];
    let typed = 0;
    tolerant.worker({
      on: {
        'tour.completed': () => {
          typed += 1;
        },
      },
      onNonconforming: (webhook, issues) =>
        void got.push({ id: webhook.id, paths: issues.map((i) => i.path) }),
    });
    await until('the job to complete', async () => (await tolerant.queue.getCompletedCount()) === 1);
    expect(typed).toBe(0);
    expect(got).toHaveLength(1);
    expect(got[0]!.id).toBe(id);
    expect(got[0]!.paths.join(' ')).toMatch(/tour/);
  });

  it('fails a non-conforming job at once, kept in the failed set, when the worker has no onNonconforming', async () => {
    const { queue, url, worker } = await setup();
    const id = chameleonId(0xb016);
    await post(url, nonconforming(id));
    worker({ on: {} });
    await until('the job to fail', async () => (await queue.getFailedCount()) === 1);
    const job = (await queue.getJob(jobIdOf(id)))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/no onNonconforming/);
  });

  it('answers 500 within the deadline while Redis is stalled, and enqueues the retry once it is back', async () => {
    const { queue, url } = await setup({ enqueueTimeoutMs: 300 });
    const d = delivery({ id: chameleonId(0xb017) });
    redis.pause();
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(url, d);
    } finally {
      redis.resume();
    }
    expect(answer).toMatchObject({ status: 500, body: { error: 'handoff-failed' } });
    expect(answer.ms).toBeLessThan(2000);
    expect((await post(url, d)).status).toBe(200);
    expect(await queue.count()).toBe(1);
  });

  it('sends the enqueues of one event-loop turn in one write; each waits for its own job, copies collapse', async () => {
    const { sink, queue } = await setup();
    const socket = await socketOf(sink.queue);
    const ids = Array.from({ length: 40 }, (_, index) => chameleonId(0xb100 + index));
    const found: boolean[] = [];
    // Every id twice, in one turn: 80 keeps, 40 jobs.
    const writes = await socketWrites(socket, () =>
      Promise.all(
        [...ids, ...ids].map((id) =>
          Promise.resolve(sink.keep(recordOf(id))).then(async () => {
            found.push((await queue.getJob(jobIdOf(id))) !== undefined); // held once keep resolved
          }),
        ),
      ),
    );
    expect(writes).toBe(1);
    expect(found).toEqual([...ids, ...ids].map(() => true));
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 40 });
  });

  it('gives each enqueue of a turn its own outcome: one refused add fails only its own delivery', async () => {
    const refused = chameleonId(0xb1ff);
    class Refusing extends Queue {
      override add(...args: Parameters<Queue['add']>): ReturnType<Queue['add']> {
        if ((args[1] as DeliveryRecord).id === refused) return Promise.reject(new Error('refused'));
        return super.add(...args);
      }
    }
    const queueName = `test-${process.pid}-${++queues}`;
    const queue = new Refusing(queueName, { connection });
    cleanups.push(() => queue.close());
    const sink = createBullmqSink({ queue });
    const ids = [chameleonId(0xb1f0), refused, chameleonId(0xb1f1)];
    const outcomes = await Promise.allSettled(ids.map((id) => sink.keep(recordOf(id))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await queue.count()).toBe(2);
  });

  it('answers every delivery of a burst 500 within the deadline while Redis is stalled, and enqueues each retry', async () => {
    const { queue, url } = await setup({ enqueueTimeoutMs: 300 });
    const deliveries = Array.from({ length: 20 }, (_, index) =>
      delivery({ id: chameleonId(0xb200 + index) }),
    );
    redis.pause();
    let answers: Array<Awaited<ReturnType<typeof post>>>;
    try {
      answers = await Promise.all(deliveries.map((d) => post(url, d)));
    } finally {
      redis.resume();
    }
    expect(answers.map((answer) => answer.status)).toEqual(deliveries.map(() => 500));
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2000);
    const retries = await Promise.all(deliveries.map((d) => post(url, d)));
    expect(retries.map((answer) => answer.status)).toEqual(deliveries.map(() => 200));
    expect(await queue.count()).toBe(20);
  });

  it('maps webhook ids to BullMQ job ids one to one, escaping what BullMQ refuses', () => {
    expect(jobIdOf('5f3c4232c712de665632a6d9')).toBe('5f3c4232c712de665632a6d9');
    const odd = ['a:b', '12', '~x', '%7Ex'];
    const mapped = odd.map(jobIdOf);
    expect(new Set([...mapped, ...odd]).size).toBe(odd.length * 2 - 1); // '%7Ex' maps to itself
    for (const id of mapped.filter((jobId) => jobId.startsWith('~'))) expect(id).not.toMatch(/:/);
  });
});
