/*
 * The end-to-end suite (`yarn test:e2e`): Playwright drives Chromium against
 * the built app served by the backend, on loopback. See e2e/README.md.
 */
import { defineConfig } from '@playwright/test';

const CI = Boolean(process.env.CI);
const port = Number(process.env.E2E_PORT || 7011);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: 'e2e',
  // traces, failure screenshots and the HTML report all under
  // e2e-test-report/, which .gitignore and .prettierignore already skip
  outputDir: 'e2e-test-report/results',
  timeout: 120_000,
  expect: { timeout: 15_000 },

  // two cores: one browser at a time, the backend needs the other
  workers: 1,
  fullyParallel: false,
  retries: CI ? 1 : 0,
  forbidOnly: CI,

  reporter: [
    ['list'],
    ['html', { outputFolder: 'e2e-test-report/html', open: 'never' }],
  ],

  use: {
    baseURL,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },

  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          // Debian's chromium package; Playwright's own download is not used
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],

  webServer: {
    // builds the app when needed, then the demo environments and the backend
    command: 'node scripts/e2e-server.js',
    url: `${baseURL}/api/env-parity/health`,
    reuseExistingServer: !CI,
    // a first build of the app takes most of it
    timeout: 180_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
