/**
 * CHANGELOG.md of both packages, from spec/CHANGELOG.md: each spec version
 * becomes the package version `<API major>.<spec version>`, with the change
 * lists spec:diff printed for it (breaking changes acknowledged there).
 *
 * The log is the model's (`model.changelog`, read from the CHANGELOG.md of the
 * spec directory being generated, so `--spec` picks its own).
 */
import path from 'node:path';
import { render } from '../templates.js';
import type { Emitter } from './emitter.js';

const PACKAGES = [
  { dir: 'typescript', name: 'chameleon-webhooks' },
  { dir: 'fixtures', name: 'chameleon-webhooks-fixtures' },
];

export const changelogEmitter: Emitter = {
  name: 'changelog',
  emit(model) {
    const major = model.packageVersion.split('.')[0]!;
    const entries = model.changelog.map((entry) => ({
      ...entry,
      packageVersion: `${major}.${entry.version}`,
    }));
    return PACKAGES.map((pkg) => ({
      path: path.posix.join(pkg.dir, 'CHANGELOG.md'),
      contents: render('changelog/CHANGELOG.md', { api: model.api, packageName: pkg.name, major, entries }),
    }));
  },
};
