import { readdirSync, readFileSync } from 'node:fs';
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
  /** CPU seconds so far of the extra processes (PostgreSQL), if measured. */
  extra: number | null;
  cpu: NodeJS.CpuUsage;
  main: EventLoopUtilization;
  worker: EventLoopUtilization;
  machine: { busy: number; total: number; cpus: number } | null;
}

export interface CpuReport {
  /** Cores' worth of CPU used by this process (all threads). */
  processCores: number;
  /** Cores' worth used by the extra processes `extraCpuSeconds` measures (PostgreSQL), if any. */
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
/** Fields of /proc/PID/stat after the command name: [0] is field 3 (state), [1] the parent pid. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU seconds so far of a whole server process tree one level deep, such as PostgreSQL's: the
 * parent, its live children (backends, WAL writer…), and its children that have exited (the
 * kernel adds those to the parent's cutime/cstime), so a backend that comes and goes mid-phase
 * still counts.
 */
export function processTreeCpuSeconds(parentPid: number): number {
  const parent = statFields(parentPid);
  if (!parent) return 0;
  let ticks = Number(parent[11]) + Number(parent[12]) + Number(parent[13]) + Number(parent[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === parentPid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLOCK_TICKS;
}

/** The parent process of `pid` (PostgreSQL's postmaster, given a backend's pid). */
export function parentPid(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}
/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export class CpuMeter {
  #start!: Snapshot;
  /**
   * @param extraCpuSeconds CPU seconds so far of processes to count apart (PostgreSQL), asked at
   * each snapshot
   */
  constructor(private readonly worker: Worker, private readonly extraCpuSeconds: (() => number) | null = null) {}

  async #snap(): Promise<Snapshot> {
    const extra = this.extraCpuSeconds?.() ?? null;
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
    const extraCores = end.extra === null || s.extra === null ? null : (end.extra - s.extra) / (wallUs / 1e6);
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
