import { randomUUID } from 'node:crypto';
import { expect } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { E2E_OPERATOR_ORIGIN } from './product.js';

/**
 * A console session of a staff member, made with their card in the driver's demo bay (as the
 * console page does: challenge, the card's auth signature, session); the card is taken out after.
 * Answers the headers of the session's requests.
 */
export async function consoleSession(driver: DriverClient, staff: { card: string; authPin: string }): Promise<Record<string, string>> {
  expect((await driver.request('demo.insert', { card: staff.card })).ok).toBe(true);
  const clientId = randomUUID();
  const post = async (path: string, payload: object) => (await fetch(`${E2E_OPERATOR_ORIGIN}/api/v1/console${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload),
  })).json();
  const challenge = await post('/nonces', { clientId });
  const signed = await driver.request('sign', { key: 'auth', pin: staff.authPin, digestInfo: challenge.digestInfo, withCertificate: true });
  const session = await post('/sessions', { clientId, nonce: challenge.nonce, ...(signed.result as object) });
  expect(session.token, JSON.stringify(session)).toBeTruthy();
  await driver.request('demo.remove', {});
  return { authorization: `Bearer ${session.token}` };
}
