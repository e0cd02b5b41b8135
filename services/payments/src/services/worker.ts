import type { Logger } from '@bazaar/platform';

/**
 * Runs `pass` whenever poked, and at least every `intervalMs`; passes never overlap. A pass that says
 * more work may be waiting is followed by another at once.
 */
export class Worker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private poked = false;

  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start() {
    this.running = true;
    this.loop = this.run();
  }

  poke() {
    this.poked = true;
    this.wake?.();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run() {
    while (this.running) {
      this.poked = false;
      let more = false;
      try {
        more = await this.pass();
      } catch (err) {
        this.logger.warn({ err }, 'worker pass failed');
      }
      if (!this.running) break;
      if (more || this.poked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
