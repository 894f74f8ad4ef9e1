import type { Command } from 'commander';
import { register as demoRelay } from './demo-relay';
import { register as observe } from './observe';
import { register as evaluate } from './evaluate';
import { register as findings } from './findings';
import { register as query } from './query';
import { register as simulate } from './simulate';
import { register as recommend } from './recommend';
import { register as report } from './report';

/** Every subcommand registers itself on the program; add new ones here. */
export const commands: ((program: Command) => void)[] = [demoRelay, observe, evaluate, findings, query, simulate, recommend, report];
