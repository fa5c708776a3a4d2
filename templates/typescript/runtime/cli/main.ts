/**
 * `chameleon-webhooks <command>`: the package's command line. Each subcommand
 * lives in its own module of src/cli/ and is listed once in `COMMANDS`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_VERSION } from '../topics.js';
import { PACKAGE_VERSION } from './facts.js';
import { runImport } from './import.js';
import { runSend } from './send.js';

export interface CliCommand {
  /** One line for the command list. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: readonly string[]): Promise<number>;
}

/** The subcommands, by name. */
export const COMMANDS: { readonly [name: string]: CliCommand } = {
  send: {
    summary: 'Sign and POST a webhook fixture to your endpoint, as Chameleon would (with its retries).',
    run: (args) => runSend(args),
  },
  import: {
    summary: 'Backfill profiles, companies or events from an NDJSON or CSV file into Chameleon.',
    run: (args) => runImport(args),
  },
};

/** What `chameleon-webhooks --help` prints. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return [
    'Usage: chameleon-webhooks <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `chameleon-webhooks <command> --help` for the options of a command.',
    `Version ${PACKAGE_VERSION} (Chameleon API ${API_VERSION}).`,
  ].join('\n');
}

interface Output {
  write(text: string): unknown;
}

/** Dispatches `argv` (without `node` and the script) to a subcommand; resolves to the exit code (2: usage error). */
export async function main(
  argv: readonly string[],
  stdout: Output = process.stdout,
  stderr: Output = process.stderr,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? stderr : stdout).write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    stderr.write(
      `chameleon-webhooks: unknown command "${name}"\nRun \`chameleon-webhooks --help\` for the commands.\n`,
    );
    return 2;
  }
  return command.run(rest);
}

/** True when this module is the process's entry point (the `chameleon-webhooks` bin), not an import. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `chameleon-webhooks send --list | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Exit once stdout is flushed: fetch's idle keep-alive sockets would hold the process for seconds.
      process.stdout.write('', () => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`chameleon-webhooks: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
