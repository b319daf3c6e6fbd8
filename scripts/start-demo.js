#!/usr/bin/env node
/*
 * `yarn start`: the demo's environments (scripts/demo-environments.js) and
 * Backstage (`backstage-cli repo start`, with every argument passed through,
 * e.g. `yarn start --config app-config.yaml --config app-config.postgres.yaml`).
 *
 * Signals are forwarded to both; when either exits, the other is stopped and
 * this process exits with the first one's code. `yarn start:backstage` starts
 * Backstage alone.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cli = require.resolve('@backstage/cli/bin/backstage-cli', {
  paths: [root],
});

const children = [
  spawn(process.execPath, [path.join(__dirname, 'demo-environments.js')], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(process.execPath, [cli, 'repo', 'start', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  }),
];

let exiting = false;
function stopAll(signal) {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  }
}

for (const child of children) {
  child.on('exit', (code, signal) => {
    if (!exiting) {
      exiting = true;
      process.exitCode = code ?? (signal ? 1 : 0);
      stopAll('SIGTERM');
    }
    if (children.every(c => c.exitCode !== null || c.signalCode !== null)) {
      process.exit();
    }
  });
  child.on('error', error => {
    console.error(`start-demo: ${error.message}`);
    process.exitCode = 1;
    stopAll('SIGTERM');
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    exiting = true;
    stopAll(signal);
  });
}
