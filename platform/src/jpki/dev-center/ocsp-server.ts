import { createServer, type Server } from 'node:http';
import { OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from '../ocsp/request.js';
import { answerFromCenter, centerResponders } from './ocsp-responder.js';
import { loadState } from './store.js';

/** Options of the dev OCSP server. */
export interface OcspServerOptions {
  dir: string;
  port: number;
  host?: string;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** thisUpdate → nextUpdate of each answer; default one hour. */
  validityMs?: number;
}

const MAX_REQUEST_BYTES = 16 * 1024;

/**
 * The dev center's OCSP responder over HTTP (RFC 6960 Appendix A): POST application/ocsp-request
 * to any path, or GET /<base64 request>. The center's state is read per request, so a `revoke`
 * from the CLI shows at once, as OCSP promises and a CRL does not.
 */
export async function startOcspServer(opts: OcspServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const responders = await centerResponders(opts.dir);
  const now = opts.now ?? (() => new Date());
  const validityMs = opts.validityMs ?? 3600_000;
  const answer = async (der: Uint8Array) => answerFromCenter(der, await loadState(opts.dir), responders, now(), validityMs);
  const server = createServer((req, res) => {
    const send = (body: Uint8Array) => res.writeHead(200, { 'content-type': OCSP_RESPONSE_TYPE, 'content-length': body.length }).end(Buffer.from(body));
    const fail = () => res.writeHead(500, { 'content-type': 'text/plain' }).end('OCSP responder failed\n');
    if (req.method === 'GET' && req.url && req.url.length > 1) {
      answer(Buffer.from(decodeURIComponent(req.url.slice(req.url.lastIndexOf('/') + 1)), 'base64')).then(send, fail);
      return;
    }
    if (req.method !== 'POST' || req.headers['content-type'] !== OCSP_REQUEST_TYPE) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`POST ${OCSP_REQUEST_TYPE}\n`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => void answer(Buffer.concat(chunks)).then(send, fail));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { server, url: `http://${opts.host ?? '127.0.0.1'}:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
