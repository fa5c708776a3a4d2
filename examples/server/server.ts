/**
 * A webhook receiver a new user can run in one command: `npm run example:server`.
 *
 * It listens on 127.0.0.1 (HOST to change it), PORT (default 3000), at POST
 * /webhooks/chameleon, verifies every delivery with CHAMELEON_VERIFICATION_SECRET
 * (or the old name, CHAMELEON_WEBHOOK_SECRET), handles each webhook id exactly once,
 * and logs what arrives. Without a secret in the environment it makes one up. It
 * prints the secret with a ready `chameleon-webhooks send` command, and a signed
 * `curl`, so you can see a delivery go through.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNodeHandler,
  ID_HEADER,
  secretFromEnv,
  SIGNATURE_HEADER,
  signWebhook,
} from '../../generated/typescript/src/index.js';

/** The vendor's name for the Webhook Secret's variable (the old CHAMELEON_WEBHOOK_SECRET is read too). */
const SECRET_ENV = 'CHAMELEON_VERIFICATION_SECRET';
const PORT = Number(process.env.PORT ?? 3000);
// Loopback unless told otherwise: an example should not take deliveries from the whole network.
const HOST = process.env.HOST || '127.0.0.1';
const PATH = '/webhooks/chameleon';
const configured = secretFromEnv(process.env);
const secret = configured ?? randomBytes(24).toString('hex');
/** The variable the secret came from: a real secret is named in what the example prints, never shown. */
const secretVariable = process.env[SECRET_ENV] ? SECRET_ENV : 'CHAMELEON_WEBHOOK_SECRET';

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
function sampleCurl(url: string): string {
  const body = JSON.stringify({
    id: randomBytes(12).toString('hex'),
    kind: 'ping',
    sent_at: new Date().toISOString(),
    data: { account: { id: '58918bc07de121000432e9c0', name: 'Acme Corp' } },
  });
  return [
    `curl -i -X POST ${url}`,
    `-H 'content-type: application/json'`,
    `-H '${ID_HEADER}: ${JSON.parse(body).id}'`,
    `-H '${SIGNATURE_HEADER}: ${signWebhook(body, secret)}'`,
    `--data '${body}'`,
  ].join(' \\\n  ');
}

/** The URL a client on this machine reaches the server at (a bracketed IPv6 literal when it is one). */
function urlOf(port: number): string {
  return `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${port}${PATH}`;
}

server.listen(PORT, HOST, () => {
  const { port } = server.address() as AddressInfo;
  const url = urlOf(port);
  console.log(`Receiving Chameleon webhooks on ${url}`);
  console.log(
    configured
      ? `Secret: from $${secretVariable}.`
      : `Secret: ${secret} (${SECRET_ENV} is not set: a throwaway one).`,
  );
  // The CLI's own command (the package's bin): a topic's fixture, signed as Chameleon signs it.
  const secretArgument = configured ? `"$${secretVariable}"` : secret;
  console.log(
    `\nSend a signed tour.completed:\n  chameleon-webhooks send tour.completed --url ${url} --secret ${secretArgument}`,
  );
  console.log('\nOr a signed ping with curl (valid for 5 minutes):\n');
  console.log(sampleCurl(url));
});
