/**
 * The cleanup stack of create, run and attach: what a step made is pushed with its undo, and a
 * failure later unwinds it in reverse order.
 */
/** Undo actions run in reverse order; each tolerates "already gone". */
export class CleanupStack {
  private readonly steps: (() => Promise<void> | void)[] = [];
  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop();
      try {
        await step?.();
      } catch {
        // Best effort: the remaining steps must still run.
      }
    }
  }
  clear(): void {
    this.steps.length = 0;
  }
}
