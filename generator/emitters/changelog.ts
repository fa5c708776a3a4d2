/**
 * CHANGELOG.md of both packages, from spec/CHANGELOG.md: each spec version
 * becomes the package version `<API major>.<spec version>`, with the change
 * lists spec:diff printed for it (breaking changes acknowledged there).
 *
 * spec/CHANGELOG.md is not a schema, so it is not in the model: it is read
 * from this repository's spec/ (a scratch spec elsewhere gets the same log).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readChangelog } from '../spec-diff/changelog.js';
import { render } from '../templates.js';
import type { Emitter } from './emitter.js';

const DEFAULT_CHANGELOG = fileURLToPath(new URL('../../spec/CHANGELOG.md', import.meta.url));

const PACKAGES = [
  { dir: 'typescript', name: 'chameleon-webhooks' },
  { dir: 'fixtures', name: 'chameleon-webhooks-fixtures' },
];

export const changelogEmitter: Emitter = {
  name: 'changelog',
  emit(model) {
    const major = model.packageVersion.split('.')[0]!;
    const entries = existsSync(DEFAULT_CHANGELOG)
      ? readChangelog(DEFAULT_CHANGELOG).map((entry) => ({
          ...entry,
          packageVersion: `${major}.${entry.version}`,
        }))
      : [];
    return PACKAGES.map((pkg) => ({
      path: path.posix.join(pkg.dir, 'CHANGELOG.md'),
      contents: render('changelog/CHANGELOG.md', { api: model.api, packageName: pkg.name, major, entries }),
    }));
  },
};
