#!/usr/bin/env node
// Validate AsyncAPI documents with the official AsyncAPI parser.
//
// Usage: node tools/asyncapi/validate.mjs FILE...
//
// Prints every diagnostic as `FILE:LINE:COL: severity: code: message` (1-based line and column)
// and exits 1 when any diagnostic is an error, 2 on a usage error, 0 otherwise.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';

import { Parser } from '@asyncapi/parser';

// Spectral's DiagnosticSeverity: Error = 0, Warning = 1, Information = 2, Hint = 3.
const SEVERITIES = ['error', 'warning', 'info', 'hint'];

function severityName(severity) {
  return SEVERITIES[severity] ?? `severity-${severity}`;
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

function formatDiagnostic(file, diagnostic) {
  // A diagnostic raised in another file (an external $ref) names that file in `source`.
  const where =
    diagnostic.source && path.resolve(diagnostic.source) !== path.resolve(file)
      ? path.relative(process.cwd(), diagnostic.source)
      : file;
  const start = diagnostic.range?.start ?? { line: 0, character: 0 };
  const pointer = diagnostic.path?.length ? ` (at /${diagnostic.path.join('/')})` : '';
  return (
    `${where}:${start.line + 1}:${start.character + 1}: ` +
    `${severityName(diagnostic.severity)}: ${diagnostic.code}: ` +
    `${oneLine(diagnostic.message)}${pointer}`
  );
}

async function validateFile(parser, file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.log(`${file}:1:1: error: read-error: ${oneLine(err.message)}`);
    return 1;
  }
  const { document, diagnostics } = await parser.parse(text, { source: path.resolve(file) });
  let errors = 0;
  const sorted = [...diagnostics].sort(
    (a, b) =>
      (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0) ||
      (a.range?.start.character ?? 0) - (b.range?.start.character ?? 0),
  );
  for (const diagnostic of sorted) {
    console.log(formatDiagnostic(file, diagnostic));
    if (diagnostic.severity === 0) errors += 1;
  }
  if (document === undefined && errors === 0) {
    // The parser gave up without saying why; never report such a document as valid.
    console.log(`${file}:1:1: error: not-parsed: the parser returned no document`);
    errors += 1;
  }
  return errors;
}

async function main(argv) {
  const files = argv.slice(2);
  if (files.length === 0 || files.includes('-h') || files.includes('--help')) {
    console.error('usage: node validate.mjs FILE...');
    return 2;
  }
  const parser = new Parser();
  let errors = 0;
  for (const file of files) {
    errors += await validateFile(parser, file);
  }
  return errors > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv);
