import { expect, Locator, Page } from '@playwright/test';

/** Whether the element has the page's focus. */
export function isFocused(locator: Locator) {
  return locator.evaluate(element => element === document.activeElement);
}

/**
 * Moves the focus with Tab (or Shift+Tab: `backwards`, by default when the
 * target comes before the focused element) until it is on the target, as a keyboard user does, and fails when the target is not reached
 * in `max` presses (not in the tab order, or behind something that traps
 * the focus). Returns the number of presses.
 */
export async function tabTo(
  page: Page,
  target: Locator,
  options: { backwards?: boolean; max?: number } = {},
) {
  await expect(target).toBeVisible();
  // by default, the way to the target: Shift+Tab when it comes before the focus
  const backwards =
    options.backwards ??
    (await target.evaluate(
      element =>
        document.activeElement !== null &&
        document.activeElement !== document.body &&
        (element.compareDocumentPosition(document.activeElement) &
          Node.DOCUMENT_POSITION_FOLLOWING) !==
          0,
    ));
  const key = backwards ? 'Shift+Tab' : 'Tab';
  const max = options.max ?? 150;
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press(key);
    if (await isFocused(target)) {
      return presses;
    }
  }
  throw new Error(
    `${key} did not reach ${target} in ${max} presses; the focus is on ${await describeFocus(
      page,
    )}`,
  );
}

/** The focused element, for failure messages: tag, role, name, text. */
export async function describeFocus(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) {
      return 'nothing (the page body)';
    }
    const role = element.getAttribute('role');
    const label = element.getAttribute('aria-label');
    const text = (element.textContent ?? '').trim().slice(0, 60);
    return `<${element.tagName.toLowerCase()}${role ? ` role="${role}"` : ''}${
      label ? ` aria-label="${label}"` : ''
    }> ${text}`;
  });
}

/**
 * The focused element shows that it has the focus: it matches
 * `:focus-visible` and draws something for it (an outline, a box shadow, or
 * Material UI's focus-visible style, which changes the background).
 */
export async function expectFocusVisible(target: Locator) {
  await expect
    .poll(
      () =>
        target.evaluate(element => {
          if (element !== document.activeElement) {
            return 'not focused';
          }
          if (!element.matches(':focus-visible')) {
            return 'focused, but not :focus-visible';
          }
          const style = getComputedStyle(element);
          const outline =
            style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          const shadow = style.boxShadow !== 'none';
          const mui =
            element.classList.contains('Mui-focusVisible') ||
            element.closest('.Mui-focusVisible, .Mui-focused') !== null;
          return outline || shadow || mui
            ? 'visible'
            : 'focused without any visible indicator';
        }),
      { message: `the focus on ${target} is visible` },
    )
    .toBe('visible');
}

/** The focus is inside the container (a dialog, a region). */
export async function expectFocusWithin(page: Page, container: Locator) {
  await expect
    .poll(
      () => container.evaluate(element => element.matches(':focus-within')),
      {
        message: `the focus is inside ${container} (it is on ${await describeFocus(
          page,
        )})`,
      },
    )
    .toBe(true);
}
