/**
 * The baseline of `npm run bench -- alerts`, in a process of its own (one per platform process):
 * a bare `ws` server that, told to, sends one payload to every connection it holds and reports
 * the wall-clock time it began. What the TVs answer it reads and drops (ws reads every frame). In its own process it has the whole descriptor limit for its
 * sockets, as a platform process has (in the bench's process, beside the database and the first
 * platform, 20,000 sockets did not fit: 19,960 connected).
 */
import { WebSocketServer, type WebSocket } from 'ws';

/** `greet`: from now on, each new connection is sent `payload` at once (the baseline of TVs reconnecting together). */
export type BareCommand = { do: 'broadcast'; payload: string } | { do: 'greet'; payload: string } | { do: 'count' } | { do: 'close' };
export type BareReport = { done: 'listening' } | { done: 'count'; count: number } | { done: 'broadcast'; startedAt: number } | { done: 'greeting' } | { done: 'closed' };

const now = () => performance.timeOrigin + performance.now();
const reply = (r: BareReport) => process.send!(r);
const server = new WebSocketServer({ port: Number(process.env.BENCH_BARE_PORT), host: '127.0.0.1', perMessageDeflate: false });
let clients: WebSocket[] = [];
let greeting: string | null = null;
server.on('connection', (ws) => {
  clients.push(ws);
  if (greeting !== null) ws.send(greeting);
});
server.once('listening', () => reply({ done: 'listening' }));

process.on('message', (cmd: BareCommand) => {
  switch (cmd.do) {
    case 'count':
      return reply({ done: 'count', count: clients.length });
    case 'broadcast': {
      const startedAt = now();
      for (const ws of clients) ws.send(cmd.payload);
      return reply({ done: 'broadcast', startedAt });
    }
    case 'greet':
      // The connections of the broadcast are closed by then (the TVs' side closes them); new ones are greeted.
      clients = clients.filter((ws) => ws.readyState === ws.OPEN);
      greeting = cmd.payload;
      return reply({ done: 'greeting' });
    case 'close':
      for (const ws of clients) ws.terminate();
      server.close(() => {
        reply({ done: 'closed' });
        process.exit(0);
      });
  }
});
