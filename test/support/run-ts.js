// Runs a TypeScript file in a child process the way jest does (SWC, CommonJS), for tests
// that need a real separate process to kill. Usage: node test/support/run-ts.js file.ts
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const swcrc = JSON.parse(readFileSync(join(__dirname, '../../.swcrc'), 'utf8'));
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcrc, filename, swcrc: false });
  module._compile(code, filename);
};
require(resolve(process.argv[2]));
