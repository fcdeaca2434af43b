// Preloaded by scripts/bench.js (NODE_OPTIONS=--require) into every Node process of a sample,
// including the processes that npx and cdk8s synth spawn, which the bench cannot reach otherwise.
// Each job is off unless its env var is set, so an unprobed run pays nothing but this require.
'use strict';
const fs = require('fs');
const path = require('path');

// Peak RSS and CPU time, for machines without /usr/bin/time. One line per process: the bench
// takes the largest RSS and sums the CPU, which is what `time` reports for a process tree.
const rusageFile = process.env.BENCH_RUSAGE_FILE;
if (rusageFile) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.appendFileSync(rusageFile, `${JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })}\n`);
  });
}

// A CPU profile of the whole process. Node 20 refuses --cpu-prof in NODE_OPTIONS; the inspector
// gives the same profile, and posting to an in-process session completes synchronously, so the
// profile can still be written from the exit handler.
const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
if (profileDir) {
  const inspector = require('inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) fs.writeFileSync(path.join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

// CPU per thread of the process, from /proc (Linux): the main thread, where the app runs, and the
// rest, V8's background threads (the optimizing compiler, GC helpers). One line per process.
const threadsFile = process.env.BENCH_THREADS_FILE;
if (threadsFile && fs.existsSync('/proc/self/task')) {
  process.on('exit', () => {
    let mainMs = 0;
    let otherMs = 0;
    for (const tid of fs.readdirSync('/proc/self/task')) {
      let stat;
      try {
        stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf-8');
      } catch {
        continue; // the thread ended meanwhile
      }
      // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th, in clock ticks of 10 ms.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (Number(tid) === process.pid) mainMs += ms;
      else otherMs += ms;
    }
    fs.appendFileSync(threadsFile, `${JSON.stringify({ mainMs, otherMs })}\n`);
  });
}
