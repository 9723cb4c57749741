// Finding things on the app's screens through its semantic layer (#semantics: the widgets as
// DOM nodes with roles and names, and data-screen / data-screen-serial naming the screen core's
// flow shows and counting its changes).
export const button = (page, name) => page.getByRole('button', { name, exact: true });
export const heading = (page, name) => page.getByRole('heading', { name, exact: true });
export const textbox = (page, name) => page.getByRole('textbox', { name, exact: true });

// Clicks the text field `name` and types `text` on the physical keyboard.
export async function typeInto(page, name, text) {
  await textbox(page, name).click();
  await page.keyboard.type(text);
}

// The screen the app shows (core's screen name), and how many screen changes it has made.
export const screenState = (page) => page.evaluate(() => {
  const layer = document.getElementById('semantics');
  return { screen: layer.dataset.screen, changes: Number(layer.dataset.screenSerial || 0) };
});

// Waits until the app has left the screen of `before` (a screenState) and settled on `screen`.
export async function waitForNextScreen(page, before, screen) {
  try {
    await page.waitForFunction(([changes, name]) => {
      const layer = document.getElementById('semantics');
      return Number(layer.dataset.screenSerial) > changes && layer.dataset.screen === name;
    }, [before.changes, screen], { polling: 50, timeout: 30_000 });
  } catch (e) {
    const now = await screenState(page);
    throw new Error(`expected screen ${screen} after ${JSON.stringify(before)}, still at ${JSON.stringify(now)}`);
  }
}

// Waits until the app shows `screen` (now or later).
export async function waitForScreen(page, screen, timeout = 30_000) {
  try {
    await page.waitForFunction((name) => document.getElementById('semantics')?.dataset.screen === name, screen,
                               { polling: 50, timeout });
  } catch (e) {
    const now = await screenState(page);
    throw new Error(`expected screen ${screen}, the app shows ${JSON.stringify(now)}`);
  }
}

// Text on the screen itself (the semantic layer), not its copy in the live-region announcer.
export const screenText = (page, text, options = { exact: false }) =>
  page.locator('#semantics').getByText(text, options);
