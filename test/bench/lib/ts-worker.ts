import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running a TypeScript module. Workers do not get tsx's loader from
 * `tsx run.ts` (it hooks the main thread only), so the worker registers it first and then imports
 * the module. Works as well under `node --import tsx` (registering twice is harmless).
 */
export function startTsWorker(module: URL, workerData: unknown): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })` +
    `.catch((err) => { console.error(err); process.exit(1); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Request/response over a worker's message port: `call(cmd, args)` resolves with its reply. */
export class WorkerRpc {
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly worker: Worker) {
    worker.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
    const failAll = (err: Error) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`load worker exited (${code})`)));
  }

  call<T>(cmd: string, args: unknown = null): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, cmd, args });
    });
  }
}
