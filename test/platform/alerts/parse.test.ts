import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlertDocument, validateDocument } from '../../../platform/src/alerts/parse.js';
import { MAX_ATTRIBUTES, MAX_DEPTH, MAX_MARKUP } from '../../../platform/src/alerts/markup-limits.js';
import { DEFAULT_MAX_BYTES, parseXml } from '../../../platform/src/alerts/xml.js';
import { AppError } from '../../../platform/src/shared/errors.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/alerts');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const text = (name: string) => fixture(name).toString('utf8');
const bytes = (s: string) => new TextEncoder().encode(s);

/** The ALERT_* code a document is refused with (fails the test when it is accepted). */
function refusal(doc: string | Uint8Array, opts: { maxBytes?: number } = {}): string {
  try {
    parseAlertDocument(typeof doc === 'string' ? bytes(doc) : doc, opts);
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('document was accepted');
}

describe('CAP 1.2 documents accepted onto the canonical model', () => {
  it('OASIS A.1-style advisory: required fields, resource uri kept, never fetched', () => {
    const a = parseAlertDocument(fixture('cap-homeland-security.xml'));
    expect(a).toMatchObject({ format: 'cap-1.2', identifier: '43b080713727', sender: 'hsas@dhs.gov', status: 'Actual', msgType: 'Alert', scope: 'Public' });
    expect(a.sent).toEqual({ text: '2003-04-02T14:39:01-05:00', epochMs: Date.parse('2003-04-02T19:39:01Z') });
    expect(a.infos[0]!.resources[0]).toEqual({ resourceDesc: 'Image file (GIF)', mimeType: 'image/gif', uri: 'http://www.dhs.gov/dhspublic/getAdvisoryImage' });
    expect(a.infos[0]!.parameters).toEqual([{ valueName: 'HSAS', value: 'ORANGE' }]);
  });

  it('cap: namespace prefix, closed polygon, geocode, eventCode and expires', () => {
    const a = parseAlertDocument(fixture('cap-thunderstorm-prefixed.xml'));
    const info = a.infos[0]!;
    expect(info.responseType).toEqual(['Shelter']);
    expect(info.expires?.text).toBe('2003-06-17T16:00:00-07:00');
    expect(info.areas[0]!.polygons[0]).toHaveLength(5);
    expect(info.areas[0]!.polygons[0]![0]).toEqual([38.47, -120.14]);
    expect(info.areas[0]!.geocodes).toEqual([{ valueName: 'SAME', value: '006109' }]);
    expect(info.eventCodes).toEqual([{ valueName: 'SAME', value: 'SVR' }]);
  });

  it('Update with a references triplet and a zero-radius circle', () => {
    const a = parseAlertDocument(fixture('cap-earthquake-update.xml'));
    expect(a.msgType).toBe('Update');
    expect(a.references).toEqual([{ sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sent: '2003-06-11T20:30:00-07:00' }]);
    expect(a.infos[0]!.areas[0]!.circles).toEqual([{ lat: 32.9525, lon: -115.5527, radiusKm: 0 }]);
  });

  it('several <info> (ja-JP and en-US), level parameter, embedded derefUri and the Signature kept', () => {
    const a = parseAlertDocument(fixture('cap-multilingual-nanto.xml'));
    expect(a.infos.map((i) => i.language)).toEqual(['ja-JP', 'en-US']);
    expect(a.infos.map((i) => i.level)).toEqual([4, 4]);
    expect(Buffer.from(a.infos[0]!.resources[0]!.derefUri!, 'base64').toString('utf8')).toBe('城端小学校\n');
    expect(a.infos[0]!.areas[0]!.geocodes).toContainEqual({ valueName: 'district', value: 'johana' });
    expect(a.signature).toMatch(/^<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">/);
    expect(a.signature).toContain('<SignatureValue>AAAA</SignatureValue>');
  });

  it('a Cancel with no <info> referencing the order', () => {
    const a = parseAlertDocument(fixture('cap-cancel-no-info.xml'));
    expect(a).toMatchObject({ msgType: 'Cancel', infos: [], note: '誤って発信したため取り消します' });
    expect(a.references).toEqual([{ sender: 'bousai@city.nanto.toyama.jp', identifier: 'nanto-2026-0001', sent: '2026-11-30T10:00:00+09:00' }]);
  });

  it('declared Shift_JIS and ISO-8859-1 are decoded from their bytes', () => {
    expect(fixture('cap-shift-jis.xml').includes(Buffer.from('井波', 'utf8'))).toBe(false); // really Shift_JIS bytes
    expect(parseAlertDocument(fixture('cap-shift-jis.xml')).infos[0]!.headline).toBe('井波地域に高齢者等避難');
    expect(parseAlertDocument(fixture('cap-iso-8859-1.xml')).infos[0]!.areas[0]!.areaDesc).toBe('Sierra de Ronda y Señorío');
  });

  it('a 100 KB message with an embedded resource is accepted; the size limit refuses a bigger one', () => {
    const big = text('cap-multilingual-nanto.xml').replace('5Z+O56uv5bCP5a2m5qChCg==', 'QUFB'.repeat(25_000));
    expect(parseAlertDocument(bytes(big)).infos[0]!.resources[0]!.derefUri).toHaveLength(100_000);
    expect(refusal(big, { maxBytes: 64 * 1024 })).toBe('ALERT_TOO_LARGE');
    expect(refusal(text('cap-homeland-security.xml').replace('</alert>', `<!--${'x'.repeat(1024 * 1024)}--></alert>`))).toBe('ALERT_TOO_LARGE');
  });
});

describe('L-Alert EvacuationOrder onto the canonical model', () => {
  it('v3 bare EDXL-DE: documentID/revision, Sort + 発令/解除 → levels, 町丁目 and jisX0402 codes, circle', () => {
    const a = parseAlertDocument(fixture('l-alert-v3-bare.xml'));
    expect(a).toMatchObject({ format: 'l-alert', identifier: '162108-EO-0001#1', sender: '162108@publiccommons.ne.jp', status: 'Actual', msgType: 'Alert', codes: ['l-alert-v3'] });
    expect(a.lAlert).toEqual({ documentId: '162108-EO-0001', revision: 1 });
    expect(a.infos.map((i) => [i.level, i.responseType[0]])).toEqual([[4, 'Evacuate'], ['lift', 'AllClear']]);
    const johana = a.infos[0]!.areas[0]!;
    expect(johana.geocodes).toEqual([{ valueName: 'jisX0402', value: '162108' }, { valueName: 'ooAzaTyouTyouMokuCode', value: '162108001000' }]);
    expect(johana.circles).toEqual([{ lat: 36.515, lon: 136.89, radiusKm: 1.5 }]);
    expect(a.infos[0]!.headline).toBe('城端地域に避難指示を発令しました。');
    expect(a.infos[0]!.expires?.text).toBe('2026-12-01T10:00:00+09:00');
  });

  it('v4 inside the SOAP publish envelope: revision 2 is an Update, 緊急安全確保 is level 5', () => {
    const a = parseAlertDocument(fixture('l-alert-v4-soap.xml'));
    expect(a).toMatchObject({ identifier: '162108-EO-0001#2', msgType: 'Update', codes: ['l-alert-v4'] });
    expect(a.lAlert).toEqual({ documentId: '162108-EO-0001', revision: 2, previousRevision: 1 });
    expect(a.infos[0]!.level).toBe(5);
  });

  it('a report marked 訓練 (exercise) is not Actual even when the envelope says Actual', () => {
    const a = parseAlertDocument(bytes(text('l-alert-v3-bare.xml').replace('<distributionStatus>実運用', '<distributionStatus>訓練')));
    expect(a.status).toBe('Exercise');
    expect(parseAlertDocument(bytes(text('l-alert-v3-bare.xml').replace('>Actual</edxlde:distributionStatus>', '>Test</edxlde:distributionStatus>'))).status).toBe('Test');
  });
});

describe('refusals, each with its own code', () => {
  const nanto = text('cap-multilingual-nanto.xml');
  const cancel = text('cap-cancel-no-info.xml');
  const lAlert = text('l-alert-v3-bare.xml');

  it('any DTD or markup declaration is refused before parsing (ALERT_DTD_REFUSED)', () => {
    expect(refusal(fixture('xxe-local-file.xml'))).toBe('ALERT_DTD_REFUSED');
    expect(refusal(nanto.replace('<alert', '<!DOCTYPE alert SYSTEM "cap.dtd">\n<alert'))).toBe('ALERT_DTD_REFUSED');
    expect(refusal(nanto.replace('<alert', '<!doctype alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<alert'))).toBe('ALERT_DTD_REFUSED');
    expect(refusal(lAlert.replace('<edxlde:EDXLDistribution', '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1/x">%p;]>\n<edxlde:EDXLDistribution'))).toBe('ALERT_DTD_REFUSED');
  });

  it('CAP 1.0 and 1.1 are an unsupported version, never parsed as 1.2', () => {
    expect(refusal(fixture('cap-1.1.xml'))).toBe('ALERT_UNSUPPORTED_VERSION');
    expect(refusal(text('cap-1.1.xml').replace('urn:oasis:names:tc:emergency:cap:1.1', 'http://www.incident.com/cap/1.0'))).toBe('ALERT_UNSUPPORTED_VERSION');
    expect(refusal(nanto.replace('xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ''))).toBe('ALERT_FORMAT_UNKNOWN');
  });

  it('missing required elements (ALERT_MISSING_ELEMENT)', () => {
    expect(refusal(nanto.replace(/<identifier>.*<\/identifier>/, ''))).toBe('ALERT_MISSING_ELEMENT');
    expect(refusal(nanto.replace(/<status>.*<\/status>/, '<status></status>'))).toBe('ALERT_MISSING_ELEMENT');
    expect(refusal(nanto.replace(/<areaDesc>城端地域<\/areaDesc>/g, ''))).toBe('ALERT_MISSING_ELEMENT');
    expect(refusal(text('cap-homeland-security.xml').replace(/<info>[\s\S]*<\/info>/, ''))).toBe('ALERT_MISSING_ELEMENT');
  });

  it('Update/Cancel with empty or malformed references (ALERT_REFERENCES_INVALID)', () => {
    expect(refusal(cancel.replace(/<references>.*<\/references>/, '<references></references>'))).toBe('ALERT_REFERENCES_INVALID');
    expect(refusal(cancel.replace(/<references>.*<\/references>/, ''))).toBe('ALERT_REFERENCES_INVALID');
    expect(refusal(cancel.replace(/<references>.*<\/references>/, '<references>bousai@city.nanto.toyama.jp,nanto-2026-0001</references>'))).toBe('ALERT_REFERENCES_INVALID');
    expect(refusal(cancel.replace(/<references>.*<\/references>/, '<references>a,b,yesterday</references>'))).toBe('ALERT_REFERENCES_INVALID');
    expect(refusal(cancel.replace(',nanto-2026-0001,', ',nanto-2026-0003,'))).toBe('ALERT_REFERENCES_INVALID');
  });

  it('unknown enumeration values (ALERT_ENUM_INVALID)', () => {
    expect(refusal(nanto.replace('<status>Actual', '<status>Real'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(nanto.replace('<msgType>Alert', '<msgType>Notice'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(nanto.replace('<urgency>Immediate', '<urgency>Now'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(nanto.replace('<category>Geo', '<category>Landslide'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(nanto.replace('<value>4</value>', '<value>6</value>'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(lAlert.replace('<pcx_eo:Sort>避難指示', '<pcx_eo:Sort>避難命令'))).toBe('ALERT_ENUM_INVALID');
    expect(refusal(lAlert.replace('<pcx_eo:IssueOrLift>発令', '<pcx_eo:IssueOrLift>継続'))).toBe('ALERT_ENUM_INVALID');
  });

  it('unclosed or short polygons (ALERT_POLYGON_INVALID) and bad circles (ALERT_CIRCLE_INVALID)', () => {
    expect(refusal(nanto.replace('36.54,136.86 36.50,136.86</polygon>', '36.54,136.86</polygon>'))).toBe('ALERT_POLYGON_INVALID');
    expect(refusal(nanto.replace(/<polygon>.*<\/polygon>/, '<polygon>36.5,136.8 36.6,136.9 36.5,136.8</polygon>'))).toBe('ALERT_POLYGON_INVALID');
    expect(refusal(nanto.replace('36.50,136.86 36.50,136.92', '136.86,36.50 36.50,136.92'))).toBe('ALERT_POLYGON_INVALID');
    expect(refusal(text('cap-earthquake-update.xml').replace('32.9525,-115.5527 0', '32.9525,-115.5527 -1'))).toBe('ALERT_CIRCLE_INVALID');
    expect(refusal(text('cap-earthquake-update.xml').replace('32.9525,-115.5527 0', '32.9525 0'))).toBe('ALERT_CIRCLE_INVALID');
  });

  it('dates without a time zone (ALERT_DATE_NO_TIMEZONE), `Z` or malformed ones (ALERT_DATE_INVALID)', () => {
    expect(refusal(nanto.replace('<sent>2026-11-30T10:00:00+09:00', '<sent>2026-11-30T10:00:00'))).toBe('ALERT_DATE_NO_TIMEZONE');
    expect(refusal(nanto.replace('<expires>2026-11-30T22:00:00+09:00', '<expires>2026-11-30T22:00:00'))).toBe('ALERT_DATE_NO_TIMEZONE');
    expect(refusal(lAlert.replace('2026-11-30T10:00:00+09:00</edxlde:dateTimeSent>', '2026-11-30T10:00:00</edxlde:dateTimeSent>'))).toBe('ALERT_DATE_NO_TIMEZONE');
    expect(refusal(nanto.replace('<sent>2026-11-30T10:00:00+09:00', '<sent>2026-11-30T01:00:00Z'))).toBe('ALERT_DATE_INVALID');
    expect(refusal(nanto.replace('<sent>2026-11-30T10:00:00+09:00', '<sent>2026-13-30T10:00:00+09:00'))).toBe('ALERT_DATE_INVALID');
  });

  it('incomplete L-Alert templates (ALERT_LALERT_INCOMPLETE)', () => {
    expect(refusal(lAlert.replace('<commons:jisX0402>162108</commons:jisX0402>', '<commons:jisX0402></commons:jisX0402>'))).toBe('ALERT_LALERT_INCOMPLETE');
    expect(refusal(lAlert.replace('<pcx_eo:Sort>避難指示</pcx_eo:Sort>', '<pcx_eo:Sort/>'))).toBe('ALERT_LALERT_INCOMPLETE');
    expect(refusal(lAlert.replace(/<commons:documentID>.*<\/commons:documentID>/, '').replace(/<pcx_ib:documentID>.*<\/pcx_ib:documentID>/, ''))).toBe('ALERT_LALERT_INCOMPLETE');
    expect(refusal(lAlert.replace('<pcx_eb:areaName>井波</pcx_eb:areaName>', '<pcx_eb:areaName> </pcx_eb:areaName>'))).toBe('ALERT_LALERT_INCOMPLETE');
    expect(refusal(lAlert.replace(/<edxlde:senderID>.*<\/edxlde:senderID>/, ''))).toBe('ALERT_LALERT_INCOMPLETE');
  });

  it('bad values, malformed XML and undecodable bytes', () => {
    expect(refusal(nanto.replace('<identifier>nanto-2026-0001', '<identifier>nanto 2026,0001'))).toBe('ALERT_VALUE_INVALID');
    // Longer than a unique key's b-tree entry can hold: refused, not a 500 from the index.
    expect(refusal(nanto.replace('<identifier>nanto-2026-0001', `<identifier>${'x'.repeat(257)}`))).toBe('ALERT_VALUE_INVALID');
    expect(parseAlertDocument(bytes(nanto.replace('<identifier>nanto-2026-0001', `<identifier>${'避'.repeat(256)}`))).identifier).toHaveLength(256);
    expect(refusal(nanto.replace(/<sender>[^<]*/, `<sender>${'s'.repeat(9000)}`))).toBe('ALERT_VALUE_INVALID');
    expect(refusal(lAlert.replace(/<commons:documentID>[^<]*/, `<commons:documentID>${'d'.repeat(3000)}`))).toBe('ALERT_VALUE_INVALID');
    expect(refusal(nanto.replace('5Z+O56uv5bCP5a2m5qChCg==', 'not*base64'))).toBe('ALERT_VALUE_INVALID');
    expect(refusal(nanto.replace('</alert>', ''))).toBe('ALERT_MALFORMED');
    expect(refusal(nanto.replace('<headline>', '<headline><b>'))).toBe('ALERT_MALFORMED');
    expect(refusal(Buffer.concat([Buffer.from(nanto.slice(0, 200)), Buffer.from([0xff, 0xfe]), Buffer.from(nanto.slice(200))]))).toBe('ALERT_ENCODING_UNSUPPORTED');
    expect(refusal(nanto.replace('encoding="UTF-8"', 'encoding="EBCDIC-US"'))).toBe('ALERT_ENCODING_UNSUPPORTED');
    expect(refusal('<html xmlns="http://www.w3.org/1999/xhtml"/>')).toBe('ALERT_FORMAT_UNKNOWN');
  });
});

describe('markup limits, counted before the parser sees the document (a 1 MB document of tiny tags cost it seconds)', () => {
  const nanto = text('cap-multilingual-nanto.xml');
  const lAlert = text('l-alert-v3-bare.xml');

  /** The AppError a document is refused with (fails the test when it is accepted). */
  function refused(doc: string): AppError {
    try {
      parseAlertDocument(bytes(doc));
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
    throw new Error('document was accepted');
  }

  /** The v3 fixture with its first Detail naming `count` 町丁目 (name, municipality code and 12-digit code each). */
  function lAlertWithAreas(count: number): string {
    const areas = Array.from({ length: count }, (_, i) => [
      '<pcx_eo:Area><pcx_eb:Location>',
      `<pcx_eb:areaName>地区${i + 1}</pcx_eb:areaName><pcx_eb:jisX0402>162108</pcx_eb:jisX0402>`,
      `<pcx_eb:ooAzaTyouTyouMokuCode>162108${String(i + 1).padStart(6, '0')}</pcx_eb:ooAzaTyouTyouMokuCode>`,
      '</pcx_eb:Location><pcx_eo:DateTime>2026-11-30T10:00:00+09:00</pcx_eo:DateTime></pcx_eo:Area>',
    ].join('')).join('\n');
    const out = lAlert.replace(/(<pcx_eo:Areas>)[\s\S]*?(<\/pcx_eo:Areas>)/, `$1${areas}$2`);
    expect(out).not.toBe(lAlert);
    return out;
  }

  it('too many tags, too many attributes or too deep: ALERT_TOO_LARGE saying which limit', () => {
    const tags = refused(nanto.replace('</alert>', `${'<a/>'.repeat(MAX_MARKUP)}</alert>`));
    expect([tags.code, tags.details]).toEqual(['ALERT_TOO_LARGE', { limit: 'markup', max: MAX_MARKUP }]);
    const comments = refused(nanto.replace('</alert>', `${'<!---->'.repeat(MAX_MARKUP)}</alert>`));
    expect([comments.code, comments.details]).toEqual(['ALERT_TOO_LARGE', { limit: 'markup', max: MAX_MARKUP }]);
    const manyAttributes = Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => `a${i}=""`).join(' ');
    const attributes = refused(nanto.replace('<headline>', `<headline ${manyAttributes}>`));
    expect([attributes.code, attributes.details]).toEqual(['ALERT_TOO_LARGE', { limit: 'attributes', max: MAX_ATTRIBUTES }]);
    // Unquoted and valueless attributes are counted too: the parser builds them before it complains.
    const bare = refused(nanto.replace('<headline>', `<headline ${'a=b c '.repeat(MAX_ATTRIBUTES / 2 + 1)}>`));
    expect([bare.code, bare.details]).toEqual(['ALERT_TOO_LARGE', { limit: 'attributes', max: MAX_ATTRIBUTES }]);
    const deep = refused(nanto.replace('</alert>', `${'<a>'.repeat(MAX_DEPTH)}${'</a>'.repeat(MAX_DEPTH)}</alert>`));
    expect([deep.code, deep.details]).toEqual(['ALERT_TOO_LARGE', { limit: 'depth', max: MAX_DEPTH }]);
  });

  it('right at the limits the document reaches the parser', () => {
    // <alert> is depth 1: MAX_DEPTH - 1 more levels nest exactly to the limit.
    expect(() => parseXml(nanto.replace('</alert>', `${'<a>'.repeat(MAX_DEPTH - 1)}${'</a>'.repeat(MAX_DEPTH - 1)}</alert>`))).not.toThrow();
    const markupSoFar = (nanto.match(/<[^/]/g) ?? []).length;
    expect(() => parseXml(nanto.replace('</alert>', `${'<a/>'.repeat(MAX_MARKUP - markupSoFar)}</alert>`))).not.toThrow();
  });

  it('a CDATA section, comment or attribute value full of `<` holds no tags', () => {
    const lessThans = '<a/>'.repeat(MAX_MARKUP + 1);
    const instruction = (doc: string) => parseAlertDocument(bytes(doc)).infos[0]!.instruction;
    expect(instruction(nanto.replace('<instruction>', `<instruction><![CDATA[${lessThans}<<<]]>`))).toBe(`${lessThans}<<<危険な場所から全員避難してください。`);
    expect(instruction(nanto.replace('<instruction>', `<instruction><!--${lessThans}-->`))).toBe('危険な場所から全員避難してください。');
    expect(instruction(nanto.replace('<instruction>', `<instruction><?note ${lessThans}?>`))).toBe('危険な場所から全員避難してください。');
    const quoted = ' c="d"/>'.repeat(MAX_ATTRIBUTES + 1); // a `>` and what looks like attributes, inside '…'
    expect(instruction(nanto.replace('<instruction>', `<instruction note='${quoted}'>`))).toBe('危険な場所から全員避難してください。');
  });

  it('unclosed comments, CDATA, processing instructions, tags and stray end tags are malformed', () => {
    const unclosed = [['</alert>', '<!-- no end'], ['</alert>', '<![CDATA[ no end'], ['</alert>', '<?pi no end'], ['<headline>', '<headline note="no end>'], ['<headline>', '<headline <b>']];
    for (const [from, to] of unclosed) expect(refusal(nanto.replace(from!, to!)), to).toBe('ALERT_MALFORMED');
    // Stray end tags must not buy depth for what follows.
    expect(refusal(`${'</a>'.repeat(10)}${nanto.replace(/^<\?xml[^>]*>/, '')}`)).toBe('ALERT_MALFORMED');
  });

  it('a genuine L-Alert naming 3,000 町丁目 is accepted, as is every fixture', () => {
    const big = lAlertWithAreas(3_000);
    expect(Buffer.byteLength(big)).toBeLessThan(DEFAULT_MAX_BYTES);
    const a = parseAlertDocument(bytes(big));
    expect(a.infos[0]!.areas).toHaveLength(3_000);
    expect(a.infos[0]!.areas[2_999]!.geocodes).toEqual([{ valueName: 'jisX0402', value: '162108' }, { valueName: 'ooAzaTyouTyouMokuCode', value: '162108003000' }]);
    expect(parseAlertDocument(bytes(text('l-alert-v4-soap.xml'))).format).toBe('l-alert');
    for (const name of ['cap-homeland-security.xml', 'cap-thunderstorm-prefixed.xml', 'cap-earthquake-update.xml', 'cap-multilingual-nanto.xml',
      'cap-cancel-no-info.xml', 'cap-shift-jis.xml', 'cap-iso-8859-1.xml', 'l-alert-v3-bare.xml']) {
      expect(validateDocument(fixture(name)).ok, name).toBe(true);
    }
  });
});

describe('XXE attempts never read a file or fetch a URL', () => {
  let server: Server;
  let hits = 0;
  let url = '';
  beforeAll(async () => {
    server = createServer((_req, res) => { hits += 1; res.end('<!ENTITY leak "fetched">'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil.dtd`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const externalUrl = () => text('xxe-local-file.xml').replace('file:///etc/passwd', url);

  it('the /etc/passwd and URL entities are refused with ALERT_DTD_REFUSED and nothing is fetched', async () => {
    expect(validateDocument(fixture('xxe-local-file.xml'))).toEqual({ ok: false, code: 'ALERT_DTD_REFUSED' });
    expect(validateDocument(bytes(externalUrl()))).toEqual({ ok: false, code: 'ALERT_DTD_REFUSED' });
    const parameterEntity = text('xxe-local-file.xml').replace(/<!DOCTYPE[^\n]*/, `<!DOCTYPE alert [ <!ENTITY % remote SYSTEM "${url}"> %remote; ]>`);
    expect(validateDocument(bytes(parameterEntity)).code).toBe('ALERT_DTD_REFUSED');
    await new Promise((r) => setImmediate(r));
    expect(hits).toBe(0);
  });

  it('even past the pre-check, the XML parser expands no external entity (defence in depth)', async () => {
    for (const doc of [text('xxe-local-file.xml'), externalUrl()]) {
      let out = '';
      try {
        out = parseXml(doc).documentElement?.textContent ?? '';
      } catch (err) {
        expect((err as AppError).code).toBe('ALERT_MALFORMED');
      }
      expect(out).not.toMatch(/root:|fetched/);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(hits).toBe(0);
  });
});

describe('npm run alerts -- validate FILE', () => {
  const run = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'platform/src/cli/alerts.ts', ...args], { cwd: ROOT });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, stdout: e.stdout };
    }
  };

  it('prints the summary and exits 0 for an accepted document, 1 with the code for a refused one, 2 on usage errors', async () => {
    const ok = await run('validate', join(FIXTURES, 'l-alert-v4-soap.xml'));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true, format: 'l-alert', sender: '162108@publiccommons.ne.jp', identifier: '162108-EO-0001#2', sent: '2026-11-30T11:00:00+09:00',
      msgType: 'Update', status: 'Actual', infos: 2, areas: ['城端', '西上野', '井波'],
    });
    const refused = await run('validate', join(FIXTURES, 'xxe-local-file.xml'));
    expect(refused).toEqual({ code: 1, stdout: `${JSON.stringify({ ok: false, code: 'ALERT_DTD_REFUSED' })}\n` });
    expect((await run('validate')).code).toBe(2);
    expect((await run('validate', join(FIXTURES, 'no-such-file.xml'))).code).toBe(2);
  }, 90_000);
});
