import type { Command } from 'commander';
import { register as demoRelay } from './demo-relay';

/** Every subcommand registers itself on the program; add new ones here. */
export const commands: ((program: Command) => void)[] = [demoRelay];
