import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../platform/src/db/client.js';
import { organisations, pensionApiCredentials, pensionPolicies, pensionSubmissions, persons, serviceProviders, serviceUids } from '../../platform/src/db/schema/index.js';
import { DEMO_PROVIDERS } from '../../platform/src/demo/world.js';
import type { IdentityFlow, Home, TestCard } from './identity-flow.js';
import { orgId, staffWithSession } from './staff.js';

export const DEMO_PENSION = DEMO_PROVIDERS.find((s) => s.service === 'pension')!.id;

/** A pension declaration where nothing changed. */
export const UNCHANGED = { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true, changes: null } as const;

/** `YYYY-MM` of the next month and its month number: a campaign period a test can open. */
export function nextPeriod(now = new Date()): { period: string; month: number } {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { period: d.toISOString().slice(0, 7), month: d.getUTCMonth() + 1 };
}

/**
 * The pension service as the insurer and a resident use it, over one IdentityFlow app: a clerk and
 * an admin (who alone handles API credentials) of the demo insurer and of a second insurer, for
 * scope tests; a registered person logged in on a TV of their own.
 */
export class PensionWorld {
  private constructor(
    readonly flow: IdentityFlow, readonly clerk: string, readonly otherClerk: string, readonly otherProviderId: string,
    readonly admin: { authorization: string; staffId: string }, readonly otherAdmin: string,
  ) {}

  static async start(flow: IdentityFlow): Promise<PensionWorld> {
    const db = flow.t.database.db;
    const demo = await orgId(db, 'insurer-demo');
    const clerk = await staffWithSession(db, demo, ['insurer.clerk']);
    const admin = await staffWithSession(db, demo, ['insurer.admin']);
    const [org] = await db.insert(organisations).values({ kind: 'insurer', code: `insurer-pension-${randomUUID().slice(0, 8)}`, name: 'ほか生命' }).returning();
    const [provider] = await db.insert(serviceProviders).values({ organisationId: org!.id, code: `other-pension-${randomUUID().slice(0, 8)}`, name: 'ほか生命 年金', service: 'pension' }).returning();
    const other = await staffWithSession(db, org!.id, ['insurer.clerk']);
    const otherAdmin = await staffWithSession(db, org!.id, ['insurer.admin']);
    return new PensionWorld(flow, clerk.authorization, other.authorization, provider!.id, admin, otherAdmin.authorization);
  }

  async console(options: InjectOptions, as = this.clerk) {
    const res = await this.flow.t.app.inject({ ...options, url: `/api/v1/console/pension${options.url}`, headers: { authorization: as } });
    return { status: res.statusCode, body: res.body ? (res.headers['content-type']?.toString().includes('json') ? res.json() : res.body) : null, raw: res.body };
  }

  /** One new policy of the demo insurer with its code. */
  async policy(dueMonth: number, as = this.clerk): Promise<{ id: string; policyRef: string; linkCode: string }> {
    const policyRef = `P-${Math.random().toString(36).slice(2, 10)}`;
    const res = await this.console({ method: 'POST', url: '/policies', payload: { policyRef, dueMonth } }, as);
    expect(res.status, res.raw).toBe(201);
    return res.body.policies[0];
  }

  /** A registered person logged in on a TV of their own. */
  async resident(): Promise<{ home: Home; card: TestCard; personId: string; headers: Record<string, string> }> {
    const [home, card] = [await this.flow.home(), await this.flow.card({ issued: new Date(Date.now() - 86_400_000) })];
    const personId = await this.flow.registered(card, home);
    const { res } = await this.flow.login(card, home);
    expect(res.status).toBe(201);
    return { home, card, personId, headers: this.flow.sessionHeaders(res.body.token, home) };
  }

  async tv(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) {
    const res = await this.flow.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  }
}

/**
 * What the console's pension routes can target in one insurer organisation (for the scope matrix):
 * its pension provider (made if it has none), a policy waiting for its code, a linked policy, a
 * sealed submission (its bundle a placeholder: the matrix tests access, not evidence) and an API
 * credential (its hash a placeholder).
 */
export async function pensionTargets(db: Db, organisationId: string) {
  let [provider] = await db.select().from(serviceProviders).where(and(eq(serviceProviders.organisationId, organisationId), eq(serviceProviders.service, 'pension')));
  if (!provider) [provider] = await db.insert(serviceProviders).values({ organisationId, code: `pension-${randomUUID()}`, name: '年金', service: 'pension' }).returning();
  const ref = () => `M-${randomUUID().slice(0, 8)}`;
  const [person] = await db.insert(persons).values({}).returning();
  const uid = randomUUID().replace(/-/g, '');
  await db.insert(serviceUids).values({ uid, personId: person!.id, providerId: provider!.id });
  const [open, linkedPolicy] = await db.insert(pensionPolicies).values([
    { providerId: provider!.id, policyRef: ref(), dueMonth: 5, linkCodeHash: randomUUID(), linkCodeExpiresAt: new Date(Date.now() + 86_400_000) },
    { providerId: provider!.id, policyRef: ref(), dueMonth: 5, serviceUid: uid, linkedAt: new Date() },
  ]).returning();
  const [submission] = await db.insert(pensionSubmissions).values({
    providerId: provider!.id, serviceUid: uid, policyRef: linkedPolicy!.policyRef, policyId: linkedPolicy!.id, state: 'sealed', bundle: '{}', signedAt: new Date(), sealedAt: new Date(),
  }).returning();
  const [credential] = await db.insert(pensionApiCredentials).values({ providerId: provider!.id, secretHash: '0'.repeat(64), label: 'matrix' }).returning();
  return { providerId: provider!.id, openPolicyId: open!.id, linkedPolicyId: linkedPolicy!.id, submissionId: submission!.id, credentialId: credential!.id };
}
