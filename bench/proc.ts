import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What Linux's /proc says about CPU time and memory. Every reader answers undefined where there is no /proc. */

/** VmRSS and VmHWM from /proc/<pid>/status, in MiB; undefined where there is no /proc. */
export function readProcessMemory(pid: number): { rssMiB: number; peakRssMiB: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  };
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  if (rss === undefined) return undefined;
  return { rssMiB: rss / 1024, peakRssMiB: (peak ?? rss) / 1024 };
}

let clockTicks: number | undefined;

/** utime + stime of every thread of the process, from /proc/<pid>/stat; undefined where there is no /proc. */
export function readProcessCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / ticksPerSecond();
}

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time the whole machine spent busy (every core; not idle, not iowait), from the first line of /proc/stat. */
export function readHostBusySeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/);
  if (fields[0] !== 'cpu') return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user, nice, system, , , irq, softirq, steal] = fields.slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return Number.isFinite(busy) ? busy / ticksPerSecond() : undefined;
}

/**
 * CPU seconds used so far by all live processes whose command name (/proc/<pid>/comm) is one of
 * `names`, summed per name (e.g. postgres, java for Kafka, redis-server). Processes that exited
 * meanwhile take their time with them: a phase's difference is a lower bound.
 */
export function readCpuSecondsByCommand(names: string[]): Record<string, number> {
  const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return totals;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!(name in totals)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) totals[name] += ticks / ticksPerSecond();
  }
  return totals;
}
