#!/usr/bin/env node
// Entry point of the `flowsight` CLI: loads the TypeScript sources through tsx so the CLI and the app share lib/.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./cli.ts', import.meta.url);
process.exitCode = await main(process.argv);
