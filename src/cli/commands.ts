/** Every command module; each exports register(program). */
import type { Command } from 'commander';
import { register as initialize } from './initialize.js';
import { register as dkg } from './dkg.js';
import { register as join } from './join.js';
import { register as ceremony } from './ceremony.js';
import { register as sign } from './sign.js';

export const commands: ((p: Command) => void)[] = [initialize, dkg, join, ceremony, sign];
