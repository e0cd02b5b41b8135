import { describe, expect, it } from 'vitest';
import { traceIdOf } from '../telemetry/trace-context';

describe('traceIdOf', () => {
  it('reads the trace id of a W3C traceparent', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it.each([
    undefined,
    '',
    'garbage',
    '00-XYZ-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6-00f067aa0ba902b7-01',
  ])('has none for %s', (traceparent) => {
    expect(traceIdOf(traceparent)).toBeUndefined();
  });
});
