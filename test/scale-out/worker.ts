/**
 * One worker process of the queue proof (test/scale-out.test.ts): runs `tour.completed` from the
 * BullMQ queue and logs each handler's start and end to the Redis list `log`
 * (`start <pid> <id>`, `end <pid> <id>`), so the test can count runs per id and see which were
 * cut short when it SIGKILLs this process. Prints `READY` once the worker is running.
 */
import { Redis } from 'ioredis';
import { createWorker } from '../../generated/typescript/src/bullmq.js';

const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT), maxRetriesPerRequest: null };
const log = new Redis(connection);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const worker = createWorker({
  connection,
  concurrency: 10,
  // A dead worker's jobs are taken over within about 7 s (the defaults, 30 s, would outlast the test):
  // its locks run out within 5 s, and a stalled check (two passes, 1 s apart) moves them back. A lock
  // long enough that a live worker starved of CPU on a shared machine keeps its jobs.
  worker: { lockDuration: 5000, stalledInterval: 1000 },
  on: {
    'tour.completed': async (webhook) => {
      await log.rpush('log', `start ${process.pid} ${webhook.id}`);
      await sleep(2 + Math.floor(Math.random() * 8));
      await log.rpush('log', `end ${process.pid} ${webhook.id}`);
    },
  },
});
worker.on('error', (error) => console.error(`worker error: ${error.message}`));
worker.waitUntilReady().then(() => console.log('READY'));
