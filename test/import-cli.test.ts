/** `chameleon-webhooks import`: NDJSON and CSV backfills against a local Chameleon stand-in; nothing is lost. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport, type CliIo } from '../generated/typescript/src/cli/import.js';
import { CsvReader, CsvSyntaxError, parseCsv } from '../generated/typescript/src/incoming/csv.js';
import { GENERATED_DIR, ROOT } from './helpers.js';
import { startFakeChameleon, type FakeChameleon } from './incoming-server.js';

const run = promisify(execFile);

let server: FakeChameleon;
let dir: string;

beforeEach(async () => {
  server = await startFakeChameleon();
  dir = await mkdtemp(path.join(tmpdir(), 'chameleon-import-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function captureIo(options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text), isTTY: options.tty ?? false },
    env: options.env ?? {},
    client: { sleep: async () => undefined, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 } },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function readRejected(file: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields, doubled quotes, separators and line breaks inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFuid,note,plan\r\n1,"a, b","say ""hi"""\r\n2,"two\nlines",\r\n\r\n3,,"x"';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['uid', 'note', 'plan'] },
      { line: 2, fields: ['1', 'a, b', 'say "hi"'] },
      { line: 3, fields: ['2', 'two\nlines', ''] },
      { line: 6, fields: ['3', '', 'x'] },
    ]);
  });

  it('rejects an unclosed quote and text after a closing quote', () => {
    expect(() => parseCsv('a,"open\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,"closed"x\n')).toThrow(/text follows a closing quote/);
  });

  it('reads the same records whichever way the text is cut into pieces', () => {
    const text = '\uFEFFuid,note\r\n1,"two\r\nlines, and ""quotes"""\r\n2,"cr\ronly"\r3,plain\n\n4,"end"';
    const whole = parseCsv(text);
    expect(whole.map((record) => record.line)).toEqual([1, 2, 4, 6, 8]);
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new CsvReader();
      const records = [...reader.push(text.slice(0, cut)), ...reader.push(text.slice(cut)), ...reader.end()];
      expect(records, `cut at ${cut}`).toEqual(whole);
    }
    const byChar = new CsvReader();
    expect([...[...text].flatMap((char) => byChar.push(char)), ...byChar.end()]).toEqual(whole);
  });

  it('stops a record that outgrows maxRecordChars (a quote left open would swallow the file)', () => {
    const reader = new CsvReader({ maxRecordChars: 20 });
    expect(reader.push('uid,note\n1,"ok"\n')).toEqual([
      { line: 1, fields: ['uid', 'note'] },
      { line: 2, fields: ['1', 'ok'] },
    ]);
    expect(() => reader.push('2,"open\n3,x\n4,y\n5,z\n6,w\n')).toThrow(
      /line 3: the record is longer than 20 characters/,
    );
  });
});

describe('import', () => {
  it('imports profiles from NDJSON, writes rejected rows with their reason and line, exits 1', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    const lines = [
      JSON.stringify({ uid: 'u1', planName: 'Growth' }),
      'not json',
      JSON.stringify({ id: 'no-batch-identifier' }),
      '',
      JSON.stringify({ uid: 'u2' }),
      JSON.stringify({ role: 'no identifier at all' }),
    ];
    await writeFile(file, lines.join('\n'));
    const { io, stdout, stderr } = captureIo();
    const code = await runImport(
      [
        'profiles',
        file,
        '--secret',
        server.secret,
        '--base-url',
        server.baseUrl,
        '--on-model-missing',
        'ignore',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(server.stored.get('profiles')).toEqual([{ uid: 'u1', plan_name: 'Growth' }, { uid: 'u2' }]);
    expect(server.requests[0]?.body).toMatchObject({ on_model_missing: 'ignore' });
    const rejected = await readRejected(`${file}.rejected.ndjson`);
    expect(rejected).toEqual([
      { line: 2, reason: 'unreadable', message: expect.stringContaining('Not JSON'), raw: 'not json' },
      {
        line: 3,
        reason: 'rejected',
        status: 422,
        message: 'needs uid or email',
        item: { id: 'no-batch-identifier' },
      },
      {
        line: 6,
        reason: 'missing-identifier',
        message: expect.any(String),
        item: { role: 'no identifier at all' },
      },
    ]);
    expect(stdout()).toContain('2 of 5 rows accepted, 3 rejected');
    expect(stderr()).toMatch(/import profiles: 4\/4 rows \(2 accepted, 2 returned\)/);
  });

  it('imports companies from CSV with the secret from the environment; empty cells are left out; exits 0', async () => {
    const file = path.join(dir, 'companies.csv');
    await writeFile(file, 'uid,Company Name,notes\nacme,"Acme, Inc.","line one\nline two"\nglobex,Globex,\n');
    const { io, stdout } = captureIo({ env: { CHAMELEON_ACCOUNT_SECRET: server.secret } });
    expect(await runImport(['companies', file, '--base-url', server.baseUrl], io)).toBe(0);
    expect(server.stored.get('companies')).toEqual([
      { uid: 'acme', company_name: 'Acme, Inc.', notes: 'line one\nline two' },
      { uid: 'globex', company_name: 'Globex' },
    ]);
    expect(stdout()).toContain('2 of 2 rows accepted, 0 rejected');
    await expect(readFile(`${file}.rejected.ndjson`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('imports events one by one; after a failure for good the rest are returned as not sent', async () => {
    const file = path.join(dir, 'events.ndjson');
    const events = Array.from({ length: 5 }, (_, index) => ({
      uid: `u${index}`,
      name: 'Imported Leads',
      count: index,
    }));
    await writeFile(file, events.map((event) => JSON.stringify(event)).join('\n'));
    server.failWhen = ({ count }) => (count >= 3 ? { status: 500 } : undefined);
    const { io, stdout } = captureIo({ tty: true });
    const rejectedFile = path.join(dir, 'left.ndjson');
    expect(
      await runImport(
        ['events', file, '--secret', server.secret, '--base-url', server.baseUrl, '--rejected', rejectedFile],
        io,
      ),
    ).toBe(1);
    expect(server.stored.get('events')?.map((event) => event.name)).toEqual([
      'imported_leads',
      'imported_leads',
      'imported_leads',
    ]);
    const rejected = await readRejected(rejectedFile);
    expect(rejected.map(({ line, reason }) => [line, reason])).toEqual([
      [4, 'server-error'],
      [5, 'not-sent'],
    ]);
    expect(rejected[1]?.item).toEqual(events[4]);
    expect(stdout()).toContain('3 of 5 rows accepted, 2 rejected');
  });

  it('draws a progress bar on a terminal', async () => {
    const file = path.join(dir, 'p.jsonl');
    await writeFile(file, '{"uid":"a"}\n{"uid":"b"}\n');
    const { io, stderr } = captureIo({ tty: true });
    await runImport(
      ['profiles', file, '--secret', server.secret, '--base-url', server.baseUrl, '--batch-size', '1'],
      io,
    );
    expect(stderr()).toContain(`\rimport profiles [${'#'.repeat(15)}${'-'.repeat(15)}] 1/2 rows`);
    expect(stderr()).toContain(`\rimport profiles [${'#'.repeat(30)}] 2/2 rows (2 accepted, 0 returned)\n`);
  });

  it('streams a CSV read a few bytes at a time: quoted line breaks and UTF-8 characters cut across reads', async () => {
    const file = path.join(dir, 'profiles.csv');
    await writeFile(
      file,
      'uid,note\r\nu1,"première\r\nligne ""deux"" 🎉"\r\n,"no uid\nhere"\r\nu2,"å\n\nß"\r\n',
    );
    const { io, stdout } = captureIo();
    io.readBytes = 3;
    const rejectedFile = path.join(dir, 'rejected.ndjson');
    expect(
      await runImport(
        [
          'profiles',
          file,
          '--secret',
          server.secret,
          '--base-url',
          server.baseUrl,
          '--rejected',
          rejectedFile,
        ],
        io,
      ),
    ).toBe(1);
    expect(server.stored.get('profiles')).toEqual([
      { uid: 'u1', note: 'première\r\nligne "deux" 🎉' },
      { uid: 'u2', note: 'å\n\nß' },
    ]);
    expect((await readRejected(rejectedFile)).map(({ line, reason, item }) => [line, reason, item])).toEqual([
      [4, 'missing-identifier', { note: 'no uid\nhere' }],
    ]);
    expect(stdout()).toContain('2 of 3 rows accepted, 1 rejected');
  });

  it.each([
    [
      'ndjson',
      (k: number) =>
        k === 12_345
          ? 'not json'
          : JSON.stringify(k % 5000 === 1234 ? { id: `x${k}` } : { uid: `u${k}`, n: k }),
      (k: number) => k,
    ],
    [
      'csv',
      (k: number) => (k % 5000 === 1234 ? `,"no\nuid ${k}"` : `u${k},"row\n${k}"`),
      (k: number) => 2 * k,
    ],
  ])(
    'streams 25,000 %s rows in chunks: no request holds more than a chunk, rejected rows keep their lines',
    async (format, rowText, lineOf) => {
      const rows = 25_000;
      const chunkRows = 4000;
      const file = path.join(dir, `profiles.${format}`);
      const body = Array.from({ length: rows }, (_, index) => rowText(index + 1)).join('\n');
      await writeFile(file, format === 'csv' ? `uid,note\n${body}\n` : `${body}\n`);
      const { io, stdout, stderr } = captureIo();
      expect(
        await runImport(
          [
            'profiles',
            file,
            '--secret',
            server.secret,
            '--base-url',
            server.baseUrl,
            '--chunk-rows',
            String(chunkRows),
          ],
          io,
        ),
      ).toBe(1);

      // The client is given one chunk at a time, so no batch request can hold more rows than a chunk.
      const batchSizes = server.requests.map(
        (request) => (request.body as { profiles: unknown[] }).profiles.length,
      );
      expect(batchSizes.length).toBe(Math.ceil(rows / chunkRows));
      expect(Math.max(...batchSizes)).toBeLessThanOrEqual(chunkRows);
      const all = Array.from({ length: rows }, (_, index) => index + 1);
      const odd = all.filter((k) => k % 5000 === 1234 || (format === 'ndjson' && k === 12_345));
      expect(odd).toHaveLength(format === 'ndjson' ? 6 : 5);
      // Every good row stored once, in file order: nothing lost, nothing sent twice.
      expect((server.stored.get('profiles') ?? []).map((item) => item.uid)).toEqual(
        all.filter((k) => !odd.includes(k)).map((k) => `u${k}`),
      );
      const rejected = await readRejected(`${file}.rejected.ndjson`);
      expect(rejected.map(({ line }) => line)).toEqual(odd.map(lineOf));
      if (format === 'ndjson') {
        expect(rejected.find(({ line }) => line === 12_345)).toMatchObject({
          reason: 'unreadable',
          raw: 'not json',
        });
        expect(rejected.find(({ line }) => line === 6234)).toMatchObject({
          reason: 'rejected',
          status: 422,
          item: { id: 'x6234' },
        });
      } else {
        expect(rejected.find(({ line }) => line === 2 * 6234)).toMatchObject({
          reason: 'missing-identifier',
          item: { note: 'no\nuid 6234' },
        });
      }
      expect(stdout()).toContain(`${rows - odd.length} of ${rows} rows accepted, ${odd.length} rejected`);
      const items = format === 'ndjson' ? rows - 1 : rows;
      expect(stderr()).toContain(
        `import profiles: ${items}/${items} rows (${rows - odd.length} accepted, ${items - (rows - odd.length)} returned)`,
      );
    },
  );

  it('after a request fails for good, later chunks are returned as not sent and never requested', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    await writeFile(
      file,
      Array.from({ length: 30 }, (_, index) => JSON.stringify({ uid: `u${index + 1}` })).join('\n'),
    );
    server.failWhen = ({ count }) => (count >= 1 ? { status: 500 } : undefined);
    const { io } = captureIo();
    expect(
      await runImport(
        ['profiles', file, '--secret', server.secret, '--base-url', server.baseUrl, '--chunk-rows', '10'],
        io,
      ),
    ).toBe(1);
    expect(server.stored.get('profiles')).toHaveLength(10);
    expect(server.requests).toHaveLength(3); // the first chunk, then the second one twice (the retry budget)
    const rejected = await readRejected(`${file}.rejected.ndjson`);
    expect(rejected.map(({ line, reason }) => [line, reason])).toEqual([
      ...Array.from({ length: 10 }, (_, index) => [index + 11, 'server-error']),
      ...Array.from({ length: 10 }, (_, index) => [index + 21, 'not-sent']),
    ]);
  });

  it('returns a line longer than a batch body as unreadable without holding it whole', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    const huge = JSON.stringify({ uid: 'huge', note: 'x'.repeat(17 * 1024 * 1024) });
    await writeFile(file, `{"uid":"a"}\n${huge}\n{"uid":"b"}`);
    const { io, stdout } = captureIo();
    expect(
      await runImport(['profiles', file, '--secret', server.secret, '--base-url', server.baseUrl], io),
    ).toBe(1);
    expect(server.stored.get('profiles')).toEqual([{ uid: 'a' }, { uid: 'b' }]);
    const [rejected] = await readRejected(`${file}.rejected.ndjson`);
    expect(rejected).toMatchObject({
      line: 2,
      reason: 'unreadable',
      message: expect.stringContaining('longer than'),
      raw: `${huge.slice(0, 200)}…`,
    });
    expect(stdout()).toContain('2 of 3 rows accepted, 1 rejected');
  });

  it('checks the whole CSV before sending anything: a syntax error at the end sends nothing and exits 2', async () => {
    const file = path.join(dir, 'profiles.csv');
    await writeFile(
      file,
      `uid\n${Array.from({ length: 3000 }, (_, index) => `u${index}`).join('\n')}\nu3000,"open\n`,
    );
    const { io, stderr } = captureIo();
    expect(
      await runImport(
        ['profiles', file, '--secret', server.secret, '--base-url', server.baseUrl, '--chunk-rows', '100'],
        io,
      ),
    ).toBe(2);
    expect(stderr()).toMatch(/line 3002: a quoted field is never closed/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [['users', 'x.ndjson'], /Name what to import/],
    [['profiles'], /exactly one file/],
    [['profiles', 'x.ndjson'], /No account secret/],
    [['profiles', 'x.txt', '--secret', 's'], /must end in .ndjson, .jsonl or .csv/],
    [['profiles', 'missing.ndjson', '--secret', 's'], /ENOENT/],
    [['profiles', 'x.ndjson', '--secret', 's', '--batch-size', '0'], /positive integer/],
    [['profiles', 'x.ndjson', '--secret', 's', '--chunk-rows', '1.5'], /--chunk-rows is a positive integer/],
    [['profiles', 'x.ndjson', '--bogus'], /bogus/],
  ])('explains a usage error and exits 2: %j', async (args, message) => {
    const { io, stderr } = captureIo();
    const cwdArgs = args.map((arg) => (/\.(ndjson|txt)$/.test(arg) ? path.join(dir, arg) : arg));
    if (cwdArgs.some((arg) => arg.endsWith('x.txt'))) await writeFile(path.join(dir, 'x.txt'), '');
    expect(await runImport(cwdArgs, io)).toBe(2);
    expect(stderr()).toMatch(message);
    expect(stderr()).toContain('Usage: chameleon-webhooks import');
  });

  it('runs as `chameleon-webhooks import` through the CLI dispatcher', async () => {
    const file = path.join(dir, 'profiles.csv');
    await writeFile(file, 'uid,planName\nu1,Growth\n');
    const main = path.join(GENERATED_DIR, 'typescript/src/cli/main.ts');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', main, 'import', 'profiles', file, '--base-url', server.baseUrl],
      {
        cwd: ROOT,
        env: { ...process.env, CHAMELEON_ACCOUNT_SECRET: server.secret },
      },
    );
    expect(stdout).toContain('1 of 1 rows accepted');
    expect(server.stored.get('profiles')).toEqual([{ uid: 'u1', plan_name: 'Growth' }]);
  });
});
