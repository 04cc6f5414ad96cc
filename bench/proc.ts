import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/** The process listening on a TCP port of this machine (IPv4 or IPv6), found through /proc/net/tcp* and the processes' fds. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; field 10 is the socket's inode.
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (parseInt(fields[1].split(':')[1], 16) === port) inodes.add(`socket:[${fields[9]}]`);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        // The fd closed meanwhile.
      }
    }
  }
  return undefined;
}

/** A process and all its descendants alive now (e.g. a PostgreSQL postmaster and its backends). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Exited meanwhile.
    }
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

/**
 * CPU seconds used so far by a process and its live descendants. A descendant that exited took
 * its time with it unless the parent reaped it (then it is in the parent's cutime/cstime, which
 * this adds): PostgreSQL reaps its backends, so their time stays counted.
 */
export function readTreeCpuSeconds(root: number): number | undefined {
  const own = readProcessCpuSeconds(root);
  if (own === undefined) return undefined;
  let total = own + (readReapedChildrenCpuSeconds(root) ?? 0);
  for (const pid of processTree(root).slice(1)) total += readProcessCpuSeconds(pid) ?? 0;
  return total;
}

function readReapedChildrenCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond(); // cutime, cstime (fields 16, 17)
  } catch {
    return undefined;
  }
}
