#!/usr/bin/env node
// trust-server spawns `info`, `get-nonce` and `sign` per request: they skip the commander program
// and load only what signing needs (src/server/cli.ts). Everything else is the full program.
const argv = process.argv.slice(2);
const serverCommand = ['info', 'get-nonce', 'sign'].includes(argv[0]);
const { main } = serverCommand ? await import('../lib/server/cli.js') : await import('../lib/cli/main.js');

process.exitCode = await main(argv);
