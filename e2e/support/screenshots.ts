import { Page, test } from '@playwright/test';
import path from 'node:path';

/** Where the journeys' screenshots go; the README embeds some of them. */
export const SCREENSHOTS_DIR = path.resolve(__dirname, '..', 'screenshots');

/**
 * Saves a full-page screenshot of a journey's final state to
 * e2e/screenshots/<journey>.png (committed: the README shows some), and
 * attaches it to the test's report. The viewport keeps its width (1400) and
 * grows to the page's height; animations are stopped, the caret is hidden
 * and the mouse is moved away, so that reruns differ only where the page
 * does (relative times).
 */
export async function saveScreenshot(
  page: Page,
  journey: string,
  options: {
    /** Only what a 1400×1000 window shows, e.g. for the top of a README. */
    viewportOnly?: boolean;
  } = {},
) {
  const file = path.join(SCREENSHOTS_DIR, `${journey}.png`);
  await page.mouse.move(0, 0);
  // as tall as the page, so that the fixed sidebar spans all of it
  const viewport = page.viewportSize();
  const height = options.viewportOnly
    ? 0
    : await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) {
    await page.setViewportSize({ width: viewport.width, height });
  }
  try {
    await page.screenshot({
      path: file,
      fullPage: !options.viewportOnly,
      animations: 'disabled',
      caret: 'hide',
    });
  } finally {
    if (viewport) {
      await page.setViewportSize(viewport);
    }
  }
  await test.info().attach(journey, { path: file, contentType: 'image/png' });
}
