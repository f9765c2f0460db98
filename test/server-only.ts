// Stand-in for the `server-only` package under vitest (the real one throws outside a React Server
// Components build). Aliased in vitest.config.ts.
export {};
