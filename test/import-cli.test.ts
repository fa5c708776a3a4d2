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

function captureIo(options: { tty?: boolean; env?: Record<string, string>; now?: () => number } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text), isTTY: options.tty ?? false },
    env: options.env ?? {},
    client: { sleep: async () => undefined, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 } },
    ...(options.now ? { now: options.now } : {}),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** The sidecar of reasons beside a rejected (or unknown-outcome) file: one entry per row. */
async function readReasons(file: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(file.replace(/\.[^./]+$/, '.reasons.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const secretArgs = () => ['--secret', server.secret, '--base-url', server.baseUrl];

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

/** `profiles.ndjson` → `profiles.rejected.ndjson`. */
function besideRejected(file: string): string {
  return file.replace(/(\.[^./]+)$/, '.rejected$1');
}

describe('import', () => {
  it('imports profiles from NDJSON; rejected rows go back out as they were, reasons beside them; exits 1', async () => {
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
    const { io, stdout } = captureIo();
    const code = await runImport(['profiles', file, ...secretArgs(), '--on-model-missing', 'ignore'], io);
    expect(code).toBe(1);
    expect(server.stored.get('profiles')).toEqual([{ uid: 'u1', plan_name: 'Growth' }, { uid: 'u2' }]);
    expect(server.requests[0]?.body).toMatchObject({ on_model_missing: 'ignore' });
    const rejectedFile = path.join(dir, 'profiles.rejected.ndjson');
    expect(await readFile(rejectedFile, 'utf8')).toBe(`${lines[1]}\n${lines[2]}\n${lines[5]}\n`);
    expect(await readReasons(rejectedFile)).toEqual([
      { row: 1, line: 2, reason: 'unreadable', message: expect.stringContaining('Not JSON') },
      { row: 2, line: 3, reason: 'rejected', status: 422, message: 'needs uid or email' },
      { row: 3, line: 6, reason: 'missing-identifier', message: 'A profile needs `uid`, `email` or `id`.' },
    ]);
    expect(stdout()).toContain('2 of 5 rows accepted, 3 rejected, 0 unknown-outcome, 0 duplicates-possible');
    expect(stdout()).toContain(`are in ${rejectedFile}, as in the input`);
    expect(stdout()).toContain(`Checkpoint: ${file}.import-state.json (complete)`);
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
    await expect(readFile(path.join(dir, 'companies.rejected.csv'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('a rejected file, once fixed, imports as it is (NDJSON and CSV)', async () => {
    const ndjson = path.join(dir, 'people.ndjson');
    await writeFile(
      ndjson,
      Array.from({ length: 6 }, (_, index) => JSON.stringify({ mail: `p${index}@example.com` })).join('\n'),
    );
    const csv = path.join(dir, 'people.csv');
    await writeFile(
      csv,
      `mail,plan\r\n${Array.from({ length: 6 }, (_, index) => `p${index}@x.com,"a, b"`).join('\r\n')}`,
    );
    for (const [file, rejectedFile] of [
      [ndjson, path.join(dir, 'people.rejected.ndjson')],
      [csv, path.join(dir, 'people.rejected.csv')],
    ] as const) {
      expect(await runImport(['profiles', file, ...secretArgs()], captureIo().io)).toBe(1);
      expect((await readReasons(rejectedFile)).map(({ reason }) => reason)).toEqual(
        Array(6).fill('missing-identifier'),
      );
      // The fix: rename the column (CSV) or the key (NDJSON) that holds the e-mail address.
      const fixed = (await readFile(rejectedFile, 'utf8'))
        .replaceAll('mail', 'email')
        .replace('emailplan', 'email,plan');
      const fixedFile = rejectedFile.replace('.rejected', '.fixed');
      await writeFile(fixedFile, fixed);
      const { io, stdout } = captureIo();
      expect(await runImport(['profiles', fixedFile, ...secretArgs()], io)).toBe(0);
      expect(stdout()).toContain('6 of 6 rows accepted, 0 rejected');
    }
    expect(server.stored.get('profiles')?.at(-1)).toEqual({ email: 'p5@x.com', plan: 'a, b' });
  });

  it('rejects a row that is not UTF-8 with invalid-utf8 and keeps its bytes; the rest is sent', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    const latin1 = Buffer.from('{"uid":"u2","city":"Montr\xe9al"}', 'latin1');
    await writeFile(
      file,
      Buffer.concat([Buffer.from('{"uid":"u1"}\n'), latin1, Buffer.from('\n{"uid":"u3"}\n')]),
    );
    const csv = path.join(dir, 'companies.csv');
    await writeFile(
      csv,
      Buffer.concat([Buffer.from('uid,city\nc1,Paris\n'), Buffer.from('c2,Montr\xe9al\n', 'latin1')]),
    );
    const { io, stdout } = captureIo();
    expect(await runImport(['profiles', file, ...secretArgs()], io)).toBe(1);
    expect(server.stored.get('profiles')).toEqual([{ uid: 'u1' }, { uid: 'u3' }]);
    const rejectedFile = path.join(dir, 'profiles.rejected.ndjson');
    expect(await readFile(rejectedFile)).toEqual(Buffer.concat([latin1, Buffer.from('\n')]));
    expect(await readReasons(rejectedFile)).toEqual([
      { row: 1, line: 2, reason: 'invalid-utf8', message: expect.stringContaining('not valid UTF-8') },
    ]);
    expect(stdout()).toContain('Rejected rows (1 invalid-utf8)');
    expect(await runImport(['companies', csv, ...secretArgs()], captureIo().io)).toBe(1);
    expect(server.stored.get('companies')).toEqual([{ uid: 'c1', city: 'Paris' }]);
    expect(await readReasons(path.join(dir, 'companies.rejected.csv'))).toMatchObject([
      { line: 3, reason: 'invalid-utf8' },
    ]);
  });

  it('a new import of the file leaves no rejected rows of the previous one behind', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    await writeFile(file, '{"uid":"u1"}\n{"role":"no uid"}\n');
    expect(await runImport(['profiles', file, ...secretArgs()], captureIo().io)).toBe(1);
    await writeFile(file, '{"uid":"u1"}\n{"uid":"u2"}\n');
    const { io, stdout } = captureIo();
    expect(await runImport(['profiles', file, ...secretArgs()], io)).toBe(0);
    expect(stdout()).toContain('2 of 2 rows accepted, 0 rejected');
    await expect(readFile(besideRejected(file))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects CSV rows with too few or too many fields, with the line number', async () => {
    const file = path.join(dir, 'profiles.csv');
    await writeFile(file, 'uid,plan,role\nu1,a,b\nu2,a\nu3,a,b,c\n"u4\nstill u4",a,b\nu5\n');
    expect(await runImport(['profiles', file, ...secretArgs()], captureIo().io)).toBe(1);
    expect(server.stored.get('profiles')?.map((item) => item.uid)).toEqual(['u1', 'u4\nstill u4']);
    const rejectedFile = path.join(dir, 'profiles.rejected.csv');
    expect(await readFile(rejectedFile, 'utf8')).toBe('uid,plan,role\nu2,a\nu3,a,b,c\nu5\n');
    expect(await readReasons(rejectedFile)).toEqual([
      { row: 1, line: 3, reason: 'unreadable', message: 'Line 3: the row has 2 fields; the header has 3.' },
      { row: 2, line: 4, reason: 'unreadable', message: 'Line 4: the row has 4 fields; the header has 3.' },
      { row: 3, line: 7, reason: 'unreadable', message: 'Line 7: the row has 1 field; the header has 3.' },
    ]);
  });

  it('stops at once when Chameleon refuses the Account Secret (401 or 403): nothing sent after, exit 3', async () => {
    await server.close();
    server = await startFakeChameleon({ wrongSecretStatus: 401 });
    const events = path.join(dir, 'events.ndjson');
    await writeFile(
      events,
      Array.from({ length: 300 }, (_, k) => JSON.stringify({ uid: `u${k}`, name: 'x' })).join('\n'),
    );
    const profiles = path.join(dir, 'profiles.ndjson');
    await writeFile(
      profiles,
      Array.from({ length: 200 }, (_, k) => JSON.stringify({ uid: `u${k}` })).join('\n'),
    );
    for (const [model, file] of [
      ['events', events],
      ['profiles', profiles],
    ] as const) {
      server.requests.length = 0;
      const { io, stdout, stderr } = captureIo();
      const args = [model, file, '--secret', 'wrong', '--base-url', server.baseUrl, '--chunk-rows', '10'];
      expect(await runImport(args, io)).toBe(3);
      expect(server.requests).toHaveLength(1);
      expect(stderr()).toMatch(/Chameleon refused the Account Secret \(HTTP 401.*CHAMELEON_ACCOUNT_SECRET/);
      expect(stderr().trim().split('\n')).toHaveLength(1);
      expect(stdout()).toContain('0 of 0 rows accepted');
      await expect(readFile(besideRejected(file))).rejects.toMatchObject({ code: 'ENOENT' });
      // With the right secret, --resume sends everything, from the first row.
      expect(await runImport([model, file, ...secretArgs(), '--resume'], captureIo().io)).toBe(0);
    }
    expect(server.stored.get('events')).toHaveLength(300);
    expect(server.stored.get('profiles')).toHaveLength(200);
  });

  it('an event whose answer is lost goes to the unknown-outcome file, never sent twice; --retry-ambiguous resends', async () => {
    const file = path.join(dir, 'events.ndjson');
    const rows = Array.from({ length: 40 }, (_, k) => JSON.stringify({ uid: `u${k}`, name: 'x', seq: k }));
    await writeFile(file, `${rows.join('\n')}\n`);
    const faulty = new Set([3, 8, 9, 20, 33]);
    const seen = new Set<unknown>();
    // The first attempt at each faulty event is stored, then its answer is lost.
    server.failWhen = ({ body }) => {
      const seq = (body as { seq: number }).seq;
      if (!faulty.has(seq) || seen.has(seq)) return undefined;
      seen.add(seq);
      return { fault: seq % 2 ? 'reset' : 'hang' };
    };
    const { io, stdout } = captureIo();
    io.client = { ...io.client, timeoutMs: 500 };
    expect(await runImport(['events', file, ...secretArgs()], io)).toBe(1);
    const seqs = (server.stored.get('events') ?? []).map((event) => event.seq);
    expect(seqs).toEqual(rows.map((_, k) => k)); // each once: the lost answers were stored, not resent
    expect(server.requests).toHaveLength(40);
    const unknownFile = path.join(dir, 'events.unknown-outcome.ndjson');
    expect(await readFile(unknownFile, 'utf8')).toBe([...faulty].map((k) => `${rows[k]}\n`).join(''));
    expect((await readReasons(unknownFile)).map(({ line, reason }) => [line, reason])).toEqual(
      [...faulty].map((k) => [k + 1, 'unknown-outcome']),
    );
    expect(stdout()).toContain(
      '35 of 40 rows accepted, 0 rejected, 5 unknown-outcome, 0 duplicates-possible',
    );
    expect(stdout()).toContain(`are in ${unknownFile}`);

    server.stored.clear();
    seen.clear();
    const again = captureIo();
    again.io.client = { ...again.io.client, timeoutMs: 500, retry: { maxAttempts: 3, baseDelayMs: 1 } };
    const args = [
      'events',
      file,
      ...secretArgs(),
      '--retry-ambiguous',
      '--state',
      path.join(dir, 'again.json'),
    ];
    expect(await runImport(args, again.io)).toBe(0);
    expect(server.stored.get('events')).toHaveLength(45); // the 5 stored twice, as the summary warns
    expect(again.stdout()).toContain(
      '40 of 40 rows accepted, 0 rejected, 0 unknown-outcome, 5 duplicates-possible',
    );
  });

  it('stops at a failure for good and leaves a checkpoint; --resume sends the rest, each row once (exit 4, then 0)', async () => {
    const file = path.join(dir, 'events.ndjson');
    const events = Array.from({ length: 5 }, (_, index) => ({
      uid: `u${index}`,
      name: 'Imported Leads',
      count: index,
    }));
    await writeFile(file, events.map((event) => JSON.stringify(event)).join('\n'));
    server.failWhen = ({ count }) => (count >= 3 ? { status: 500 } : undefined);
    const { io, stdout, stderr } = captureIo();
    expect(await runImport(['events', file, ...secretArgs()], io)).toBe(4);
    expect(server.stored.get('events')?.map((event) => event.count)).toEqual([0, 1, 2]);
    expect(server.requests).toHaveLength(5); // event 4 twice (the retry budget), then nothing more
    expect(stderr()).toContain('stopped at line 4: HTTP 500: scripted failure. Nothing more was sent.');
    expect(stdout()).toContain('3 of 3 rows accepted');
    expect(stdout()).toContain('--resume to continue from line 4');
    const state = JSON.parse(await readFile(`${file}.import-state.json`, 'utf8'));
    expect(state).toMatchObject({ done: false, next: { line: 4 } });
    // Without --resume the checkpoint is not overwritten silently.
    const fresh = captureIo();
    expect(await runImport(['events', file, ...secretArgs()], fresh.io)).toBe(2);
    expect(fresh.stderr()).toContain('stopped at line 4. Pass --resume to continue it');
    server.failWhen = undefined;
    const resumed = captureIo();
    expect(await runImport(['events', file, ...secretArgs(), '--resume'], resumed.io)).toBe(0);
    expect(server.stored.get('events')?.map((event) => event.count)).toEqual([0, 1, 2, 3, 4]);
    expect(resumed.stdout()).toContain('5 of 5 rows accepted');
  });

  it('stops a batch import at a failure for good; later chunks are never requested until --resume', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    await writeFile(
      file,
      Array.from({ length: 30 }, (_, index) => JSON.stringify({ uid: `u${index + 1}` })).join('\n'),
    );
    server.failWhen = ({ count }) => (count >= 1 && count < 3 ? { status: 500 } : undefined);
    const args = ['profiles', file, ...secretArgs(), '--chunk-rows', '10'];
    expect(await runImport(args, captureIo().io)).toBe(4);
    expect(server.stored.get('profiles')).toHaveLength(10);
    expect(server.requests).toHaveLength(3); // the first chunk, then the second one twice (the retry budget)
    expect(await runImport([...args, '--resume'], captureIo().io)).toBe(0);
    expect(server.stored.get('profiles')?.map((item) => item.uid)).toEqual(
      Array.from({ length: 30 }, (_, index) => `u${index + 1}`),
    );
  });

  it('streams a CSV read a few bytes at a time: quoted line breaks and UTF-8 characters cut across reads', async () => {
    const file = path.join(dir, 'profiles.csv');
    await writeFile(
      file,
      'uid,note\r\nu1,"première\r\nligne ""deux"" 🎉"\r\n,"no uid\nhere"\r\nu2,"å\n\nß"\r\n',
    );
    const { io, stdout } = captureIo();
    io.readBytes = 3;
    const rejectedFile = path.join(dir, 'left.csv');
    expect(await runImport(['profiles', file, ...secretArgs(), '--rejected', rejectedFile], io)).toBe(1);
    expect(server.stored.get('profiles')).toEqual([
      { uid: 'u1', note: 'première\r\nligne "deux" 🎉' },
      { uid: 'u2', note: 'å\n\nß' },
    ]);
    expect(await readFile(rejectedFile, 'utf8')).toBe('uid,note\n,"no uid\nhere"\n');
    expect((await readReasons(rejectedFile)).map(({ line, reason }) => [line, reason])).toEqual([
      [4, 'missing-identifier'],
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
      const { io, stdout } = captureIo();
      expect(
        await runImport(['profiles', file, ...secretArgs(), '--chunk-rows', String(chunkRows)], io),
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
      const rejectedFile = path.join(dir, `profiles.rejected.${format}`);
      const reasons = await readReasons(rejectedFile);
      expect(reasons.map(({ line }) => line)).toEqual(odd.map(lineOf));
      if (format === 'ndjson') {
        expect(reasons.find(({ line }) => line === 12_345)).toMatchObject({ reason: 'unreadable' });
        expect(reasons.find(({ line }) => line === 6234)).toMatchObject({ reason: 'rejected', status: 422 });
        expect(await readFile(rejectedFile, 'utf8')).toContain('\n{"id":"x11234"}\nnot json\n');
      } else {
        expect(reasons.find(({ line }) => line === 2 * 6234)).toMatchObject({ reason: 'missing-identifier' });
        expect(await readFile(rejectedFile, 'utf8')).toContain('\n,"no\nuid 6234"\n');
      }
      expect(stdout()).toContain(`${rows - odd.length} of ${rows} rows accepted, ${odd.length} rejected`);
    },
  );

  it('returns a line longer than a batch body as unreadable without holding it whole', async () => {
    const file = path.join(dir, 'profiles.ndjson');
    const huge = JSON.stringify({ uid: 'huge', note: 'x'.repeat(17 * 1024 * 1024) });
    await writeFile(file, `{"uid":"a"}\n${huge}\n{"uid":"b"}`);
    const { io, stdout } = captureIo();
    expect(await runImport(['profiles', file, ...secretArgs()], io)).toBe(1);
    expect(server.stored.get('profiles')).toEqual([{ uid: 'a' }, { uid: 'b' }]);
    const [reason] = await readReasons(path.join(dir, 'profiles.rejected.ndjson'));
    expect(reason).toEqual({
      row: null,
      line: 2,
      reason: 'unreadable',
      message: expect.stringContaining('longer than'),
      start: huge.slice(0, 200),
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
    expect(await runImport(['profiles', file, ...secretArgs(), '--chunk-rows', '100'], io)).toBe(2);
    expect(stderr()).toMatch(/line 3002: a quoted field is never closed/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [['users', 'x.ndjson'], /Name what to import/],
    [['profiles'], /exactly one file/],
    [['profiles', 'x.ndjson'], /No Account Secret/],
    [['profiles', 'x.txt', '--secret', 's'], /must end in .ndjson, .jsonl or .csv/],
    [['profiles', 'missing.ndjson', '--secret', 's'], /ENOENT/],
    [['profiles', 'x.ndjson', '--secret', 's', '--batch-size', '0'], /positive integer/],
    [['profiles', 'x.ndjson', '--secret', 's', '--chunk-rows', '1.5'], /--chunk-rows is a positive integer/],
    [['profiles', 'x.ndjson', '--bogus'], /bogus/],
    [['profiles', 'x.ndjson', '--secret', 's', '--resume'], /no checkpoint to resume from/],
  ])('explains a usage error in one line and a hint, and exits 2: %j', async (args, message) => {
    const { io, stderr } = captureIo();
    const cwdArgs = args.map((arg) => (/\.(ndjson|txt)$/.test(arg) ? path.join(dir, arg) : arg));
    await writeFile(path.join(dir, 'x.txt'), '');
    await writeFile(path.join(dir, 'x.ndjson'), '');
    expect(await runImport(cwdArgs, io)).toBe(2);
    const [line, hint, ...rest] = stderr().trimEnd().split('\n');
    expect(line).toMatch(/^chameleon-webhooks import: /);
    expect(line).toMatch(message);
    expect(hint).toBe('Run `chameleon-webhooks import --help` for the options.');
    expect(rest).toEqual([]);
    expect(stderr()).not.toContain('Usage:');
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
    expect(stdout).toContain('1 of 1 row accepted');
    expect(server.stored.get('profiles')).toEqual([{ uid: 'u1', plan_name: 'Growth' }]);
  });
});

describe('import progress', () => {
  /** A clock that moves one second each time the stand-in gets a request. */
  function tickingClock() {
    let now = 0;
    server.failWhen = () => {
      now += 1000;
      return undefined;
    };
    return () => now;
  }

  it('on a terminal: the percentage of bytes done, true row counts, rows/s and an ETA', async () => {
    const file = path.join(dir, 'p.jsonl');
    await writeFile(file, '{"uid":"a"}\n{"uid":"b"}\n{"uid":"c"}\n{"uid":"d"}\n');
    const { io, stderr } = captureIo({ tty: true, now: tickingClock() });
    expect(await runImport(['profiles', file, ...secretArgs(), '--batch-size', '1'], io)).toBe(0);
    expect(stderr()).toContain(
      '\rimport profiles 50.0% 2 rows (2 accepted, 0 rejected, 0 unknown-outcome) 1 rows/s ETA 0:02',
    );
    expect(
      stderr().endsWith(
        '\rimport profiles 100.0% 4 rows (4 accepted, 0 rejected, 0 unknown-outcome) 1 rows/s ETA 0:00\u001b[K\n',
      ),
    ).toBe(true);
  });

  it('off a terminal: a plain line every N seconds, with the rows whose outcome is known', async () => {
    const file = path.join(dir, 'p.ndjson');
    await writeFile(file, '{"uid":"a"}\n{"uid":"b"}\n{"id":"c"}\n{"uid":"d"}\n');
    const { io, stderr } = captureIo({ now: tickingClock() });
    const args = ['profiles', file, ...secretArgs(), '--batch-size', '1', '--progress-every', '2'];
    expect(await runImport(args, io)).toBe(1);
    expect(stderr().split('\n')).toEqual([
      'import profiles 51.1% 2 rows (2 accepted, 0 rejected, 0 unknown-outcome) 1 rows/s', // 24 of 47 bytes
      'import profiles 100.0% 4 rows (3 accepted, 1 rejected, 0 unknown-outcome) 1 rows/s',
      '',
    ]);
  });
});

describe('import: stop and resume', () => {
  it('an abort (SIGINT) lets the request in flight finish, writes the checkpoint and summary, exits 130', async () => {
    const file = path.join(dir, 'events.ndjson');
    await writeFile(
      file,
      Array.from({ length: 10 }, (_, k) => JSON.stringify({ uid: `u${k}`, name: 'x', seq: k })).join('\n'),
    );
    const controller = new AbortController();
    server.failWhen = ({ count }) => {
      if (count === 3) controller.abort(); // while the fourth event is in flight
      return undefined;
    };
    const { io, stdout } = captureIo();
    io.signal = controller.signal;
    expect(await runImport(['events', file, ...secretArgs()], io)).toBe(130);
    expect(server.stored.get('events')).toHaveLength(4);
    expect(stdout()).toContain('4 of 4 rows accepted');
    expect(stdout()).toContain(
      `Checkpoint: ${file}.import-state.json (interrupted; run the same command with --resume to continue from line 5)`,
    );
    server.failWhen = undefined;
    const resumed = captureIo();
    expect(await runImport(['events', file, ...secretArgs(), '--resume'], resumed.io)).toBe(0);
    expect(server.stored.get('events')?.map((event) => event.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(resumed.stdout()).toContain('10 of 10 rows accepted');
    const again = captureIo();
    expect(await runImport(['events', file, ...secretArgs(), '--resume'], again.io)).toBe(0);
    expect(again.stdout()).toContain('already complete; nothing sent');
    expect(server.stored.get('events')).toHaveLength(10);
  });
});
