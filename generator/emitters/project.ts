/**
 * What both packages say of the project they come from: the license (the
 * repository's LICENSE file, shipped in each tarball) and where its source,
 * home page and issue tracker are (package.json `repository`, `homepage`, `bugs`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedFile } from './emitter.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The project's repository on GitHub. */
const REPOSITORY_URL = 'https://github.com/chameleon-webhooks/chameleon-webhooks';

/** package.json fields of a package generated into `directory` (relative to the repository root). */
export function projectFields(directory: string) {
  return {
    repository: { type: 'git', url: `git+${REPOSITORY_URL}.git`, directory },
    homepage: `${REPOSITORY_URL}/tree/main/${directory}#readme`,
    bugs: { url: `${REPOSITORY_URL}/issues` },
  };
}

/** The repository's LICENSE, copied into a package folder (`typescript`, `fixtures`). */
export function licenseFile(packageFolder: string): GeneratedFile {
  return { path: `${packageFolder}/LICENSE`, contents: readFileSync(path.join(ROOT, 'LICENSE'), 'utf8') };
}
