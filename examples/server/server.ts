/**
 * A webhook receiver a new user can run in one command: `npm run example:server`.
 *
 * It listens on PORT (default 3000) at POST /webhooks/chameleon, verifies every
 * delivery with CHAMELEON_WEBHOOK_SECRET, handles each webhook id exactly once,
 * and logs what arrives. Without a secret in the environment it makes one up and
 * prints a signed `curl` command so you can see a delivery go through.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNodeHandler,
  ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
} from '../../generated/typescript/src/index.js';

const PORT = Number(process.env.PORT ?? 3000);
const PATH = '/webhooks/chameleon';
const secret = process.env.CHAMELEON_WEBHOOK_SECRET || randomBytes(24).toString('hex');

const receive = createNodeHandler({
  secret,
  on: {
    ping: (webhook) => console.log(`ping from account ${webhook.data.account.id}`),
    'tour.completed': async (webhook) => {
      // Answer fast (Chameleon waits 7 s at most); queue slow work instead of doing it here.
      console.log(
        `${webhook.data.profile?.email ?? 'someone'} completed the tour "${webhook.data.tour.name}"`,
      );
    },
  },
  onUnknownTopic: (webhook) => console.log(`a topic this version does not know yet: ${webhook.kind}`),
  onRejected: (failure) => console.warn(`rejected: ${failure.reason}: ${failure.message}`),
  onError: (error, webhook) =>
    console.error(`handler failed for ${webhook.kind} ${webhook.id}; Chameleon will retry`, error),
});

const server = createServer((req, res) => {
  if (req.url === PATH) return void receive(req, res);
  res.writeHead(404).end();
});

/** A signed ping as Chameleon would send it now, as a curl command. */
function sampleCurl(port: number): string {
  const body = JSON.stringify({
    id: randomBytes(12).toString('hex'),
    kind: 'ping',
    sent_at: new Date().toISOString(),
    data: { account: { id: '58918bc07de121000432e9c0', name: 'Acme Corp' } },
  });
  return [
    `curl -i -X POST http://localhost:${port}${PATH}`,
    `-H 'content-type: application/json'`,
    `-H '${ID_HEADER}: ${JSON.parse(body).id}'`,
    `-H '${SIGNATURE_HEADER}: ${signWebhook(body, secret)}'`,
    `--data '${body}'`,
  ].join(' \\\n  ');
}

server.listen(PORT, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Receiving Chameleon webhooks on http://localhost:${port}${PATH}`);
  if (!process.env.CHAMELEON_WEBHOOK_SECRET) {
    console.log(
      '\nCHAMELEON_WEBHOOK_SECRET is not set: using a throwaway secret. Try a signed delivery (valid for 5 minutes):\n',
    );
    console.log(sampleCurl(port));
  }
});
