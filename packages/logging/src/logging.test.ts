import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, REDACTED_KEYS } from './index.ts';

const CANARY = 'Kanarie7f3a';

function capture(level: 'trace' | 'info' = 'trace') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ service: 'test', level, destination });
  return { log, lines, text: () => lines.join('') };
}

describe('the shared logger', () => {
  it('redacts every listed key at the top level and one and two objects down, and keeps the rest', () => {
    const { log, lines, text } = capture();
    for (const key of REDACTED_KEYS) {
      log.info(
        { [key]: CANARY, nested: { [key]: CANARY }, deeper: { inner: { [key]: CANARY } }, list: [{ [key]: CANARY }], contactId: 'c-1' },
        key,
      );
    }
    expect(lines).toHaveLength(REDACTED_KEYS.length);
    expect(text()).not.toContain(CANARY);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ service: 'test', contactId: 'c-1', nested: { [REDACTED_KEYS[0]]: REDACTED } });
  });

  it('redacts request headers (cookie, authorization) and the set-cookie answer header', () => {
    const { log, text } = capture();
    log.info(
      {
        req: { headers: { cookie: `__Host-zweck_session=${CANARY}`, authorization: `Bearer ${CANARY}` } },
        res: { headers: { 'set-cookie': CANARY } },
      },
      'request',
    );
    expect(text()).toContain('"cookie":"[redacted]"');
    expect(text()).toContain('"set-cookie":"[redacted]"');
    expect(text()).not.toContain(CANARY);
  });

  it('logs errors by name, code and frames, never their message, however they are passed', () => {
    const { log, lines, text } = capture();
    const error = Object.assign(new Error(`duplicate key (email)=(${CANARY}@example.org)`), { code: 'P2002' });
    log.error({ err: error }, 'procedure failed');
    log.error(error);
    log.error(error, 'send failed');
    log.warn({ error }, 'Activity failed');
    expect(text()).not.toContain(CANARY);
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; err?: { name: string; code?: string; frames: string[] } });
    expect(parsed.map((p) => p.msg)).toEqual(['procedure failed', 'Error', 'send failed', 'Activity failed']);
    expect(parsed[0]!.err).toMatchObject({ name: 'Error', code: 'P2002' });
    expect(parsed[0]!.err!.frames.length).toBeGreaterThan(0);
    // A code that could quote a value is dropped; a name the caller chose stays.
    log.error({ err: Object.assign(new Error('x'), { code: `550 <${CANARY}@example.org>` }) }, 'refused');
    log.error({ err: 'TypeError' }, 'named');
    expect(text()).not.toContain(CANARY);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ err: 'TypeError' });
  });

  it('redacts what a child logger is bound to', () => {
    const { log, text } = capture();
    log.child({ email: CANARY }).info('bound');
    expect(text()).toContain('"email":"[redacted]"');
    expect(text()).not.toContain(CANARY);
  });
});
