#!/usr/bin/env node
// The CLI runs from its bundle, lib/bundle/ (scripts/bundle-cli.js, part of `npm run build`): one
// file per command instead of some 140 modules, which is most of a command's start-up
// (docs/benchmarks.md). trust-server spawns `info`, `get-nonce` and `sign` per request: they skip
// the commander program and load only what signing needs (src/server/cli.ts).
const argv = process.argv.slice(2);
const serverCommand = ['info', 'get-nonce', 'sign'].includes(argv[0]);
const { main } = serverCommand ? await import('../lib/bundle/server.js') : await import('../lib/bundle/cli.js');

process.exitCode = await main(argv);
