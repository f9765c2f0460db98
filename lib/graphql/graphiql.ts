// GraphiQL, served by Boltrail itself: a small HTML page (GET /graphql from a browser, rendered by
// graphql-yoga through `renderBoltrailGraphiQL`) that loads its scripts, styles and editor workers
// from /graphql/assets/<name>.<hash>.<ext> (app/graphql/assets/[file]/route.ts). The files are
// taken from @graphql-yoga/render-graphiql (which ships them as strings) in memory, named by a hash
// of their content, so they are cached for good (`immutable`) and a new version gets new names;
// nothing comes from a CDN (works offline). Both servers (Next.js and scripts/server.ts) compute
// the same names from the same package and the constants below.
import { createHash } from "node:crypto";
import { css, editorWorkerService, graphqlWorker, js, jsonWorker } from "@graphql-yoga/render-graphiql/graphiql";
import type { GraphiQLOptions } from "graphql-yoga";

/** Where the assets are served. */
export const GRAPHIQL_ASSETS_PATH = "/graphql/assets";

/**
 * The page's own script: Monaco's workers from their files, then GraphiQL with the options of the
 * page — and headers, a query and variables handed over in the URL's fragment by the Developers
 * page (`#headers=…&query=…`; a fragment never reaches a server or its logs), removed from the
 * address bar as soon as they are read. Headers are never persisted in the browser's storage.
 */
const BOOT_JS = `(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var workers = config.workers;
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return workers[label];
    },
  };
  var options = config.options;
  if (location.hash.length > 1) {
    var handed = new URLSearchParams(location.hash.slice(1));
    var headers = handed.get("headers");
    if (headers) {
      options.headers = headers;
      options.initialHeaders = headers;
    }
    if (handed.get("query")) options.query = handed.get("query");
    if (handed.get("variables")) options.variables = handed.get("variables");
    history.replaceState(null, "", location.pathname + location.search);
  }
  var root = document.getElementById("graphiql");
  // GraphiQL's tab bar puts role="tab" on list items that hold the tab's buttons (interactive
  // controls nested in one, which screen readers cannot operate): keep it a plain list of buttons,
  // the active one marked aria-current.
  function plainTabs() {
    root.querySelectorAll('[role="tablist"]').forEach(function (list) {
      list.removeAttribute("role");
    });
    root.querySelectorAll('li.graphiql-tab[role="tab"], li.graphiql-tab[aria-selected]').forEach(function (item) {
      var active = item.getAttribute("aria-selected") === "true" || item.classList.contains("graphiql-tab-active");
      item.removeAttribute("role");
      item.removeAttribute("aria-selected");
      var button = item.querySelector(".graphiql-tab-button");
      if (button) {
        if (active) button.setAttribute("aria-current", "true");
        else button.removeAttribute("aria-current");
      }
    });
  }
  new MutationObserver(plainTabs).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["role", "aria-selected", "class"] });
  window.YogaGraphiQL.renderYogaGraphiQL(root, options);
})();
`;

/**
 * Boltrail's header above GraphiQL (the dashboard's colours: white and gray, indigo accents; dark
 * with the system), and contrast fixes for GraphiQL's own greys so axe finds nothing serious.
 */
const THEME_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: ui-sans-serif, system-ui, sans-serif; background: #f9fafb; color: #111827; }
.br-header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; padding: 0.625rem 1.25rem; background: #fff; border-bottom: 1px solid #e5e7eb; }
.br-brand { display: inline-flex; align-items: center; gap: 0.375rem; font-size: 1.125rem; font-weight: 700; letter-spacing: -0.01em; color: #111827; text-decoration: none; }
.br-brand span { color: #4f46e5; }
.br-title { font-size: 0.875rem; color: #4b5563; }
.br-header nav { margin-left: auto; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.875rem; }
.br-header nav a { color: #4338ca; font-weight: 500; text-decoration: none; border-radius: 0.25rem; }
.br-header a:hover { text-decoration: underline; }
.br-header a:focus-visible { outline: 2px solid #4f46e5; outline-offset: 2px; }
.br-graphiql { flex: 1; min-height: 0; }
.br-graphiql .graphiql-container { height: 100%; }
.br-logo { color: #4f46e5; font-size: 1.5rem; }
/* GraphiQL's title is grey on grey (below 4.5:1): full text colour. */
.graphiql-container .graphiql-logo, .graphiql-container .graphiql-logo .graphiql-logo-link { color: hsl(var(--color-neutral)); }
@media (prefers-color-scheme: dark) {
  body { background: #030712; color: #f3f4f6; }
  .br-header { background: #111827; border-bottom-color: #1f2937; }
  .br-brand { color: #f3f4f6; }
  .br-brand span { color: #818cf8; }
  .br-title { color: #9ca3af; }
  .br-header nav a { color: #a5b4fc; }
  .br-logo { color: #818cf8; }
}
`;

type Asset = { name: string; type: string; body: Buffer<ArrayBuffer> };

function asset(base: string, ext: "js" | "css", text: string): Asset {
  const body = Buffer.from(text, "utf8");
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  return { name: `${base}.${hash}.${ext}`, type: ext === "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", body };
}

let assets: { byName: Map<string, Asset>; urls: Record<"css" | "theme" | "js" | "boot" | "editorWorkerService" | "json" | "graphql", string> } | undefined;

function graphiqlAssets() {
  if (assets) return assets;
  const files = {
    css: asset("graphiql", "css", css),
    theme: asset("boltrail-graphiql", "css", THEME_CSS),
    js: asset("graphiql", "js", js),
    boot: asset("boltrail-graphiql", "js", BOOT_JS),
    editorWorkerService: asset("editor.worker", "js", editorWorkerService),
    json: asset("json.worker", "js", jsonWorker),
    graphql: asset("graphql.worker", "js", graphqlWorker),
  };
  const urls = Object.fromEntries(Object.entries(files).map(([key, a]) => [key, `${GRAPHIQL_ASSETS_PATH}/${a.name}`])) as NonNullable<typeof assets>["urls"];
  assets = { byName: new Map(Object.values(files).map((a) => [a.name, a])), urls };
  return assets;
}

/** JSON inside a `<script type="application/json">`: nothing in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The GraphiQL page (a few KB): Boltrail's header, the stylesheets and scripts by URL, and the
 * options as data. Requests are sent without cookies (`credentials: "omit"`): the API takes its
 * credentials from headers only.
 */
export function renderBoltrailGraphiQL(options: GraphiQLOptions): string {
  const { urls } = graphiqlAssets();
  const title = options.title ?? "Boltrail GraphQL";
  const config = {
    workers: { editorWorkerService: urls.editorWorkerService, json: urls.json, graphql: urls.graphql },
    // The logo is HTML GraphiQL inserts as is: Boltrail's bolt, as in the dashboard.
    options: { ...options, title, logo: '<span class="br-logo" aria-hidden="true">⚡</span>', credentials: "omit", shouldPersistHeaders: false },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${urls.css}">
<link rel="stylesheet" href="${urls.theme}">
<script src="${urls.js}" defer></script>
<script src="${urls.boot}" defer></script>
</head>
<body>
<header class="br-header">
<a class="br-brand" href="/pay"><span aria-hidden="true">⚡</span> Boltrail</a>
<span class="br-title">GraphQL explorer</span>
<nav aria-label="Boltrail"><a href="/pay">Dashboard</a><a href="/graphql/schema.graphql">Schema (SDL)</a></nav>
</header>
<main id="graphiql" class="br-graphiql"><noscript>GraphiQL needs JavaScript. The API itself answers POST /graphql.</noscript></main>
<script type="application/json" id="graphiql-config">${scriptJson(config)}</script>
</body>
</html>
`;
}

/**
 * One asset by file name, or null, cached for a year as immutable (a changed file has a new name).
 * Next.js, which serves the route under both servers, compresses it on the way out (`compress`).
 */
export function graphiqlAsset(name: string): { status: 200; headers: Record<string, string>; body: Buffer<ArrayBuffer> } | null {
  const found = graphiqlAssets().byName.get(name);
  if (!found) return null;
  return {
    status: 200,
    headers: { "content-type": found.type, "cache-control": "public, max-age=31536000, immutable", "cross-origin-resource-policy": "same-origin" },
    body: found.body,
  };
}

/** The asset names (for tests and a warm-up). */
export function graphiqlAssetNames(): string[] {
  return [...graphiqlAssets().byName.keys()];
}
