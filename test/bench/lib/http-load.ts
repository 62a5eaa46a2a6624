import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A small closed-loop HTTP load generator: a fixed number of in-flight iterations over keep-alive
 * sockets (node:http Agent), for a fixed number of seconds. Used by the login benchmark for both
 * the platform and the bare-Fastify baseline, so both see exactly the same client.
 */

export interface HttpResponse {
  status: number;
  body: string;
}

/** POSTs JSON to one origin over a keep-alive agent with at most `maxSockets` connections. */
export class KeepAliveClient {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(origin: string, maxSockets: number) {
    const url = new URL(origin);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  post(path: string, body: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.#host,
          port: this.#port,
          path,
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Open sockets (to check keep-alive really held: it should equal the concurrency). */
  get socketCount(): number {
    const count = (table: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(table).reduce((n, list) => n + (list?.length ?? 0), 0);
    return count(this.#agent.sockets) + count(this.#agent.freeSockets);
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Records one latency sample (milliseconds) under a name. */
export type Recorder = (name: string, ms: number) => void;

export interface LoadResult {
  /** Iterations that completed without throwing. */
  completed: number;
  /** From the start until the last in-flight iteration finished. */
  elapsedMs: number;
  /** The first few failures (an iteration that throws is a failure; the run stops at the first). */
  errors: string[];
  failed: number;
  /** Latency samples by name, in milliseconds. */
  samples: Record<string, number[]>;
}

/**
 * Runs `iteration` in `concurrency` independent loops for `seconds`: each loop starts its next
 * iteration as soon as the previous one finished (closed loop). Iterations in flight at the deadline
 * finish and count; the first failure stops every loop.
 */
export async function closedLoop(opts: {
  concurrency: number;
  seconds: number;
  iteration: (slot: number, record: Recorder) => Promise<void>;
}): Promise<LoadResult> {
  const samples: Record<string, number[]> = {};
  const record: Recorder = (name, ms) => (samples[name] ??= []).push(ms);
  const errors: string[] = [];
  let completed = 0;
  let failed = 0;
  const start = performance.now();
  let deadline = start + opts.seconds * 1000;
  const loop = async (slot: number) => {
    while (performance.now() < deadline) {
      try {
        await opts.iteration(slot, record);
        completed++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
        deadline = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, slot) => loop(slot)));
  return { completed, elapsedMs: performance.now() - start, errors, failed, samples };
}
