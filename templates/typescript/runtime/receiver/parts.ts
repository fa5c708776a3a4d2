/**
 * What the receiver's processing (process.ts) uses of modules every entry loads at import, handed
 * over instead of imported. The web receiver loads process.ts on its first request, and a module
 * loaded later must import nothing the entry already holds: a bundler would move that code into a
 * third file, which every import of the package then loads (incoming/sending.ts is the other such
 * module).
 */
import { createCapture } from '../capture.js';
import { DEFAULT_PROCESSING_LEASE_MS, MemoryIdempotencyStore } from '../idempotency.js';
import {
  createOnceRunner,
  IdempotencyStoreUnavailableError,
  isThenable,
  settleWithin,
  step,
} from '../once-per-id.js';
import { ackDeadlineOf, observe, rejection } from './core.js';

export const RECEIVER_PARTS = {
  ackDeadlineOf,
  createCapture,
  createOnceRunner,
  DEFAULT_PROCESSING_LEASE_MS,
  IdempotencyStoreUnavailableError,
  isThenable,
  MemoryIdempotencyStore,
  observe,
  rejection,
  settleWithin,
  step,
};

export type ReceiverParts = typeof RECEIVER_PARTS;
