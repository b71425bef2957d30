// Scan capture: a USB scanner is a keyboard that types a whole code in a burst of fast keystrokes
// ending in Enter (or Tab), wherever the focus is. A person types the same keys far slower.
// `ScanCapture` is the pure decision (tested in scanner.test.ts); `armScanner` wires it to the
// window so the scan is always armed.

export interface Keystroke {
  /** KeyboardEvent.key: the character the keyboard layout produced. */
  key: string;
  /** KeyboardEvent.code: the physical key (kept for keyboard-layout repair). */
  code: string;
  /** Milliseconds, from KeyboardEvent.timeStamp. */
  time: number;
}

export interface Scan {
  text: string;
  codes: string[];
}

export interface ScanOptions {
  /** Longest gap between two keys of one scan. Scanners send a key every 2–20 ms; people
   *  rarely sustain under 50 ms over several keys. */
  maxGapMs: number;
  /** Fewer characters than this is a person pressing keys, not a code. */
  minLength: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { maxGapMs: 40, minLength: 6 };

const TERMINATORS = new Set(['Enter', 'Tab']);
const IGNORED = new Set(['Shift', 'CapsLock', 'AltGraph', 'Alt', 'Control', 'Meta', 'Dead']);

export class ScanCapture {
  private burst: Keystroke[] = [];
  private readonly options: ScanOptions;

  constructor(options: Partial<ScanOptions> = {}) {
    this.options = { ...DEFAULT_SCAN_OPTIONS, ...options };
  }

  /** True while keys are arriving fast enough to be a scanner's burst. */
  get inBurst(): boolean {
    return this.burst.length > 0;
  }

  /** Feeds one keydown. Returns the scan when this key completes one, otherwise null. */
  feed(stroke: Keystroke): Scan | null {
    if (IGNORED.has(stroke.key)) return null; // a scanner presses Shift for capitals
    const last = this.burst[this.burst.length - 1];
    const tooSlow = last !== undefined && stroke.time - last.time > this.options.maxGapMs;

    if (TERMINATORS.has(stroke.key)) {
      const scan =
        !tooSlow && this.burst.length >= this.options.minLength
          ? { text: this.burst.map((k) => k.key).join(''), codes: this.burst.map((k) => k.code) }
          : null;
      this.burst = [];
      return scan;
    }
    if (stroke.key.length !== 1) {
      this.burst = []; // arrows, Backspace, F-keys: a person at work
      return null;
    }
    if (tooSlow) this.burst = [];
    this.burst.push(stroke);
    return null;
  }

  /** How many characters of the current burst have been typed (to take them back out of a field). */
  get burstLength(): number {
    return this.burst.length;
  }
}

type Editable = HTMLInputElement | HTMLTextAreaElement;

function editable(target: EventTarget | null): Editable | null {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement
    ? target
    : null;
}

/**
 * Listens to every keydown of the window (capture phase, before any field sees it). When a burst
 * turns out to be a scan, the characters it typed into a focused field are taken back out, the
 * Enter is swallowed, and `onScan` gets the code. Returns the function that disarms it.
 */
export function armScanner(onScan: (scan: Scan) => void, options?: Partial<ScanOptions>): () => void {
  const capture = new ScanCapture(options);
  let fieldBefore: { field: Editable; value: string } | null = null;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const field = editable(event.target);
    if (!capture.inBurst && event.key.length === 1) {
      fieldBefore = field ? { field, value: field.value } : null;
    }
    const scan = capture.feed({ key: event.key, code: event.code, time: event.timeStamp });
    if (!scan) return;
    event.preventDefault();
    event.stopPropagation();
    if (fieldBefore) {
      fieldBefore.field.value = fieldBefore.value;
      fieldBefore.field.dispatchEvent(new Event('input', { bubbles: true }));
      fieldBefore = null;
    }
    onScan(scan);
  };
  window.addEventListener('keydown', onKeyDown, { capture: true });
  return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
}
