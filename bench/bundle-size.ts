// Benchmark `bundle-size` (issue 15 §5): the JavaScript a browser downloads to show each page.
//
// Reads the production build (`.next`, or BOLTRAIL_DIST_DIR; build it first with `npx next build`
// or any `npm start`), no server. A route's first-load JS is every script the HTML of that page
// loads: the root main files of build-manifest.json (framework, runtime) plus the entry chunks of
// every segment of the route (layouts, error and not-found boundaries, loading, the page) listed
// in its server/app/…/page_client-reference-manifest.js — each file once, gzip-compressed
// (zlib level 9, as Next.js's own size report did). Polyfills (loaded with `nomodule`, so never by
// a current browser) and chunks fetched later (dynamic imports) are not first-load JS.
//
// Target: every route ≤ 200 kB gzip (kB = 1 000 bytes). Also a correctness check: no chart
// (recharts) code in any route's first load — the reports page loads it after the page.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";
import { fixed, type Benchmark, type BenchmarkReport } from "./lib/benchmark.ts";
import { PROJECT_ROOT } from "./lib/server.ts";

const TARGET_KB = 200;
/** Class names recharts writes into the DOM: present in any chunk that holds its components. */
const CHART_MARKERS = ["recharts-wrapper", "recharts-surface"];

type RouteSize = { route: string; files: string[]; rawBytes: number; gzipBytes: number };

function distDir(): string {
  return path.join(PROJECT_ROOT, process.env.BOLTRAIL_DIST_DIR || ".next");
}

/** server/app/(dashboard)/pay/[environmentId]/page_client-reference-manifest.js → /pay/[environmentId] */
function routeOf(manifestFile: string, appDir: string): string {
  const segments = path
    .relative(appDir, path.dirname(manifestFile))
    .split(path.sep)
    .filter((s) => s !== "" && !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

function findManifests(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findManifests(full, out);
    else if (entry.name === "page_client-reference-manifest.js") out.push(full);
  }
  return out;
}

/** The entry chunks of every segment of one route, from its client reference manifest (a script that assigns globalThis.__RSC_MANIFEST). */
function entryFiles(manifestFile: string): string[] {
  const sandbox: { self?: unknown; globalThis?: unknown; __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
  sandbox.self = sandbox;
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(manifestFile, "utf8"), sandbox, { filename: manifestFile });
  const manifests = Object.values(sandbox.__RSC_MANIFEST ?? {});
  if (manifests.length === 0) throw new Error(`${manifestFile}: no __RSC_MANIFEST`);
  return [...new Set(manifests.flatMap((m) => Object.values(m.entryJSFiles ?? {}).flat()))];
}

const gzipCache = new Map<string, { raw: number; gzip: number; chart: boolean }>();
function measureFile(dist: string, file: string) {
  let m = gzipCache.get(file);
  if (!m) {
    const bytes = fs.readFileSync(path.join(dist, file));
    const text = bytes.toString("utf8");
    m = { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, chart: CHART_MARKERS.some((marker) => text.includes(marker)) };
    gzipCache.set(file, m);
  }
  return m;
}

const kB = (bytes: number) => bytes / 1000;

const benchmark: Benchmark = {
  name: "bundle-size",
  description: "gzip first-load JS per route of the production build (no server), target ≤ 200 kB each",
  async run({ log }): Promise<BenchmarkReport> {
    const dist = distDir();
    const buildManifestFile = path.join(dist, "build-manifest.json");
    if (!fs.existsSync(path.join(dist, "BUILD_ID")) || !fs.existsSync(buildManifestFile)) {
      throw new Error(`no production build in ${path.relative(PROJECT_ROOT, dist) || "."}: run \`npx next build\` first`);
    }
    const notes: string[] = [];
    const problems: string[] = [];
    const builtAt = fs.statSync(path.join(dist, "BUILD_ID")).mtime;
    notes.push(`build ${fs.readFileSync(path.join(dist, "BUILD_ID"), "utf8").trim()} of ${builtAt.toISOString()} (${path.relative(PROJECT_ROOT, dist)})`);
    const newest = newestSource();
    if (newest && newest.mtime > builtAt) notes.push(`sources changed since this build (${path.relative(PROJECT_ROOT, newest.file)}): rebuild for current figures`);

    const buildManifest = JSON.parse(fs.readFileSync(buildManifestFile, "utf8")) as { rootMainFiles?: string[]; polyfillFiles?: string[] };
    const rootMain = buildManifest.rootMainFiles ?? [];
    if (rootMain.length === 0) throw new Error(`${buildManifestFile}: no rootMainFiles (not an App Router build?)`);
    const appDir = path.join(dist, "server", "app");
    log(`reading ${path.relative(PROJECT_ROOT, appDir)}…`);

    const routes: RouteSize[] = findManifests(appDir)
      .map((file) => {
        const files = [...new Set([...rootMain, ...entryFiles(file)])].filter((f) => f.endsWith(".js"));
        let rawBytes = 0;
        let gzipBytes = 0;
        for (const f of files) {
          const m = measureFile(dist, f);
          rawBytes += m.raw;
          gzipBytes += m.gzip;
          if (m.chart) problems.push(`${routeOf(file, appDir)}: chart code (recharts) in its first load (${f})`);
        }
        return { route: routeOf(file, appDir), files, rawBytes, gzipBytes };
      })
      .filter((r) => r.route !== "/_global-error")
      .sort((a, b) => a.route.localeCompare(b.route));
    if (routes.length === 0) throw new Error(`no page_client-reference-manifest.js under ${appDir}`);

    const shared = rootMain.reduce((sum, f) => sum + measureFile(dist, f).gzip, 0);
    const polyfills = (buildManifest.polyfillFiles ?? []).reduce((sum, f) => sum + measureFile(dist, f).gzip, 0);
    notes.push(`shared by every route (root main files): ${fixed(kB(shared))} kB gzip; polyfills (nomodule, not counted): ${fixed(kB(polyfills))} kB gzip`);
    // Chunks no route loads first: dynamic imports. The chart chunks among them, for the record.
    const firstLoad = new Set(routes.flatMap((r) => r.files));
    const chunksDir = path.join(dist, "static", "chunks");
    const lazyChart = fs
      .readdirSync(chunksDir)
      .map((name) => `static/chunks/${name}`)
      .filter((f) => f.endsWith(".js") && !firstLoad.has(f) && measureFile(dist, f).chart);
    if (lazyChart.length) {
      const size = lazyChart.reduce((sum, f) => sum + measureFile(dist, f).gzip, 0);
      notes.push(`chart code loaded after the reports page: ${lazyChart.length} chunk(s), ${fixed(kB(size))} kB gzip (${lazyChart.join(", ")})`);
    } else {
      notes.push("no lazily loaded chart chunk found");
    }

    const largest = routes.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a));
    const target = { description: `largest first-load JS (${largest.route}) ≤ ${TARGET_KB} kB gzip`, value: kB(largest.gzipBytes), threshold: TARGET_KB, met: kB(largest.gzipBytes) <= TARGET_KB };
    for (const r of routes) if (kB(r.gzipBytes) > TARGET_KB) notes.push(`over target: ${r.route} ${fixed(kB(r.gzipBytes))} kB`);

    return {
      tables: [
        {
          title: "first-load JS per route",
          table: {
            columns: ["route", "files", "raw kB", "gzip kB"],
            rows: routes.map((r) => [r.route, r.files.length, fixed(kB(r.rawBytes)), fixed(kB(r.gzipBytes))]),
          },
        },
      ],
      target,
      problems,
      notes,
      data: { routes: routes.map((r) => ({ route: r.route, files: r.files, rawBytes: r.rawBytes, gzipBytes: r.gzipBytes })), sharedGzipBytes: shared, lazyChartChunks: lazyChart },
    };
  },
};

/** The most recently modified source file that goes into the build (a hint that the build is stale). */
function newestSource(): { file: string; mtime: Date } | null {
  let newest: { file: string; mtime: Date } | null = null;
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|css)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const mtime = fs.statSync(full).mtime;
        if (!newest || mtime > newest.mtime) newest = { file: full, mtime };
      }
    }
  };
  for (const dir of ["app", "components", "lib"]) walk(path.join(PROJECT_ROOT, dir));
  return newest;
}

export default benchmark;
