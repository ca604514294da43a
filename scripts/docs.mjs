#!/usr/bin/env node
// Regenerates the command reference in README.md from the commander definitions (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { renderReference, spliceReference } from '../dist/cli/reference.js';

const readme = readFileSync('README.md', 'utf8');
const next = spliceReference(readme, renderReference(buildProgram(() => async () => {})));
if (next !== readme) writeFileSync('README.md', next);
console.error(next === readme ? 'README.md command reference is up to date' : 'README.md command reference updated');
