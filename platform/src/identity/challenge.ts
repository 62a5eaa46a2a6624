/**
 * What the card signs to prove it is present: DigestInfo(SHA-256(message)) with
 * message = UTF-8(nonce ∥ "\n" ∥ purpose ∥ "\n" ∥ device ID) (DESIGN §5.2). Binding the purpose and
 * the device stops a signature made for one TV or one operation being replayed at another. Pure:
 * the TV page imports it too.
 */
/**
 * `unregister`: the person cancels their own registration (the card is asked again).
 * `staff-login`: a staff member at the operator console; its "device" is the console tab's own random id.
 */
export type ChallengePurpose = 'login' | 'register' | 'unregister' | 'staff-login';

export function challengeMessage(nonce: string, purpose: ChallengePurpose, deviceId: string): Uint8Array {
  return new TextEncoder().encode(`${nonce}\n${purpose}\n${deviceId}`);
}
