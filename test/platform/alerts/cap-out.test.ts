import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { capXml, xmlSafe } from '../../../platform/src/alerts/cap-out.js';
import { issueFeedCredential } from '../../../platform/src/alerts/feed.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { alerts } from '../../../platform/src/alerts/schema.js';
import type { CanonicalAlert } from '../../../platform/src/alerts/model.js';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { publishedAlert } from '../../helpers/alerts.js';
import { buildTestApp } from '../../helpers/app.js';
import { orgId } from '../../helpers/staff.js';

/** The municipality's own alerts out as CAP 1.2 and Atom (issue 13 §3): public, Actual only, composed here only. */
const FIXTURES = resolve(import.meta.dirname, '../../fixtures/alerts');
const { app, database } = await buildTestApp({}, { demo: true });
const db = database.db;
const nanto = await orgId(db, '162108');
const tonami = await orgId(db, '162086');

const get = (url: string) => app.inject({ method: 'GET', url });
const capUrl = (code: string, id: string) => `/api/v1/alerts/public/${code}/cap/${id}`;
const feedUrl = (code: string) => `/api/v1/alerts/public/${code}/feed`;

/** A hostile headline and description: markup, entities, CDATA ends, quotes, a newline, an emoji. */
const HOSTILE = {
  headline: '</headline><script>alert(1)</script>&amp;',
  description: 'A ]]> B <![CDATA[ x ]]> &#x26; "q" \'a\'\n二行目 🚨 <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
};

describe('one CAP 1.2 document per alert', () => {
  it('is valid CAP that our own parser reads back to the same canonical alert', async () => {
    const { alertId } = await publishedAlert(db, nanto);
    const res = await get(capUrl('162108', alertId));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/cap+xml; charset=utf-8');
    const back = parseAlertDocument(Buffer.from(res.body));
    const [row] = await db.select({ document: alerts.document }).from(alerts).where(eq(alerts.id, alertId));
    expect(back).toEqual(row!.document as CanonicalAlert);
    expect(back).toMatchObject({ format: 'cap-1.2', msgType: 'Alert', status: 'Actual', scope: 'Public' });
  });

  it('escapes hostile text: nothing breaks out of its element, and it reads back exactly', async () => {
    const { alertId } = await publishedAlert(db, nanto, HOSTILE);
    const res = await get(capUrl('162108', alertId));
    expect(res.body).not.toContain('<script>');
    expect(res.body).not.toContain('<!DOCTYPE');
    expect(res.body).toContain('&lt;/headline&gt;&lt;script&gt;');
    const info = parseAlertDocument(Buffer.from(res.body)).infos[0]!;
    expect([info.headline, info.description]).toEqual([HOSTILE.headline, HOSTILE.description]);
  });

  it('every CAP sample we accept round-trips through the writer (prefixes, several infos, polygons, circles, resources, Cancel)', () => {
    for (const name of ['cap-multilingual-nanto.xml', 'cap-homeland-security.xml', 'cap-thunderstorm-prefixed.xml', 'cap-earthquake-update.xml', 'cap-cancel-no-info.xml', 'cap-iso-8859-1.xml', 'cap-shift-jis.xml']) {
      const { signature: _signature, ...parsed } = parseAlertDocument(readFileSync(join(FIXTURES, name)));
      expect(parseAlertDocument(Buffer.from(capXml(parsed))), name).toEqual(parsed);
    }
  });

  it('drops what XML 1.0 cannot carry (control characters) and keeps line breaks as LF', () => {
    expect(xmlSafe('a\u0000b\u0007c\r\nd\re\tf\uFFFE')).toBe('abc\nd\ne\tf');
  });

  it('is published only for Actual alerts composed here, of that municipality (404 otherwise, no credential needed)', async () => {
    const test = await publishedAlert(db, nanto, { status: 'Test' });
    expect((await get(capUrl('162108', test.alertId))).statusCode).toBe(404);
    const ours = await publishedAlert(db, nanto);
    const wrongTown = await get(capUrl('162086', ours.alertId));
    expect([wrongTown.statusCode, wrongTown.json().error.code]).toEqual([404, 'REQ_NOT_FOUND']);
    expect((await get(capUrl('999999', ours.alertId))).statusCode).toBe(404);
    // Received from a feed: someone else's document, not re-published under our address.
    const feed = await issueFeedCredential(db, '162108', 'test feed', ['bousai@city.nanto.toyama.jp'], CLI_ACTOR);
    const received = await app.inject({
      method: 'POST', url: '/api/v1/alerts/cap', headers: { 'content-type': 'application/xml', authorization: `Bearer ${feed.token}` },
      payload: readFileSync(join(FIXTURES, 'cap-multilingual-nanto.xml'), 'utf8').replaceAll('nanto-2026-0001', `received-${Date.now()}`),
    });
    expect(received.statusCode).toBe(201);
    expect((await get(capUrl('162108', received.json().alertId))).statusCode).toBe(404);
    const bad = await get(capUrl('162108', 'not-a-uuid'));
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'REQ_INVALID']);
  });
});

describe('the Atom feed', () => {
  it("lists the municipality's own Actual messages newest first, each linking its CAP document; well-formed with hostile text", async () => {
    const first = await publishedAlert(db, tonami);
    const test = await publishedAlert(db, tonami, { status: 'Test' });
    const second = await publishedAlert(db, tonami, HOSTILE);
    const other = await publishedAlert(db, nanto);
    const res = await get(feedUrl('162086'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const problems: string[] = [];
    const doc = new DOMParser({ onError: (_l, m) => { problems.push(m); } }).parseFromString(res.body, 'text/xml');
    expect(problems).toEqual([]);
    const entries = Array.from(doc.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'entry'));
    const hrefs = entries.map((e) => e.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'link')[0]!.getAttribute('href'));
    expect(hrefs.indexOf(capUrl('162086', second.alertId))).toBeLessThan(hrefs.indexOf(capUrl('162086', first.alertId)));
    expect(hrefs).not.toContain(capUrl('162086', test.alertId));
    expect(res.body).not.toContain(other.alertId);
    const title = entries[hrefs.indexOf(capUrl('162086', second.alertId))]!.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'title')[0]!.textContent;
    expect(title).toBe(HOSTILE.headline);
    for (const href of hrefs) expect((await get(href!)).statusCode).toBe(200);
    expect((await get(feedUrl('999999'))).statusCode).toBe(404);
  });
});
