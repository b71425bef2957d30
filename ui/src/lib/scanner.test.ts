import { describe, expect, it } from 'vitest';
import { ScanCapture, armScanner, type Keystroke, type Scan } from './scanner';

/** Keystrokes for `text` starting at `start`, `gap` ms apart, ending with `terminator`. */
function strokes(text: string, gap: number, terminator = 'Enter', start = 1000): Keystroke[] {
  const keys = [...text].map((key, i) => ({ key, code: `Key${key.toUpperCase()}`, time: start + i * gap }));
  return [...keys, { key: terminator, code: terminator, time: start + text.length * gap }];
}

function feedAll(capture: ScanCapture, keys: Keystroke[]): Scan[] {
  return keys.map((k) => capture.feed(k)).filter((s): s is Scan => s !== null);
}

describe('ScanCapture', () => {
  it('reads fast keystrokes ending in Enter as one scan', () => {
    const scans = feedAll(new ScanCapture(), strokes('7K3MQ9PXR', 8));
    expect(scans.map((s) => s.text)).toEqual(['7K3MQ9PXR']);
  });

  it('keeps the physical key codes of the scan', () => {
    const [scan] = feedAll(new ScanCapture(), strokes('ABCDEF', 5));
    expect(scan.codes).toEqual(['KeyA', 'KeyB', 'KeyC', 'KeyD', 'KeyE', 'KeyF']);
  });

  it('accepts Tab as the end of a scan (scanners configured with a Tab suffix)', () => {
    expect(feedAll(new ScanCapture(), strokes('7K3MQ9PXR', 8, 'Tab'))).toHaveLength(1);
  });

  it('does not take slow human typing in the search box for a scan', () => {
    expect(feedAll(new ScanCapture(), strokes('Claire Dubois', 120))).toEqual([]);
  });

  it('does not take a fast typist (60 ms a key) for a scanner', () => {
    expect(feedAll(new ScanCapture(), strokes('dubois', 60))).toEqual([]);
  });

  it('ignores Shift between the keys of a scan (capital letters)', () => {
    const keys = strokes('ABCDEFGH', 6).flatMap((k) =>
      k.key === 'Enter' ? [k] : [{ key: 'Shift', code: 'ShiftLeft', time: k.time - 1 }, k],
    );
    expect(feedAll(new ScanCapture(), keys).map((s) => s.text)).toEqual(['ABCDEFGH']);
  });

  it('needs enough characters: a person pressing two keys and Enter is not a scan', () => {
    expect(feedAll(new ScanCapture(), strokes('ab', 5))).toEqual([]);
  });

  it('starts a fresh burst after a pause: slow typing then a scan yields just the scan', () => {
    const human = strokes('clai', 150, 'x', 0).slice(0, 4);
    const scan = strokes('7K3MQ9PXR', 7, 'Enter', 5000);
    expect(feedAll(new ScanCapture(), [...human, ...scan]).map((s) => s.text)).toEqual(['7K3MQ9PXR']);
  });

  it('reads the whole code when one key of the scan arrives late (a busy PC)', () => {
    const keys = strokes('7K3MQ9PXR', 8);
    for (const k of keys.slice(4)) k.time += 180; // the 5th key 180 ms late, the rest after it
    expect(feedAll(new ScanCapture(), keys).map((s) => s.text)).toEqual(['7K3MQ9PXR']);
  });

  it('leaves out a person\'s keys typed just before a scan', () => {
    const human = strokes('cla', 120, 'x', 0).slice(0, 3);
    const scan = strokes('7K3MQ9PXR', 7, 'Enter', 240 + 100);
    expect(feedAll(new ScanCapture(), [...human, ...scan]).map((s) => s.text)).toEqual(['7K3MQ9PXR']);
  });

  it('does not take a person typing six keys with one quick pair for a scan', () => {
    const keys = strokes('dubois', 110);
    keys[2].time = keys[1].time + 20;
    expect(feedAll(new ScanCapture(), keys)).toEqual([]);
  });

  it('starts afresh after a click: keys typed before it are not part of the scan', () => {
    const capture = new ScanCapture();
    feedAll(capture, strokes('Tóth', 5, 'x', 1000).slice(0, 4));
    capture.reset();
    expect(feedAll(capture, strokes('7K3MQ9PXR', 7, 'Enter', 1050)).map((s) => s.text)).toEqual([
      '7K3MQ9PXR',
    ]);
  });

  it('does not join keys from a clock that went backwards to a scan', () => {
    const typed = strokes('Ödön', 5, 'x', 9000).slice(0, 4);
    const scan = strokes('7K3MQ9PXR', 7, 'Enter', 1000);
    expect(feedAll(new ScanCapture(), [...typed, ...scan]).map((s) => s.text)).toEqual(['7K3MQ9PXR']);
  });

  it('reads a scan whose key times step a millisecond back (the X server at a millisecond\'s turn)', () => {
    // As an e2e run saw it: the last key stamped before the one it followed.
    const keys = strokes('TS1V3CW4A6', 0, 'Enter', 801);
    keys[keys.length - 2].time = 800;
    keys[keys.length - 1].time = 800;
    expect(feedAll(new ScanCapture(), keys).map((s) => s.text)).toEqual(['TS1V3CW4A6']);
  });

  it('is not fooled by a late Enter after a fast burst', () => {
    const keys = strokes('7K3MQ9PXR', 8);
    keys[keys.length - 1].time += 500;
    expect(feedAll(new ScanCapture(), keys)).toEqual([]);
  });
});

describe('armScanner', () => {
  function press(target: EventTarget, key: string, timeStamp: number): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key, code: key, bubbles: true, cancelable: true });
    Object.defineProperty(event, 'timeStamp', { value: timeStamp });
    target.dispatchEvent(event);
    return event;
  }

  it('takes the scanned characters back out of the focused field and swallows the Enter', () => {
    const input = document.createElement('input');
    document.body.appendChild(input);
    input.value = 'cla';
    const scans: string[] = [];
    const disarm = armScanner((s) => scans.push(s.text));
    let t = 100;
    for (const key of 'ABCDEFGH') {
      press(input, key, (t += 5));
      input.value += key; // what the browser would have typed into the field
    }
    const enter = press(input, 'Enter', (t += 5));
    disarm();
    expect(scans).toEqual(['ABCDEFGH']);
    expect(input.value).toBe('cla');
    expect(enter.defaultPrevented).toBe(true);
  });
});
