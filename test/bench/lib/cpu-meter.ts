import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';

/**
 * Who used the CPU during a phase: this process (servers on the main thread, the load generator
 * on its worker thread, the libuv pool), each thread's event-loop utilisation, and the whole
 * machine from /proc/stat, so what is neither (PostgreSQL's backends) shows as the difference.
 */
interface Snapshot {
  at: number;
  /** CPU seconds so far of the extra processes (PostgreSQL backends), by pid. */
  extra: Map<number, number>;
  cpu: NodeJS.CpuUsage;
  main: EventLoopUtilization;
  worker: EventLoopUtilization;
  machine: { busy: number; total: number; cpus: number } | null;
}

export interface CpuReport {
  /** Cores' worth of CPU used by this process (all threads). */
  processCores: number;
  /** Cores' worth used by the extra processes named by `extraPids` (PostgreSQL backends), if any. */
  extraCores: number | null;
  /** Cores' worth used by the whole machine, and by everything but this process. */
  machineCores: number | null;
  otherCores: number | null;
  /** Event-loop utilisation (0..1) of the server thread and of the load generator thread. */
  serverElu: number;
  clientElu: number;
  cores: number;
}

function machineTicks(): { busy: number; total: number; cpus: number } | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const v = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total, cpus: lines.filter((l) => /^cpu\d/.test(l)).length };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null when gone. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export class CpuMeter {
  #start!: Snapshot;
  /**
   * @param extraPids processes whose CPU to count apart (the PostgreSQL backends serving this
   * run), asked at each snapshot
   */
  constructor(private readonly worker: Worker, private readonly extraPids: (() => Promise<number[]>) | null = null) {}

  async #snap(): Promise<Snapshot> {
    const extra = new Map<number, number>();
    for (const pid of (await this.extraPids?.()) ?? []) {
      const s = processCpuSeconds(pid);
      if (s !== null) extra.set(pid, s);
    }
    return { at: performance.now(), extra, cpu: process.cpuUsage(), main: performance.eventLoopUtilization(), worker: this.worker.performance.eventLoopUtilization(), machine: machineTicks() };
  }

  /** Figures since the last `reset`. */
  async read(): Promise<CpuReport> {
    const end = await this.#snap();
    const s = this.#start;
    const wallUs = (end.at - s.at) * 1000;
    const cpuUs = end.cpu.user - s.cpu.user + end.cpu.system - s.cpu.system;
    const cores = availableParallelism();
    let machineCores: number | null = null;
    if (end.machine && s.machine) {
      const dTotal = end.machine.total - s.machine.total;
      machineCores = dTotal > 0 ? ((end.machine.busy - s.machine.busy) / dTotal) * end.machine.cpus : null;
    }
    const processCores = cpuUs / wallUs;
    let extraCores: number | null = null;
    if (this.extraPids) {
      let seconds = 0;
      // A backend that started during the phase counts whole (it is young); one that ended is lost.
      for (const [pid, cpu] of end.extra) seconds += cpu - (s.extra.get(pid) ?? 0);
      extraCores = seconds / (wallUs / 1e6);
    }
    return {
      processCores,
      extraCores,
      machineCores,
      otherCores: machineCores === null ? null : Math.max(0, machineCores - processCores),
      serverElu: performance.eventLoopUtilization(end.main, s.main).utilization,
      clientElu: this.worker.performance.eventLoopUtilization(end.worker, s.worker).utilization,
      cores,
    };
  }

  async reset(): Promise<void> {
    this.#start = await this.#snap();
  }
}

/** Cores' worth of CPU the whole machine used over `ms` (before the run: is anything else busy?). */
export async function machineBusyCores(ms: number): Promise<number | null> {
  const a = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineTicks();
  if (!a || !b || b.total === a.total) return null;
  return ((b.busy - a.busy) / (b.total - a.total)) * b.cpus;
}
