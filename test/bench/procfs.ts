// What /proc says about a server's processes: CPU time (utime + stime) and
// memory (VmRSS, VmHWM), summed over a process and its descendants (a
// WORKERS primary and its workers).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of utime and stime: 100 nearly everywhere, asked once. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is the state, [1] ppid, [11] utime, [12] stime. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
  } catch {
    return null;
  }
}

/** The process and its descendants. */
export function processTree(pid: number): number[] {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    const parent = found[i] as number;
    let children: number[];
    try {
      children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // No /proc/<pid>/task/<pid>/children on this kernel: scan every process for its parent.
      children = readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .filter((candidate) => statFields(candidate)?.[1] === String(parent));
    }
    for (const child of children) if (!found.includes(child)) found.push(child);
  }
  return found;
}

/** CPU time (user + system) the processes have used so far, milliseconds. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / clockTicks();
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory now, kB, summed. */
export const rssKb = (pids: number[]) => pids.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0);

/** Peak resident memory since start or since resetPeaks, kB, summed over the processes (each one's own peak). */
export const peakRssKb = (pids: number[]) => pids.reduce((sum, pid) => sum + statusKb(pid, 'VmHWM'), 0);

/** Resets VmHWM to the current RSS (clear_refs 5, Linux ≥ 4.0); false where that is not allowed. */
export function resetPeaks(pids: number[]): boolean {
  let all = true;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      all = false;
    }
  }
  return all;
}
