import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { runtimeSources } from './test/runtime-sources.js';

export default defineConfig({
  // Tests run the runtime modules from templates/typescript/runtime/, where they are written.
  plugins: [runtimeSources()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: several tests run tsc or npm in a child process, and the two workers share two cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default (one worker fewer than the cores) runs every file one after another on two
    // cores, while many files spend their time waiting on child processes (tsc, npm, python).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
