import type {
  AuditPageView, AuditVerdictView, DashboardView, DeviceListView, InviteView, ProvisionedDeviceView, StaffListView, StaffLoginRequest,
  StaffMeView, StaffNonceView, StaffSessionView,
} from '../../../platform/src/console/console-schemas.js';
import type { ShelterOverview, UnconfirmedList } from '../../../platform/src/shelter/shelter-schemas.js';
import type {
  AlertSettings, AlertsOverview, DraftCreateBody, DraftEditBody, DraftView, FunnelView, PreviewBody, PreviewView,
} from '../../../platform/src/alerts/alert-console-schemas.js';
import type { ApiCredentialListView, CampaignView, IssuedCodeView, PolicyView, SubmissionView } from '../../../platform/src/pension/pension-schemas.js';
import type {
  BlackoutsView, BoardView, ConsoleFacilitiesView, DayBoardView, DrawResultView, LotteryRoundT, PolicyRequestBody, ReplayResultView,
  WeeklyBlackoutRequestBody, WeeklyBlackoutsView,
} from '../../../platform/src/booking/booking-schemas.js';
import { AppError, toWire, type WireError } from '../../../platform/src/shared/errors.js';

export type { ShelterOverview, UnconfirmedList };
export type { AlertsOverview, DraftCreateBody, DraftView, FunnelView, PreviewBody, PreviewView };
export type { ApiCredentialListView, CampaignView, IssuedCodeView, PolicyView, SubmissionView };
export type { BoardView, ConsoleFacilitiesView, DayBoardView, DrawResultView, LotteryRoundT, PolicyRequestBody, ReplayResultView };
export type {
  AuditPageView, AuditVerdictView, DashboardView, DeviceListView, InviteView, ProvisionedDeviceView, StaffListView, StaffMeView, StaffSessionView,
};

/** A refused console request: the catalogue body the platform sent, or one made here for a lost link. */
export class ConsoleError extends Error {
  constructor(readonly error: WireError, readonly status: number) {
    super(error.message);
    this.name = 'ConsoleError';
  }

  get code(): string {
    return this.error.code;
  }

  /** The session is over (logout elsewhere, idle, removal): the console goes back to sign-in. */
  get sessionEnded(): boolean {
    return this.code === 'AUTH_SESSION_EXPIRED' || this.code === 'AUTH_REQUIRED';
  }
}

/** No answer in this long is an error the page can show, never a spinner forever. */
const TIMEOUT_MS = 15_000;

/**
 * The operator console's client for the platform: the staff token in the Authorization header
 * (never a cookie, so other sites cannot act in a staff member's name), every request with a
 * timeout, every refusal as a ConsoleError with the catalogue's code and Japanese text.
 */
export class ConsoleClient {
  token: string | null = null;
  /** Told when a request finds the session over, so the page can sign out once, wherever it happened. */
  onSessionEnded: (() => void) | null = null;

  constructor(private readonly base = '') {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1/console${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new ConsoleError(toWire(new AppError('CLIENT_TIMEOUT')), 0);
    }
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => null)) as { error?: WireError } | null;
    if (!res.ok) {
      const error = new ConsoleError(json?.error ?? toWire(new AppError('INTERNAL', { detail: `HTTP ${res.status}` })), res.status);
      if (error.sessionEnded && this.token) this.onSessionEnded?.();
      throw error;
    }
    return json as T;
  }

  nonce(clientId: string) {
    return this.call<StaffNonceView>('POST', '/nonces', { clientId });
  }

  login(body: StaffLoginRequest) {
    return this.call<StaffSessionView>('POST', '/sessions', body);
  }

  me() {
    return this.call<StaffMeView>('GET', '/me');
  }

  logout() {
    return this.call<void>('DELETE', '/sessions/current');
  }

  dashboard() {
    return this.call<DashboardView>('GET', '/dashboard');
  }

  devices(query: { status?: 'active' | 'withdrawn'; q?: string; limit?: number; offset?: number }) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    return this.call<DeviceListView>('GET', `/devices?${params}`);
  }

  provisionTv(contractNo: string, label: string) {
    return this.call<ProvisionedDeviceView>('POST', '/devices', { contractNo, label });
  }

  /** Flags a TV for test alerts (it also shows Test and Exercise messages), or unflags it. */
  setTestAlerts(deviceId: string, testAlerts: boolean) {
    return this.call<{ id: string; testAlerts: boolean }>('PUT', `/devices/${encodeURIComponent(deviceId)}/test-alerts`, { testAlerts });
  }

  withdraw(deviceId: string) {
    return this.call<{ withdrawn: boolean; sessionsEnded: number }>('POST', `/devices/${encodeURIComponent(deviceId)}/withdraw`);
  }

  audit(query: { before?: number; action?: string; limit?: number }) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    return this.call<AuditPageView>('GET', `/audit?${params}`);
  }

  verifyAudit() {
    return this.call<AuditVerdictView>('POST', '/audit/verify');
  }

  staff() {
    return this.call<StaffListView>('GET', '/staff');
  }

  invite(displayName: string, roles: string[]) {
    return this.call<InviteView>('POST', '/staff/invites', { displayName, roles });
  }

  reinvite(staffId: string) {
    return this.call<InviteView>('POST', `/staff/${staffId}/invites`);
  }

  setRoles(staffId: string, roles: string[]) {
    return this.call<{ staffId: string; roles: string[]; sessionsEnded: number }>('PUT', `/staff/${staffId}/roles`, { roles });
  }

  removeStaff(staffId: string) {
    return this.call<{ staffId: string; removed: boolean; sessionsEnded: number }>('DELETE', `/staff/${staffId}`);
  }

  shelters() {
    return this.call<ShelterOverview>('GET', '/shelters');
  }

  setShelterPin(shelterId: string, requirePin: boolean) {
    return this.call<{ shelterId: string; requirePin: boolean }>('PUT', `/shelters/${shelterId}/settings`, { requirePin });
  }

  unconfirmed(district?: string) {
    return this.call<UnconfirmedList>('GET', `/shelters/unconfirmed${district ? `?district=${encodeURIComponent(district)}` : ''}`);
  }

  /** The 安否未確認 list as the CSV file the platform makes (a Blob the page offers as a download). */
  async unconfirmedCsv(district?: string): Promise<Blob> {
    const res = await fetch(`${this.base}/api/v1/console/shelters/unconfirmed.csv${district ? `?district=${encodeURIComponent(district)}` : ''}`, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(() => null);
    if (!res) throw new ConsoleError(toWire(new AppError('CLIENT_TIMEOUT')), 0);
    if (!res.ok) {
      const json = (await res.json().catch(() => null)) as { error?: WireError } | null;
      throw new ConsoleError(json?.error ?? toWire(new AppError('INTERNAL', { detail: `HTTP ${res.status}` })), res.status);
    }
    return res.blob();
  }

  alerts() {
    return this.call<AlertsOverview>('GET', '/alerts');
  }

  alertPreview(body: PreviewBody) {
    return this.call<PreviewView>('POST', '/alerts/preview', body);
  }

  createAlertDraft(body: DraftCreateBody) {
    return this.call<DraftView>('POST', '/alerts/drafts', body);
  }

  editAlertDraft(id: string, body: DraftEditBody) {
    return this.call<DraftView>('PUT', `/alerts/drafts/${id}`, body);
  }

  /** submit (the composer), approve (a second officer), discard. */
  alertDraftStep(id: string, step: 'submit' | 'approve' | 'discard', version: number) {
    return this.call<DraftView>('POST', `/alerts/drafts/${id}/${step}`, { version });
  }

  alertFunnel(alertId: string) {
    return this.call<FunnelView>('GET', `/alerts/${alertId}/funnel`);
  }

  setAlertSettings(settings: AlertSettings) {
    return this.call<AlertSettings>('PUT', '/alerts/settings', settings);
  }

  // ---- pension (insurer staff) ----
  pensionPolicies() {
    return this.call<{ policies: PolicyView[] }>('GET', '/pension/policies');
  }

  /** One policy; its link code is in this answer only. */
  addPolicy(policyRef: string, dueMonth: number) {
    return this.call<{ policies: IssuedCodeView[] }>('POST', '/pension/policies', { policyRef, dueMonth });
  }

  /** Policies from CSV (policyRef,dueMonth); the codes are in this answer only. */
  uploadPolicies(csv: string) {
    return this.call<{ policies: IssuedCodeView[] }>('POST', '/pension/policies/csv', { csv });
  }

  reissueLinkCode(policyId: string) {
    return this.call<{ policyId: string; linkCode: string; linkCodeExpiresAt: string }>('POST', `/pension/policies/${encodeURIComponent(policyId)}/link-code`);
  }

  pensionCampaigns() {
    return this.call<{ campaigns: CampaignView[] }>('GET', '/pension/campaigns');
  }

  openCampaign(input: { title: string; period: string; deadline: string; reminderDates: string[] }) {
    return this.call<{ id: string; notified: number }>('POST', '/pension/campaigns', input);
  }

  pensionSubmissions(campaignId?: string) {
    return this.call<{ submissions: SubmissionView[]; next: string | null }>('GET', `/pension/submissions${campaignId ? `?campaignId=${encodeURIComponent(campaignId)}` : ''}`);
  }

  /** The insurer's API credentials (label and dates; the secret is never shown again). */
  pensionApiCredentials() {
    return this.call<ApiCredentialListView>('GET', '/pension/api-credentials');
  }

  /** A new API credential: `credential` (id.secret) is in this answer only. */
  issueApiCredential(label: string) {
    return this.call<{ id: string; credential: string }>('POST', '/pension/api-credentials', { label });
  }

  /** Revokes an API credential: its next request is refused. */
  revokeApiCredential(id: string) {
    return this.call<{ id: string; revokedAt: string }>('POST', `/pension/api-credentials/${encodeURIComponent(id)}/revoke`);
  }

  /** The evidence bundle as the exact text the platform keeps (re-serialising it would change its bytes). */
  async pensionBundle(submissionId: string): Promise<string> {
    const res = await fetch(`${this.base}/api/v1/console/pension/submissions/${encodeURIComponent(submissionId)}/bundle`, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(() => null);
    if (!res) throw new ConsoleError(toWire(new AppError('CLIENT_TIMEOUT')), 0);
    const text = await res.text();
    if (!res.ok) throw new ConsoleError((JSON.parse(text) as { error: WireError }).error, res.status);
    return text;
  }

  // ── 施設予約 (platform/src/booking/console-routes.ts) ──

  bookingFacilities() {
    return this.call<ConsoleFacilitiesView>('GET', '/booking/facilities');
  }

  bookingBoard(from: string) {
    return this.call<BoardView>('GET', `/booking/board?from=${encodeURIComponent(from)}`);
  }

  /** One day of one facility: every unit × 区分 (the day board). */
  bookingDay(facilityId: string, day: string) {
    return this.call<DayBoardView>('GET', `/booking/facilities/${encodeURIComponent(facilityId)}/day?day=${encodeURIComponent(day)}`);
  }

  updatePolicy(facilityId: string, numbers: PolicyRequestBody) {
    return this.call<{ ok: boolean }>('PUT', `/booking/facilities/${encodeURIComponent(facilityId)}/policy`, numbers);
  }

  addBlackout(facilityId: string, day: string, reason: string) {
    return this.call<BlackoutsView>('POST', `/booking/facilities/${encodeURIComponent(facilityId)}/blackouts`, { day, reason });
  }

  /** Every `weekday` (0 Sunday … 6 Saturday) from `from` to `until` closed; how many days that was, and the bookings on them. */
  addWeeklyBlackouts(facilityId: string, rule: WeeklyBlackoutRequestBody) {
    return this.call<WeeklyBlackoutsView>('POST', `/booking/facilities/${encodeURIComponent(facilityId)}/blackouts/weekly`, rule);
  }

  adminBooking(facilityId: string, body: { unitId: string; day: string; period: string; note: string; idempotencyKey: string }) {
    return this.call<{ overridden: number }>('POST', `/booking/facilities/${encodeURIComponent(facilityId)}/admin-bookings`, body);
  }

  openLotteryRound(facilityId: string, month: string, applyUntil: string) {
    return this.call<LotteryRoundT>('POST', `/booking/facilities/${encodeURIComponent(facilityId)}/lottery-rounds`, { month, applyUntil });
  }

  /** Ends a round's applications now (a round is drawn only once they have closed). */
  closeLotteryRound(roundId: string) {
    return this.call<LotteryRoundT>('POST', `/booking/lottery-rounds/${encodeURIComponent(roundId)}/close`);
  }

  drawLotteryRound(roundId: string) {
    return this.call<DrawResultView>('POST', `/booking/lottery-rounds/${encodeURIComponent(roundId)}/draw`);
  }

  replayLotteryRound(roundId: string) {
    return this.call<ReplayResultView>('POST', `/booking/lottery-rounds/${encodeURIComponent(roundId)}/replay`);
  }
}
