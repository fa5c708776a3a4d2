/**
 * The last step of each bundle: esbuild has already shortened names and syntax; terser prints the
 * result without whitespace, and that is all it does (no second round of compression or mangling).
 *
 * Why not esbuild's `minifyWhitespace`: it drops every `@__PURE__` annotation, and a bundler that
 * consumes our file then keeps all of it (`import { verifySignature }` grew from 3 KB to 53 KB).
 * Why minify at all: V8 pre-parses every byte of a module it loads, so bytes are most of what a cold
 * import costs (issue 13: the web entry loads no slower than standardwebhooks). `ascii_only` matters
 * as much: one character outside ASCII makes V8 hold the whole source as two-byte text, which cost
 * more than all the whitespace.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildResult } from 'esbuild';
import { minify } from 'terser';

/** Writes the bundle of `result` (built with `write: false` and an external map) and its map. */
export async function writeCompact(packageDir: string, result: BuildResult): Promise<string[]> {
  const files = result.outputFiles ?? [];
  const written: string[] = [];
  for (const file of files.filter((output) => !output.path.endsWith('.map'))) {
    const map = files.find((output) => output.path === `${file.path}.map`);
    const name = path.basename(file.path);
    const compact = await minify(file.text, {
      module: true,
      ecma: 2020,
      compress: false,
      mangle: false,
      format: { comments: false, preserve_annotations: true, ascii_only: true },
      sourceMap: {
        url: `${name}.map`,
        includeSources: true,
        ...(map ? { content: map.text } : {}),
      },
    });
    if (compact.code === undefined) throw new Error(`terser printed nothing for ${name}`);
    await mkdir(path.dirname(file.path), { recursive: true });
    await writeFile(file.path, compact.code);
    written.push(path.relative(packageDir, file.path).split(path.sep).join('/'));
    if (typeof compact.map === 'string') {
      await writeFile(`${file.path}.map`, compact.map);
      written.push(`${written.at(-1)}.map`);
    }
  }
  return written;
}
