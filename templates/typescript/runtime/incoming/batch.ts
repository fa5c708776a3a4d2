// Batches: items are split into requests that stay within the byte and item limits,
// sent one after another, and every item ends in exactly one of two lists, accepted
// or returned (with why). A 413 splits the request in two; a request that failed for
// good stops the run and the items not yet sent come back as `not-sent`. Batches are
// upserts, so a request whose answer was lost is sent again: a repeat changes nothing.
import { send, STOPS_THE_RUN, type FailureReason, type Transport } from './http.js';
import type { NormalizationWarning } from './normalize.js';

/** An item Chameleon did not accept, with its index in the array you passed. */
export interface ReturnedItem<Item> {
  index: number;
  item: Item;
  reason: FailureReason;
  status?: number;
  message: string;
}

/** A normalization warning about the item at `index`. */
export interface IndexedWarning extends NormalizationWarning {
  index: number;
}

export interface BatchProgress {
  total: number;
  /** Items that have an outcome so far (accepted + returned). */
  done: number;
  accepted: number;
  returned: number;
}

/** The outcome of every item: each index is in `accepted` or in `returned`, never both. */
export interface BatchReport<Item> {
  total: number;
  /** Indexes (into your array) of the items Chameleon accepted, ascending. */
  accepted: number[];
  /**
   * Everything not accepted, by ascending index, with the reason. Reason `unknown-outcome`:
   * the request was sent and its answer lost, so Chameleon may have stored the item.
   */
  returned: ReturnedItem<Item>[];
  /**
   * Accepted indexes that may be stored twice: an attempt's answer was lost and the item was
   * sent again (`retryAmbiguous` events only; upserting a profile or company twice is harmless).
   */
  duplicatesPossible: number[];
  /** The ids of the batches Chameleon queued (`{ batch: { id } }`). */
  batchIds: string[];
  /** HTTP requests made, retries included. */
  requests: number;
  warnings: IndexedWarning[];
}

/** An item ready to send: its index in the caller's array and its JSON text. */
export interface PreparedItem {
  index: number;
  json: string;
  bytes: number;
}

export interface BatchRequest {
  url: string;
  /** The key of the item array in the body (`profiles`). */
  key: string;
  /** Extra top-level members of the body (`on_model_missing`). */
  extra: Record<string, string>;
  maxBytes: number;
  maxItems: number;
  onProgress?: (progress: BatchProgress) => void;
}

interface ItemError {
  index: number;
  code?: number;
  message: string;
}

/** Runs the batch and records outcomes in `report`; `itemAt` gives back the caller's item. */
export interface BatchRun<Item> {
  report: BatchReport<Item>;
  itemAt: (index: number) => Item;
}

function bodyOf(request: BatchRequest, chunk: PreparedItem[]): string {
  const extra = Object.entries(request.extra).map(
    ([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`,
  );
  return `{${JSON.stringify(request.key)}:[${chunk.map((item) => item.json).join(',')}]${extra.join('')}}`;
}

/** Bytes of a body with no item: the budget items share is `maxBytes` minus this. */
export function bodyOverhead(request: BatchRequest): number {
  return new TextEncoder().encode(bodyOf(request, [])).length;
}

/** Consecutive items grouped so each body stays within `maxBytes` and `maxItems`. */
export function chunkItems(items: PreparedItem[], request: BatchRequest): PreparedItem[][] {
  const overhead = bodyOverhead(request);
  const chunks: PreparedItem[][] = [];
  let chunk: PreparedItem[] = [];
  let bytes = overhead;
  for (const item of items) {
    const added = item.bytes + (chunk.length ? 1 : 0); // the comma between items
    if (chunk.length && (bytes + added > request.maxBytes || chunk.length >= request.maxItems)) {
      chunks.push(chunk);
      chunk = [];
      bytes = overhead;
    }
    bytes += item.bytes + (chunk.length ? 1 : 0);
    chunk.push(item);
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

function itemErrorsOf(body: unknown): ItemError[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap(
    (error: { index?: unknown; code?: unknown; message?: unknown; messages?: unknown }) => {
      if (typeof error?.index !== 'number') return [];
      const message =
        typeof error.message === 'string'
          ? error.message
          : Array.isArray(error.messages)
            ? error.messages.join('; ')
            : 'Rejected by Chameleon';
      return [
        { index: error.index, ...(typeof error.code === 'number' ? { code: error.code } : {}), message },
      ];
    },
  );
}

export function returnItem<Item>(
  run: BatchRun<Item>,
  index: number,
  reason: FailureReason,
  message: string,
  status?: number,
): void {
  run.report.returned.push({
    index,
    item: run.itemAt(index),
    reason,
    ...(status === undefined ? {} : { status }),
    message,
  });
}

function acceptChunk<Item>(run: BatchRun<Item>, chunk: PreparedItem[], body: unknown): void {
  const batchId = (body as { batch?: { id?: unknown } } | null)?.batch?.id;
  if (typeof batchId === 'string') run.report.batchIds.push(batchId);
  const errors = new Map(itemErrorsOf(body).map((error) => [error.index, error]));
  chunk.forEach((item, position) => {
    const error = errors.get(position); // Chameleon's index is 0-based within this request
    if (error) returnItem(run, item.index, 'rejected', error.message, error.code ?? 422);
    else run.report.accepted.push(item.index);
  });
}

function progressOf<Item>(report: BatchReport<Item>): BatchProgress {
  const { total, accepted, returned } = report;
  return {
    total,
    done: accepted.length + returned.length,
    accepted: accepted.length,
    returned: returned.length,
  };
}

/** Sends every item and records each one's outcome in `run.report`. */
export async function sendBatches<Item>(
  transport: Transport,
  request: BatchRequest,
  items: PreparedItem[],
  run: BatchRun<Item>,
): Promise<void> {
  const queue = chunkItems(items, request);
  while (queue.length) {
    const chunk = queue.shift()!;
    const outcome = await send(transport, request.url, bodyOf(request, chunk), true);
    run.report.requests += outcome.attempts;
    if (outcome.ok) {
      acceptChunk(run, chunk, outcome.body);
    } else if (outcome.reason === 'too-large' && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      queue.unshift(chunk.slice(0, half), chunk.slice(half));
    } else {
      for (const item of chunk) returnItem(run, item.index, outcome.reason, outcome.message, outcome.status);
      // An answer lost for good (unknown-outcome) stops the run too: what the server holds is not known.
      if (STOPS_THE_RUN.has(outcome.reason) || outcome.reason === 'unknown-outcome') {
        const message = `Not sent: an earlier request failed for good (${outcome.message}).`;
        for (const item of queue.flat()) returnItem(run, item.index, 'not-sent', message);
        queue.length = 0;
      }
    }
    request.onProgress?.(progressOf(run.report));
  }
}
