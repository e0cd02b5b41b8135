import { describe, expect, it } from 'vitest';
import { isDatabaseBusy, isDatabaseConnectionLost } from './database-errors';

describe('isDatabaseBusy', () => {
  it('recognises a full pool and a refusing server, also wrapped by the query builder', () => {
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    expect(isDatabaseBusy(poolTimeout)).toBe(true);
    expect(isDatabaseBusy(new Error('Failed query: select 1', { cause: poolTimeout }))).toBe(true);
    expect(
      isDatabaseBusy(Object.assign(new Error('sorry, too many clients already'), { code: '53300' })),
    ).toBe(true);
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    expect(isDatabaseBusy(cancelled)).toBe(true);
  });

  it('leaves other failures alone', () => {
    expect(isDatabaseBusy(new Error('syntax error at or near "selec"'))).toBe(false);
    expect(isDatabaseBusy(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    const loop: Error & { cause?: unknown } = new Error('a cause that points at itself');
    loop.cause = loop;
    expect(isDatabaseBusy(loop)).toBe(false);
  });
});

describe('isDatabaseConnectionLost', () => {
  it('recognises a session the server ended and a connection that went, also wrapped', () => {
    const ended = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(isDatabaseConnectionLost(ended)).toBe(true);
    expect(isDatabaseConnectionLost(new Error('Failed query: commit', { cause: ended }))).toBe(true);
    const idle = Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), {
      code: '25P03',
    });
    expect(isDatabaseConnectionLost(idle)).toBe(true);
    expect(isDatabaseConnectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseConnectionLost(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
  });

  it('leaves other failures alone', () => {
    expect(isDatabaseConnectionLost(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(
      false,
    );
    expect(isDatabaseConnectionLost(new Error('timeout exceeded when trying to connect'))).toBe(false);
  });
});
