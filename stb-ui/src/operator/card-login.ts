import { DriverError, type ReaderClient } from '../api/reader-client.js';
import type { ConsoleClient, StaffSessionView } from './console-client.js';

/**
 * A staff member's card login at the console: a fresh challenge for this tab, the card's auth
 * signature (4-digit PIN, checked by the driver before the card sees it), the session. The PIN goes
 * to the reader driver only, never to the platform.
 */
export async function cardLogin(
  reader: ReaderClient, readerName: string, platform: ConsoleClient, clientId: string, pin: string, inviteCode?: string,
): Promise<StaffSessionView> {
  const challenge = await platform.nonce(clientId);
  const { signature, certificate } = await reader.request('sign', { reader: readerName, key: 'auth', pin, digestInfo: challenge.digestInfo, withCertificate: true });
  if (!certificate) throw new Error('the driver returned no certificate');
  return platform.login({ clientId, nonce: challenge.nonce, certificate, signature, ...(inviteCode ? { inviteCode } : {}) });
}

/** The tries left on the auth PIN of the card in the reader, or null when it cannot be read now. */
export async function authTriesLeft(reader: ReaderClient, readerName: string): Promise<number | null> {
  try {
    const status = await reader.request('pin.status', { reader: readerName, key: 'auth' });
    return status.triesLeft ?? null;
  } catch (err) {
    if (err instanceof DriverError) return null;
    throw err;
  }
}

/** A random id for this console tab: the login challenge is bound to it. */
export function newClientId(): string {
  return crypto.randomUUID();
}
