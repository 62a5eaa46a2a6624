import { createServer, type Server } from 'node:http';
import { answerTimestampRequest } from '../evidence/index.js';
import { serviceCredentials } from './services.js';

/**
 * The dev center's timestamp authority over HTTP (RFC 3161 §3.4): POST a DER TimeStampReq with
 * content type application/timestamp-query to any path, get application/timestamp-reply back.
 * Serials count up from the start time; the clock is the machine's (or `now` in tests).
 */
export async function startTsaServer(opts: { dir: string; port: number; host?: string; now?: () => Date }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const creds = await serviceCredentials(opts.dir);
  let serial = BigInt(Date.now()) * 1000n;
  const signer = { key: creds.tsa.key, certificate: new Uint8Array(creds.tsa.certificate), nextSerial: () => ++serial, now: opts.now ?? (() => new Date()) };
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('POST application/timestamp-query\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const answer = answerTimestampRequest(new Uint8Array(Buffer.concat(chunks)), signer);
      res.writeHead(200, { 'content-type': 'application/timestamp-reply', connection: 'close' }).end(Buffer.from(answer));
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { server, url: `http://${opts.host ?? '127.0.0.1'}:${port}/tsa`, close: () => new Promise((r) => server.close(() => r())) };
}
