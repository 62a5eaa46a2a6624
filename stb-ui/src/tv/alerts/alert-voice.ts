/**
 * The sound of an alert (issue 13 §4): a chime through Web Audio, then the household's text read
 * aloud in Japanese through the Web Speech API. Always, whatever the 読み上げ setting: an
 * evacuation order must be heard by someone who is not looking. Where the device has no Japanese
 * voice, the chime and the text on screen are all (another language's voice reading Japanese is
 * worse than nothing); where it has no Web Audio, the voice alone. An Update of the alert on screen
 * is read after 「内容が 新しくなりました。」; one withdrawn or expired on screen has its notice read
 * (speakJapanese alone: no chime, since it calls no one to the TV).
 */

type AudioContextClass = typeof AudioContext;

/** Three falling tones, loud enough to turn heads, short enough not to cover the voice. */
const CHIME = [{ hz: 1046.5, at: 0 }, { hz: 784, at: 0.35 }, { hz: 523.25, at: 0.7 }];

export function playChime(Context: AudioContextClass | undefined = globalThis.AudioContext): boolean {
  if (!Context) return false;
  try {
    const ctx = new Context();
    void ctx.resume?.();
    for (const tone of CHIME) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = tone.hz;
      const start = ctx.currentTime + tone.at;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.6, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.65);
    }
    setTimeout(() => void ctx.close?.().catch?.(() => undefined), 2_000);
    return true;
  } catch {
    return false; // a TV browser without working audio: the text still shows
  }
}

/** Reads `text` with a Japanese voice; false when there is none (or no speech at all). */
export function speakJapanese(text: string, engine: SpeechSynthesis | undefined = globalThis.speechSynthesis): boolean {
  if (!engine || typeof SpeechSynthesisUtterance !== 'function') return false;
  try {
    const voice = engine.getVoices().find((v) => /^ja(-|_|$)/i.test(v.lang));
    if (!voice) return false;
    engine.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    engine.speak(utterance);
    return true;
  } catch {
    return false;
  }
}

/** Chime, then the text (the chime is short: the voice may start over its tail). */
export function announce(text: string): void {
  playChime();
  speakJapanese(text);
}
