import type { LoadWorkerData, PhaseArgs, PhaseResult } from './login-load-worker.js';
import type { LoginWorld } from './login-world.js';
import { startTsWorker, WorkerRpc } from './ts-worker.js';

/**
 * The login load generator (login-load-worker.ts) on its own thread, playing a login world's TVs:
 * the part of the login benchmark that other benchmarks reuse to put logins/s beside their figure
 * in the same run (pension).
 */
export class LoginLoad {
  private constructor(readonly rpc: WorkerRpc) {}

  /** Starts the worker with sockets for at most `maxSockets` concurrent iterations per origin. */
  static async start(world: LoginWorld, maxSockets: number): Promise<LoginLoad> {
    const data: LoadWorkerData = {
      platformUrl: world.platformUrl, bareUrl: world.bareUrl, maxSockets,
      people: world.people.map(({ device, personId, certificate, authKey }) => ({ device, personId, certificate, authKey })),
    };
    const load = new LoginLoad(new WorkerRpc(startTsWorker(new URL('./login-load-worker.ts', import.meta.url), data)));
    await load.rpc.call('ping');
    return load;
  }

  /** One phase; any failed iteration fails it (with the first errors). */
  async run(args: PhaseArgs): Promise<PhaseResult> {
    const result = await this.rpc.call<PhaseResult>('run', args);
    if (result.failed) {
      throw new Error(`${args.kind} phase failed (${result.failed} error(s), ${result.completed} ok):\n  ${result.errors.join('\n  ')}`);
    }
    return result;
  }

  /**
   * Warms up both paths (JIT, pools, caches, sockets) for `seconds`, learns the login rate, then
   * gives every TV enough signed challenges for a measured 'ahead' login phase of `phaseSeconds`
   * (each login then issues one and uses one, so the stock holds). The warm-up rate is a floor (its
   * TVs mostly signed in the loop), hence the margin.
   */
  async warmUp(opts: { seconds: number; phaseSeconds: number; concurrency: number; people: number }): Promise<{ rate: number; signedInline: number; stock: number }> {
    await this.rpc.call('prime', 20);
    await this.run({ kind: 'bare', seconds: Math.min(opts.seconds, 3), concurrency: opts.concurrency });
    const w = await this.run({ kind: 'login', seconds: opts.seconds, concurrency: opts.concurrency, signing: 'ahead' });
    const rate = w.completed / (w.elapsedMs / 1000);
    const stock = await this.rpc.call<number>('prime', Math.ceil((rate * 2.5 * opts.phaseSeconds) / opts.people) + 20);
    return { rate, signedInline: w.signedInline, stock };
  }

  async close(): Promise<void> {
    await this.rpc.call('close').catch(() => {});
    await this.rpc.worker.terminate();
  }
}
