/**
 * The demo world created on first start (`SEED_DEMO=true`): one cable operator, one municipality
 * with districts, shelters and facilities, one insurer, households with their TVs, and demo people
 * whose virtual My Number Cards the dev JPKI center issues. Everything here is fictional; the PINs
 * are documented in the README so anyone can try the TV flow.
 */
export const DEMO_OPERATOR = { code: 'catv-demo', name: 'デモケーブルテレビ', helpPhone: '0120-000-000' } as const;
export const DEMO_MUNICIPALITY = { code: '162108', name: '南砺市', helpPhone: '0763-00-0000' } as const;
export const DEMO_INSURER = { code: 'insurer-demo', name: 'デモ生命保険' } as const;
/** A second municipality, so the console's scoping can be seen (and tested) between two of them. */
export const DEMO_MUNICIPALITY_2 = { code: '162086', name: '砺波市' } as const;
export const DEMO_DISTRICTS_2 = [{ code: 'demachi', name: '出町地域' }] as const;
export const DEMO_HOUSEHOLDS_2 = [
  { contractNo: 'CATV-0101', district: 'demachi', label: '高橋さん宅', latitude: 36.6470, longitude: 136.9620, tv: { id: '00000000-0000-4000-8000-000000000201', secret: 'demo-tv-takahashi' } },
] as const;

/**
 * The services of the demo world, each seeing only its own UIDs. Fixed ids (like the demo TVs'),
 * so a demo or a test can link a person to one by its id, as the service's own sign-up would.
 */
export const DEMO_PROVIDERS = [
  { id: '00000000-0000-4000-8000-000000000201', owner: 'insurer', code: 'demo-pension', name: 'デモ生命 年金現況確認', service: 'pension' },
  { id: '00000000-0000-4000-8000-000000000202', owner: 'municipality', code: 'nanto-booking', name: '南砺市 施設予約', service: 'booking' },
  { id: '00000000-0000-4000-8000-000000000203', owner: 'municipality', code: 'nanto-disaster', name: '南砺市 避難情報', service: 'disaster' },
] as const;

export const DEMO_DISTRICTS = [
  { code: 'johana', name: '城端地域' },
  { code: 'inami', name: '井波地域' },
  { code: 'fukumitsu', name: '福光地域' },
] as const;

export const DEMO_SHELTERS = [
  { district: 'johana', name: '城端小学校 体育館', address: '富山県南砺市城端６００', capacity: 300, latitude: 36.5165, longitude: 136.8870 },
  { district: 'inami', name: '井波総合文化センター', address: '富山県南砺市井波１－１', capacity: 500, latitude: 36.5560, longitude: 136.9640 },
  { district: 'fukumitsu', name: '福光中学校 体育館', address: '富山県南砺市福光１０００', capacity: 400, latitude: 36.5570, longitude: 136.8720 },
] as const;

/**
 * The demo shelter tablet at 城端小学校: `npm start` provisions its credential to the reader driver
 * for the shelter page's own origin (as the TVs', its secret is in the source: dev only).
 */
export const DEMO_TABLET = { id: '00000000-0000-4000-8000-000000000301', secret: 'demo-tablet-johana', shelter: '城端小学校 体育館', label: '城端小学校 受付タブレット' } as const;

/**
 * A second tablet at the same shelter (a second desk at the entrance). Its credential is not given
 * to the reader driver (one page gets one credential): a drill or a test speaks for it through the
 * API, and both tablets see the same people.
 */
export const DEMO_TABLET_2 = { id: '00000000-0000-4000-8000-000000000302', secret: 'demo-tablet-johana-2', shelter: DEMO_TABLET.shelter, label: '城端小学校 受付タブレット2' } as const;

/**
 * Drill residents (訓練用, `DEMO_DRILL_RESIDENTS=N`): card ids `drill-01`…, households of four in
 * 城端, registered at start as the TV registration would leave them, so a shelter drill (or a
 * browser test) has many cards to tap. PINs are the same for all: documented, fictional.
 */
export const DEMO_DRILL = { authPin: '0000', signPin: 'DRILL2024', district: 'johana', perHousehold: 4 } as const;
export const drillCardId = (n: number) => `drill-${String(n).padStart(2, '0')}`;
const DRILL_FAMILIES = ['訓練', '防災', '避難', '安全', '城端', '受付', '名簿', '体育', '非常', '備蓄'];
const DRILL_GIVEN = ['一郎', '花子', '次郎', '桜', '三郎', '梅子', '四郎', '菊子'];
/** The n-th drill resident's name (1-based): one family name per household of four. */
export const drillName = (n: number) =>
  `${DRILL_FAMILIES[Math.floor((n - 1) / DEMO_DRILL.perHousehold) % DRILL_FAMILIES.length]}　${DRILL_GIVEN[(n - 1) % DRILL_GIVEN.length]}`;

/** 午前/午後/夜間, the usual 区分 of a Japanese public hall (Japan time, half-open). */
const HALL_PERIODS = [
  { code: 'am', label: '午前', start: '09:00', end: '12:00' },
  { code: 'pm', label: '午後', start: '13:00', end: '17:00' },
  { code: 'night', label: '夜間', start: '18:00', end: '21:00' },
];
/** Tennis courts go by two-hour コマ. */
const COURT_PERIODS = [
  { code: 'k1', label: '1コマ', start: '09:00', end: '11:00' },
  { code: 'k2', label: '2コマ', start: '11:00', end: '13:00' },
  { code: 'k3', label: '3コマ', start: '13:00', end: '15:00' },
  { code: 'k4', label: '4コマ', start: '15:00', end: '17:00' },
];
const feesOf = (periods: readonly { code: string }[], resident: number) => periods.map((p) => ({ period: p.code, resident, nonResident: resident * 2 }));

/**
 * The demo's bookable facilities, in both municipalities, each with its units (parts booked on
 * their own: アリーナ A面 and B面 never overlap, so the exclusion constraint per unit is the whole
 * truth), its 区分 table and its policy. `closedWeekday` (0 = Sunday) is the 休館日, seeded as
 * blackouts for the weeks ahead; `closedInDays` closes one day that many days after seeding (点検).
 * The tennis courts use a monthly lottery (抽選); the rest are first-come.
 */
export const DEMO_FACILITIES = [
  {
    org: '162108', name: '南砺市体育館 アリーナ', kind: 'gym', units: ['A面', 'B面'], periods: HALL_PERIODS, fees: feesOf(HALL_PERIODS, 1500),
    residentHorizonDays: 60, nonResidentHorizonDays: 30, cancelDeadlineDays: 3, monthlyQuota: 4, holdMinutes: 30, lottery: null,
    closedWeekday: 1, closedInDays: null,
  },
  {
    org: '162108', name: '城端公民館 会議室', kind: 'meeting_room', units: ['会議室A', '会議室B'], periods: HALL_PERIODS, fees: feesOf(HALL_PERIODS, 500),
    residentHorizonDays: 90, nonResidentHorizonDays: 30, cancelDeadlineDays: 1, monthlyQuota: 6, holdMinutes: 30, lottery: null,
    closedWeekday: null, closedInDays: 10,
  },
  {
    org: '162108', name: '福光テニスコート', kind: 'tennis_court', units: ['1番コート', '2番コート'], periods: COURT_PERIODS, fees: feesOf(COURT_PERIODS, 400),
    residentHorizonDays: 60, nonResidentHorizonDays: 14, cancelDeadlineDays: 2, monthlyQuota: 4, holdMinutes: 30,
    lottery: { applyFrom: 1, applyUntil: 10, monthsAhead: 2, confirmDays: 7 },
    closedWeekday: 3, closedInDays: null,
  },
  {
    org: '162086', name: '砺波市文化会館 多目的ホール', kind: 'hall', units: ['ホール'], periods: HALL_PERIODS, fees: feesOf(HALL_PERIODS, 3000),
    residentHorizonDays: 90, nonResidentHorizonDays: 60, cancelDeadlineDays: 7, monthlyQuota: 2, holdMinutes: 30, lottery: null,
    closedWeekday: 2, closedInDays: null,
  },
] as const;

export const DEMO_BLACKOUT_REASONS = { weekly: '休館日', once: '設備点検' } as const;

export const DEMO_HOUSEHOLDS = [
  { contractNo: 'CATV-0001', district: 'johana', label: '山田さん宅', latitude: 36.5120, longitude: 136.8800, tv: { id: '00000000-0000-4000-8000-000000000101', secret: 'demo-tv-yamada' } },
  { contractNo: 'CATV-0002', district: 'inami', label: '佐藤さん宅', latitude: 36.5585, longitude: 136.9600, tv: { id: '00000000-0000-4000-8000-000000000102', secret: 'demo-tv-sato' } },
] as const;

/** Demo card holders. `id` names the virtual card in the demo card bay. */
export const DEMO_PEOPLE = [
  {
    id: 'yamada-taro', household: 'CATV-0001', name: '山田　太郎', birth: '1950-04-01', gender: '1',
    address: '富山県南砺市城端１２３番地', authPin: '1234', signPin: 'YAMADA2024',
  },
  {
    id: 'yamada-hanako', household: 'CATV-0001', name: '山田　花子', birth: '1953-08-15', gender: '2',
    address: '富山県南砺市城端１２３番地', authPin: '5678', signPin: 'HANAKO53',
  },
  {
    id: 'sato-ichiro', household: 'CATV-0002', name: '佐藤　一郎', birth: '1942-11-30', gender: '1',
    address: '富山県南砺市井波４５６番地', authPin: '2468', signPin: 'SATO1942',
  },
] as const;

export type DemoPerson = (typeof DEMO_PEOPLE)[number];

/**
 * Demo staff of the operator console, one per organisation and role the demo needs. Each has their
 * own virtual My Number Card (`card`, in the demo card bay like the residents') and logs in with
 * its auth PIN; they are enrolled at start, so no invitation code is needed in the demo.
 */
export const DEMO_STAFF = [
  {
    card: 'staff-catv-admin', org: 'catv-demo', roles: ['operator.admin'], displayName: '運用 管理者',
    name: '中村　健一', birth: '1975-06-01', gender: '1', address: '富山県南砺市福光１番地', authPin: '1111', signPin: 'NAKAMURA75',
  },
  {
    card: 'staff-nanto-disaster', org: '162108', roles: ['municipality.admin', 'municipality.disaster'], displayName: '南砺市 防災課',
    name: '林　美咲', birth: '1982-02-14', gender: '2', address: '富山県南砺市井波２番地', authPin: '2222', signPin: 'HAYASHI82',
  },
  {
    card: 'staff-nanto-disaster2', org: '162108', roles: ['municipality.disaster'], displayName: '南砺市 防災課（承認）',
    name: '森　大輔', birth: '1979-09-09', gender: '1', address: '富山県南砺市城端３番地', authPin: '2323', signPin: 'MORI1979',
  },
  {
    card: 'staff-nanto-shelter', org: '162108', roles: ['municipality.shelter_staff'], displayName: '城端小学校 受付',
    name: '石川　由美', birth: '1988-12-03', gender: '2', address: '富山県南砺市城端４番地', authPin: '3333', signPin: 'ISHIKAWA88',
  },
  {
    // A second shelter clerk, so the console's "removed staff are logged out" browser test has
    // someone to remove whom the shelter tablet's test does not need.
    card: 'staff-nanto-shelter2', org: '162108', roles: ['municipality.shelter_staff'], displayName: '福光中学校 受付',
    name: '松本　彩', birth: '1991-05-20', gender: '2', address: '富山県南砺市福光５番地', authPin: '3434', signPin: 'MATSUMOTO91',
  },
  {
    card: 'staff-nanto-facilities', org: '162108', roles: ['municipality.facilities'], displayName: '南砺市 施設管理',
    name: '松本　優子', birth: '1986-03-21', gender: '2', address: '富山県南砺市福光７番地', authPin: '6666', signPin: 'MATSUMOTO86',
  },
  {
    card: 'staff-tonami-disaster', org: '162086', roles: ['municipality.admin', 'municipality.disaster'], displayName: '砺波市 防災課',
    name: '山本　亮', birth: '1984-04-20', gender: '1', address: '富山県砺波市出町５番地', authPin: '4444', signPin: 'YAMAMOTO84',
  },
  {
    card: 'staff-insurer-clerk', org: 'insurer-demo', roles: ['insurer.admin', 'insurer.clerk'], displayName: 'デモ生命 事務',
    name: '小林　真理', birth: '1990-07-07', gender: '2', address: '東京都千代田区丸の内６番地', authPin: '5555', signPin: 'KOBAYASHI90',
  },
] as const;

export type DemoStaff = (typeof DEMO_STAFF)[number];
