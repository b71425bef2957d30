// Nobody at the till for a while (no key, touch or scan): the cashier screen signs out, so the
// next person at the counter acts under their own name. The timer starts again on every sign
// of someone there; `minutes` 0 is never (the till's setting, docs/decisions/0020).

export class IdleSignOut {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly signOut: () => void) {}

  /** Someone is there: the full time again. */
  stillHere(minutes: number): void {
    clearTimeout(this.timer);
    if (minutes > 0) this.timer = setTimeout(this.signOut, minutes * 60_000);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
