import { sql } from 'drizzle-orm';
import type { Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { toBase64 } from '../shared/base64.js';
import { digestInfoForMessage } from '../shared/digest-info.js';
import { prepared, preparedSql } from '../db/prepared.js';
import { WriteBatcher } from '../db/write-batcher.js';
import type { LoginRequest } from '../routes/identity-schemas.js';
import { challengeMessage, type ChallengePurpose } from './challenge.js';
import type { IdentityDeps } from './deps.js';
import { membersJson, type MemberView } from './household.js';
import { issueNonce } from './nonces.js';
import { checkCardAnswer } from './card-challenge.js';
import { newSessionToken } from './sessions.js';

/** A nonce and the exact DigestInfo the card must sign for it on this device. */
export async function startChallenge(deps: IdentityDeps, device: Device, purpose: ChallengePurpose) {
  const { nonce, expiresAt } = issueNonce(deps.config.nonceSecret, device.id, purpose, deps.config.nonceTtlSeconds);
  return { nonce, digestInfo: toBase64(digestInfoForMessage(challengeMessage(nonce, purpose, device.id))), expiresAt: expiresAt.toISOString() };
}

/** What one login asks of the database, once the card and the nonce have passed every check. */
export interface LoginWrite {
  mac: string;
  nonceExpiresAt: Date;
  lookupKey: string;
  householdId: string;
  tokenHash: string;
  deviceId: string;
  expiresAt: Date;
}

export interface LoginRow {
  /** False when the nonce had been used before (then nothing was written). */
  fresh: boolean;
  /** The rest is null when no registered certificate has this lookup key. */
  status: string | null;
  personId: string | null;
  name: string | null;
  isMember: boolean | null;
  /** Null when the TV's household does not exist. */
  householdLabel: string | null;
  members: MemberView[] | null;
  /** Set when the session was opened: fresh nonce, certificate good, person a member here. */
  sessionId: string | null;
}

/**
 * Every login's database work in one statement: burn the nonce, find the person behind the
 * certificate and their membership of the TV's household, open the session only if all of that
 * holds, and return what the home screen shows. It takes arrays, one element per login, so that
 * logins arriving together share one round trip and one commit (see WriteBatcher). Data-modifying
 * CTEs all see one snapshot; the session insert joins the burn's RETURNING, so a replayed nonce
 * opens nothing, and the batcher never puts one nonce twice in a batch.
 */
function loginStatement(db: IdentityDeps['db']) {
  const p = (name: string) => sql.placeholder(name);
  return preparedSql<LoginRow & { n: number }>(db, 'login', () => sql`
    with input as (
      select * from unnest(${p('macs')}::text[], ${p('nonceExpiries')}::timestamptz[], ${p('lookupKeys')}::text[],
        ${p('householdIds')}::uuid[], ${p('tokenHashes')}::text[], ${p('deviceIds')}::uuid[], ${p('expiries')}::timestamptz[])
        with ordinality as t(mac, nonce_expires_at, lookup_key, household_id, token_hash, device_id, expires_at, n)
    ), used as (
      insert into used_nonces (mac, expires_at) select mac, nonce_expires_at from input
      on conflict do nothing returning mac
    ), who as (
      select i.n, c.status, p.id as person_id, p.name,
        exists (select 1 from household_members m where m.person_id = p.id
          and m.household_id = i.household_id and m.left_at is null) as is_member
      from input i join certificates c on c.lookup_key = i.lookup_key join persons p on p.id = c.person_id
    ), opened as (
      insert into sessions (token_hash, person_id, device_id, assurance, expires_at)
      select i.token_hash, who.person_id, i.device_id, 'high', i.expires_at
      from input i join who on who.n = i.n join used on used.mac = i.mac
      where who.status = 'good' and who.is_member
      returning id, token_hash
    )
    select i.n::int as n, exists (select 1 from used where used.mac = i.mac) as fresh, who.status,
      who.person_id as "personId", who.name, who.is_member as "isMember", h.label as "householdLabel",
      ${membersJson(sql`i.household_id`)} as members, o.id as "sessionId"
    from input i left join households h on h.id = i.household_id left join who on who.n = i.n
      left join opened o on o.token_hash = i.token_hash
    order by i.n`);
}

/**
 * One login statement in flight per process; logins that arrive meanwhile go together in the next
 * one (up to LOGINS_PER_STATEMENT). The commit and the wake-ups around each round trip are what a
 * login costs the database, so sharing them is what scales: in the login benchmark on 2 cores, 1 in
 * flight gave 5,366 logins/s at concurrency 32, 2 gave 4,851, 4 gave 3,611, one statement per
 * login 3,300. A lone login still goes at once.
 */
const LOGIN_STATEMENTS_IN_FLIGHT = 1;
const LOGINS_PER_STATEMENT = 128;

/** Runs the login statement for a batch of logins; one row per login, in order. */
export async function writeLogins(db: IdentityDeps['db'], writes: LoginWrite[]): Promise<LoginRow[]> {
  const rows = await loginStatement(db).execute({
    macs: writes.map((w) => w.mac), nonceExpiries: writes.map((w) => w.nonceExpiresAt), lookupKeys: writes.map((w) => w.lookupKey),
    householdIds: writes.map((w) => w.householdId), tokenHashes: writes.map((w) => w.tokenHash), deviceIds: writes.map((w) => w.deviceId),
    expiries: writes.map((w) => w.expiresAt),
  });
  return rows.sort((a, b) => a.n - b.n).map(({ n: _n, ...row }) => row);
}

function loginWriter(db: IdentityDeps['db']) {
  return prepared(db, 'login_writer', () => new WriteBatcher<LoginWrite, LoginRow>({
    maxInFlight: LOGIN_STATEMENTS_IN_FLIGHT,
    maxBatch: LOGINS_PER_STATEMENT,
    keyOf: (w) => w.mac,
    run: (writes) => writeLogins(db, writes),
  }));
}

/** How many login statements this process ran for how many logins (benchmarks, tests). */
export function loginBatchStats(db: IdentityDeps['db']): { batches: number; inputs: number } {
  return { ...loginWriter(db).stats };
}


/**
 * High-assurance login (DESIGN §5.2): the nonce's seal is checked, then the auth certificate's
 * chain, purpose, validity and signature; revocation must be known and good; then one statement
 * burns the nonce and opens the session if the card belongs to a registered member of this TV's
 * household. Every refusal has its own code, a replay's first, and every attempt uses the nonce up.
 */
export async function login(deps: IdentityDeps, device: Device, input: LoginRequest) {
  if (device.kind !== 'tv' || !device.householdId) throw new AppError('AUTH_FORBIDDEN', { detail: 'not a household TV' });
  const householdId = device.householdId;
  // A refused attempt still uses the nonce up, and a replay is reported as such whatever else is wrong.
  const { nonce, lookupKey } = await checkCardAnswer(deps, device.id, 'login', input, 'login');

  const session = newSessionToken(deps.config.sessionTtlSeconds);
  const row = await loginWriter(deps.db).submit({
    mac: nonce.mac, nonceExpiresAt: nonce.expiresAt, lookupKey, householdId, tokenHash: session.tokenHash, deviceId: device.id, expiresAt: session.expiresAt,
  });
  if (!row.fresh) throw new AppError('AUTH_NONCE_REPLAYED');
  if (row.householdLabel === null) throw new AppError('AUTH_FORBIDDEN', { detail: "the TV's household does not exist" });
  if (!row.personId) throw new AppError('AUTH_NOT_REGISTERED');
  if (row.status !== 'good') throw new AppError('PKI_REVOKED', { detail: `certificate is ${row.status} in the platform` });
  if (!row.isMember) throw new AppError('AUTH_NOT_HOUSEHOLD_MEMBER');
  if (!row.sessionId) throw new Error('login statement opened no session although every condition held');
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    person: { id: row.personId, name: row.name },
    household: { id: householdId, label: row.householdLabel, members: row.members ?? [] },
  };
}
