// Preloaded into the server's Node processes (NODE_OPTIONS=--import) when BENCH_CPU_PROF is set:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler through the
// inspector and writes <BENCH_CPU_PROF>/<name>-<pid>.cpuprofile when the process exits (the launcher
// stops `next start` with SIGTERM, which Next.js answers with process.exit).
import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  const name = process.argv.includes("start") && /next/.test(process.argv[1] ?? "") ? "next-start" : path.basename(process.argv[1] ?? "node");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // Same-thread inspector sessions answer synchronously, so this works in an `exit` handler.
    session.post("Profiler.stop", (error, result) => {
      if (error || !result) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on("exit", write);
}
