import type { Logger } from './logger';

/**
 * Names what a starting service is waiting on (its database, the broker, its consumers…) and says so every
 * `reportEveryMs` while it waits, so a start that hangs tells where. After `giveUpAfterMs`, `onGiveUp` is
 * called with the step (a process exits, to be started again by whatever runs it).
 */
export function watchStartup(
  logger: Logger,
  options: {
    reportEveryMs?: number;
    giveUpAfterMs?: number;
    onGiveUp?: (step: string, ms: number) => void;
  } = {},
) {
  const started = Date.now();
  let step = 'configuration';
  const report = setInterval(
    () => logger.warn({ step, waitedMs: Date.now() - started }, `still starting: waiting on ${step}`),
    options.reportEveryMs ?? 10_000,
  );
  report.unref();
  const giveUp =
    options.giveUpAfterMs && options.onGiveUp
      ? setTimeout(() => {
          const waitedMs = Date.now() - started;
          logger.error({ step, waitedMs }, `gave up starting: still waiting on ${step}`);
          options.onGiveUp?.(step, waitedMs);
        }, options.giveUpAfterMs)
      : undefined;
  giveUp?.unref();
  return {
    /** The step now under way. */
    step(name: string) {
      step = name;
    },
    done() {
      clearInterval(report);
      clearTimeout(giveUp);
    },
  };
}
