import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { CAP_SENDER, capXml, type CapInput } from '../helpers/cap-messages.js';
import { E2E_ORIGIN } from './product.js';

// Alerts for the browser tests, sent as a municipality's feed would (POST /api/v1/alerts/cap with a
// feed credential the operator command issues for 南砺市 against the running product's database).

const ROOT = resolve(import.meta.dirname, '../..');
let token: string | null = null;

/** A feed credential for 南砺市 (162108), issued once per run through the operator command. */
function feedToken(): string {
  if (token) return token;
  const out = execFileSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['platform/src/cli/platform.ts', 'issue-alert-feed', '--municipality', '162108', '--sender', CAP_SENDER, '--label', 'e2e'], {
    cwd: ROOT, env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR, LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  token = (JSON.parse(out) as { token: string }).token;
  return token;
}

export interface Published {
  id: string;
  identifier: string;
  sent: string;
}

/** Publishes a CAP message through the feed route; answers its id and what an Update/Cancel references. */
export async function publishAlert(input: Partial<CapInput> = {}): Promise<Published> {
  const identifier = input.identifier ?? `e2e-${randomUUID()}`;
  const { xml, sent } = capXml({ identifier, ...input });
  const res = await fetch(`${E2E_ORIGIN}/api/v1/alerts/cap`, {
    method: 'POST', headers: { authorization: `Bearer ${feedToken()}`, 'content-type': 'application/cap+xml' }, body: xml,
  });
  const body = (await res.json()) as { alertId: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { id: body.alertId, identifier, sent };
}

/** Withdraws alerts this run published, so no other test's TV finds an evacuation order over its screen. */
export async function cancelAlerts(alerts: Published[]): Promise<void> {
  if (!alerts.length) return;
  // A Cancel of something already replaced or withdrawn changes nothing: all of them, in one message.
  await publishAlert({ msgType: 'Cancel', references: alerts.map((a) => ({ identifier: a.identifier, sent: a.sent })) });
}

/** The ids of the alerts the TV page holds as in force (its alert client's list: a withdrawal shows nothing on screen when none was up). */
export function alertsInForce(page: Page): Promise<string[]> {
  return page.evaluate(() => (document.querySelector('stb-tv-app') as unknown as { alerts: { alerts: { id: string }[] } }).alerts.alerts.map((a) => a.id));
}
