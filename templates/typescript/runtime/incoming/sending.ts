// What the incoming client loads on its first send: HTTP with retries (http.ts) and
// batching (batch.ts). An app that imports the package to verify webhooks never parses
// them. Nothing here may import what the client's eager half imports (facts, normalize,
// the client itself): a bundler would move that code into a third file, which every
// import of the package then loads.
export { endpointUrl, send, STOPS_THE_RUN } from './http.js';
export { bodyOverhead, returnItem, sendBatches } from './batch.js';
