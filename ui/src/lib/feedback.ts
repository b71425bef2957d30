// Feedback a cashier notices without looking: a short tone per outcome. The colour flash is
// done by the screen (data-kind on the feedback banner). Sound is best effort: a till without
// audio still gets the colour.

export type FeedbackKind = 'success' | 'reward' | 'refusal' | 'question';

const TONES: Record<FeedbackKind, Array<[frequency: number, ms: number]>> = {
  success: [[880, 90]],
  reward: [
    [660, 90],
    [880, 90],
    [1320, 160],
  ],
  refusal: [
    [220, 140],
    [180, 200],
  ],
  // Not a refusal: the till asks before doing something twice (a rising "hm?").
  question: [
    [520, 90],
    [700, 120],
  ],
};

let context: AudioContext | null = null;

export function beep(kind: FeedbackKind): void {
  try {
    context ??= new AudioContext();
    let at = context.currentTime;
    for (const [frequency, ms] of TONES[kind]) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = kind === 'refusal' ? 'square' : 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + ms / 1000);
      osc.connect(gain).connect(context.destination);
      osc.start(at);
      osc.stop(at + ms / 1000);
      at += ms / 1000;
    }
  } catch {
    // No audio device: the colour flash still tells the outcome.
  }
}
