// CPU time from /proc, for runs on a small shared machine: the whole machine (/proc/stat) and the
// driver's own process tree grouped by command (browsers, Payara Micro, PulseAudio, the driver with
// its bots), so a report can say who used the cores.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  return { busy: cpu.reduce((a, b) => a + b, 0) - idle, total: cpu.reduce((a, b) => a + b, 0) };
}

function processes() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // Fields after comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
      out.set(Number(name), { pid: Number(name), comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** A snapshot: machine ticks and, per command, the ticks of this process and all its descendants. */
export function cpuSnapshot(root = process.pid) {
  const all = processes();
  const children = new Map();
  for (const p of all.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const groups = {};
  const walk = (p) => {
    const group = /^(chrom|headless)/i.test(p.comm) ? 'chromium'
      : /firefox|Web Content|WebExtensions|Isolated|Socket Process|RDD|Utility|Privileged|GeckoMain/i.test(p.comm) ? 'firefox'
        : p.comm === 'java' ? 'payara' : /pulse|paplay/.test(p.comm) ? 'pulseaudio' : p.pid === root ? 'driver+bots' : p.comm;
    groups[group] = (groups[group] ?? 0) + p.ticks;
    for (const c of children.get(p.pid) ?? []) walk(c);
  };
  const me = all.get(root);
  if (me) walk(me);
  return { at: Date.now(), machine: machineTicks(), groups };
}

/** Per group, the % of one core used between two snapshots; the machine's busy % of all cores. */
export function cpuBetween(a, b) {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
  const groups = {};
  let ours = 0;
  for (const [name, ticks] of Object.entries(b.groups)) {
    const d = ticks - (a.groups[name] ?? 0);
    groups[name] = pct(d);
    ours += d;
  }
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  return {
    seconds: Math.round(seconds),
    // % of one core, per group of this driver's process tree (exited processes are not counted).
    oursPctOfOneCore: groups,
    oursTotalPctOfOneCore: pct(ours),
    machineBusyPctOfAllCores: total > 0 ? Math.round((1000 * busy) / total) / 10 : null,
    // What the rest of the machine (other work) used: machine busy minus ours, % of one core.
    machineBusyPctOfOneCore: pct(busy),
    othersPctOfOneCore: pct(Math.max(0, busy - ours)),
  };
}

/**
 * CPU time in nanoseconds of the threads of process `pid` named `name` (their `comm`), from schedstat's
 * time on the CPU (exact, unlike the 10 ms ticks of stat); null if there is no such thread.
 */
export function threadCpuNs(pid, name) {
  let ns = 0;
  let found = false;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() !== name) continue;
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      found = true;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return found ? ns : null;
}
