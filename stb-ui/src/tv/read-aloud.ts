/**
 * Read-aloud guidance (the 読み上げ setting): each screen's title, then whatever has the focus,
 * in Japanese, through the Web Speech API. Where the device has no Japanese voice (or no speech
 * at all) it says nothing and nothing breaks: another language's voice reading Japanese is worse
 * than silence.
 */

/** The part of `speechSynthesis` used here (a test can hand in its own). */
export type SpeechEngine = Pick<SpeechSynthesis, 'speak' | 'cancel' | 'getVoices'>;

export class ReadAloud {
  enabled = false;
  private _lastTitle = '';

  constructor(
    private readonly _engine: SpeechEngine | null = globalThis.speechSynthesis ?? null,
    private readonly _makeUtterance: ((text: string) => SpeechSynthesisUtterance) | null =
      typeof SpeechSynthesisUtterance === 'function' ? (text) => new SpeechSynthesisUtterance(text) : null,
  ) {}

  /** A Japanese voice, if the device has one (voices may arrive late: asked each time). */
  private _voice(): SpeechSynthesisVoice | null {
    try {
      return this._engine?.getVoices().find((v) => /^ja(-|_|$)/i.test(v.lang)) ?? null;
    } catch {
      return null;
    }
  }

  /**
   * Says the screen's title (when it changed since it was last said) and the focused element.
   * Whatever was still being said is cut off: the newest thing on screen is what matters.
   */
  say(title: string | null, focused: string | null): void {
    if (!this.enabled) return;
    const parts: string[] = [];
    if (title && title !== this._lastTitle) parts.push(title);
    if (title) this._lastTitle = title;
    if (focused) parts.push(focused);
    if (!parts.length) return;
    const voice = this._voice();
    if (!voice || !this._engine || !this._makeUtterance) return;
    try {
      this._engine.cancel();
      const utterance = this._makeUtterance(parts.join('。'));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9; // a little slower than the default: the people who turn this on asked for time
      this._engine.speak(utterance);
    } catch {
      // a TV browser whose speech engine throws: read-aloud is a help, never a failure
    }
  }

  /** Forget the last title (a new screen of the same name is said again). */
  reset(): void {
    this._lastTitle = '';
  }
}

/** The text a person hears for an element: its label, else its visible text, tidied. */
export function spokenText(el: Element | null): string | null {
  if (!el) return null;
  const label = (el as { label?: unknown }).label;
  const text = typeof label === 'string' && label ? label : (el as HTMLElement).innerText ?? el.textContent ?? '';
  const tidy = text.replace(/\s+/g, ' ').trim();
  return tidy || null;
}
