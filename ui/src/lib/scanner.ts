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
  /** The typical (median) gap between two keys of one scan. Scanners send a key every
   *  2–20 ms; people rarely sustain under 50 ms over several keys. */
  maxGapMs: number;
  /** A longer pause than this ends a run of keys. Shorter pauses inside a scan are tolerated:
   *  a busy PC can deliver one of a scanner's keys late without breaking the code in two. */
  hiccupMs: number;
  /** Fewer characters than this is a person pressing keys, not a code. */
  minLength: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { maxGapMs: 40, hiccupMs: 250, minLength: 6 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Infinity;
}

/** How far a key's time may step back and still follow the key before it. The X server times a
 *  burst's keys to the millisecond, and was seen stamping one key a millisecond before the key
 *  it followed (801, 801, 800): without this, a scan broke in two there and went to the search
 *  field as typing. Keys from another clock differ by far more. */
const CLOCK_JITTER_MS = 5;

const TERMINATORS = new Set(['Enter', 'Tab']);
const IGNORED = new Set(['Shift', 'CapsLock', 'AltGraph', 'Alt', 'Control', 'Meta', 'Dead']);

export class ScanCapture {
  private burst: Keystroke[] = [];
  private readonly options: ScanOptions;

  constructor(options: Partial<ScanOptions> = {}) {
    this.options = { ...DEFAULT_SCAN_OPTIONS, ...options };
  }

  /** Forgets the keys so far: a click or a tap means a person is at work, and what they type
   *  next is not the continuation of an earlier run. */
  reset(): void {
    this.burst = [];
  }

  /** Whether a key at `time` starts a new run of keys (none yet, or after a pause). */
  startsRun(time: number): boolean {
    const last = this.burst[this.burst.length - 1];
    return last === undefined || this.pauseBetween(last.time, time);
  }

  /** A pause ends a run; so does time going backwards (keys from two sources whose clocks
   *  differ, e.g. a synthesised key and a device's), beyond the clock's own jitter. */
  private pauseBetween(earlier: number, later: number): boolean {
    const gap = later - earlier;
    return gap < -CLOCK_JITTER_MS || gap > this.options.hiccupMs;
  }

  /** Feeds one keydown. Returns the scan when this key completes one, otherwise null. */
  feed(stroke: Keystroke): Scan | null {
    if (IGNORED.has(stroke.key)) return null; // a scanner presses Shift for capitals
    const last = this.burst[this.burst.length - 1];
    const paused = last !== undefined && this.pauseBetween(last.time, stroke.time);

    if (TERMINATORS.has(stroke.key)) {
      const scan = paused ? null : this.scanOf([...this.burst, stroke]);
      this.burst = [];
      return scan;
    }
    if (stroke.key.length !== 1) {
      this.burst = []; // arrows, Backspace, F-keys: a person at work
      return null;
    }
    if (paused) this.burst = [];
    this.burst.push(stroke);
    return null;
  }

  /** The scan in a run of keys ended by its terminator, if the run is a scanner's: enough keys
   *  at scanner speed. A person's keys just before the scan (two or more slow gaps at the start
   *  of the run) are left out; a single late key inside the scan is not a reason to cut it. */
  private scanOf(run: Keystroke[]): Scan | null {
    const gaps = run.slice(1).map((k, i) => k.time - run[i].time);
    let lead = 0;
    while (lead < gaps.length && gaps[lead] > this.options.maxGapMs) lead += 1;
    const start = lead >= 2 ? lead : 0;
    const keys = run.slice(start, -1);
    if (keys.length < this.options.minLength) return null;
    if (median(gaps.slice(start)) > this.options.maxGapMs) return null;
    return { text: keys.map((k) => k.key).join(''), codes: keys.map((k) => k.code) };
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
    if (capture.startsRun(event.timeStamp) && event.key.length === 1) {
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
  const onPointerDown = () => capture.reset();
  window.addEventListener('keydown', onKeyDown, { capture: true });
  window.addEventListener('pointerdown', onPointerDown, { capture: true });
  return () => {
    window.removeEventListener('keydown', onKeyDown, { capture: true });
    window.removeEventListener('pointerdown', onPointerDown, { capture: true });
  };
}
