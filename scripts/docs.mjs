#!/usr/bin/env node
// Regenerates the README's generated parts (run after `npm run build`): the command reference from
// the commander definitions, and the JSON output table from src/cli/json-reference.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { renderReference, spliceBetween, spliceReference } from '../dist/cli/reference.js';
import { JSON_TABLE_END, JSON_TABLE_START, renderJsonTable } from '../dist/cli/json-reference.js';

const readme = readFileSync('README.md', 'utf8');
const withReference = spliceReference(readme, renderReference(buildProgram(() => async () => {})));
const next = spliceBetween(withReference, JSON_TABLE_START, JSON_TABLE_END, renderJsonTable());
if (next !== readme) writeFileSync('README.md', next);
console.error(next === readme ? 'README.md command reference and JSON table are up to date' : 'README.md command reference or JSON table updated');
