/** The emitters, in the order their output is listed. Each owns its own files in its output root. */
import type { Emitter } from './emitter.js';
import { changelogEmitter } from './changelog.js';
import { docsEmitter } from './docs.js';
import { factoriesEmitter } from './factories.js';
import { fixturesEmitter } from './fixtures.js';
import { incomingEmitter } from './incoming.js';
import { packageEmitter } from './package.js';
import { runtimeEmitter } from './runtime.js';
import { typesEmitter } from './types.js';
import { validatorsEmitter } from './validators.js';
import { verifyEmitter } from './verify.js';

export const emitters: Emitter[] = [
  typesEmitter,
  validatorsEmitter,
  packageEmitter,
  fixturesEmitter,
  factoriesEmitter,
  incomingEmitter,
  verifyEmitter,
  runtimeEmitter,
  changelogEmitter,
  docsEmitter,
];
