// Preload for the hermetic-generation test: any attempt to reach the network throws.
import dns from 'node:dns';
import net from 'node:net';

const refuse = (what) => () => {
  throw new Error(`network access during generation: ${what}`);
};
net.Socket.prototype.connect = refuse('net.Socket.connect');
dns.lookup = refuse('dns.lookup');
dns.promises.lookup = refuse('dns.promises.lookup');
globalThis.fetch = refuse('fetch');
