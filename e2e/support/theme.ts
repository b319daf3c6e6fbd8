import { BrowserContext, Page } from '@playwright/test';

/** Backstage's built-in themes (plugin-app's theme:app/light and /dark). */
export const THEMES = ['light', 'dark'] as const;
export type ThemeId = (typeof THEMES)[number];

/**
 * Opens every page of this page's (or context's) later navigations in a
 * Backstage theme, as if the user had picked it in Settings: AppThemeApi
 * keeps the choice in localStorage under `theme`. Call before `signIn`.
 */
export async function useTheme(target: Page | BrowserContext, theme: ThemeId) {
  await target.addInitScript(id => {
    window.localStorage.setItem('theme', id);
  }, theme);
}
