import { DEMO_HOUSEHOLDS, DEMO_PEOPLE } from '../../platform/src/demo/world.js';
import type { DriverClient } from '../helpers/driver-client.js';

type Person = (typeof DEMO_PEOPLE)[number];

/** One driver request that must succeed; its result. */
async function ok(driver: DriverClient, cmd: string, params: Record<string, unknown> = {}) {
  const answer = await driver.request(cmd, params);
  if (!answer.ok) throw new Error(`${cmd}: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/**
 * Registers a demo person with their household's TV through the platform's API and their demo
 * card (what the TV's registration flow does, without the screens), so a test can start from
 * "this household has these members". Registering again is allowed (it updates), so it does not
 * matter which test of the run did it first. Leaves the card bay empty. (Plain errors, no test
 * runner: the TV login benchmark uses it too.)
 */
export async function registerByApi(origin: string, driver: DriverClient, id: Person['id']): Promise<void> {
  const person = DEMO_PEOPLE.find((p) => p.id === id)!;
  const household = DEMO_HOUSEHOLDS.find((h) => h.contractNo === person.household)!;
  const headers = { authorization: `Device ${household.tv.id}:${household.tv.secret}`, 'content-type': 'application/json' };
  const post = async (path: string, body: object) => {
    const res = await fetch(`${origin}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = await res.json();
    if (res.status !== 201) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await ok(driver, 'demo.insert', { card: id });
  const draft = await post('/api/v1/registrations/drafts', { district: household.district });
  const sign = await ok(driver, 'sign', { key: 'sign', pin: person.signPin, digestInfo: draft.sign.digestInfo, withCertificate: true });
  const auth = await ok(driver, 'sign', { key: 'auth', pin: person.authPin, digestInfo: draft.auth.digestInfo, withCertificate: true });
  const result = await post('/api/v1/registrations', {
    draftId: draft.draftId, signCertificate: sign.certificate, signSignature: sign.signature,
    authCertificate: auth.certificate, authSignature: auth.signature,
  });
  await post(`/api/v1/registrations/${result.registrationId}/confirm`, {});
  await ok(driver, 'demo.remove');
}
