#!/usr/bin/env node
// Entry point of the `flowsight` CLI: loads the TypeScript sources through tsx so the CLI and the app share lib/.
import { tsImport } from 'tsx/esm/api';

// `flowsight observe | head` closes the pipe early: that is a normal way to stop, not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await tsImport('./cli.ts', import.meta.url);
process.exitCode = await main(process.argv);
