// Display preferences as a customer uses them: the theme follows the system's dark-mode and
// contrast settings (also while the page is open) until the customer picks one; 標準/大/特大 and
// the theme are chosen on the login screen with the mouse or the keyboard and are still there
// after a reload; reduced motion stops the caret blinking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { settle, framesDrawn, sleep } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { decodePng } from './lib/png.mjs';
import { checkScreenLayout, parkPointer, preferenceSetup } from './lib/layout.mjs';

const testTimeout = { timeout: 120_000 };
let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();
});
after(runCleanup);

// The page with the system's appearance given as Playwright media emulation.
function openPage(t, media = {}, extra = {}) {
  return server.openPage(browser, t, { contextOptions: { colorScheme: 'light', ...media }, ...extra });
}

const display = (page) => page.evaluate(() => ({ ...document.getElementById('semantics').dataset }));
const radio = (page, name) => page.getByRole('radio', { name, exact: true });

// The colour the canvas draws in its top-left corner (the page background), as [r, g, b].
async function backgroundColour(page) {
  const image = decodePng(await page.screenshot({ clip: { x: 2, y: 2, width: 4, height: 4 } }));
  return Array.from(image.rgba.slice(0, 3));
}

// The colour app.css gives the page around the canvas (custom properties generated from
// core/palette.cpp), as [r, g, b]: with the theme the UI set (data-theme), and as the system's
// settings alone give it before the UI runs (no data-theme: the media-query blocks).
function pageColours(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const rgb = () => getComputedStyle(document.body).backgroundColor.match(/\d+/g).slice(0, 3).map(Number);
    const themed = rgb();
    const theme = root.dataset.theme;
    delete root.dataset.theme;
    const system = rgb();
    root.dataset.theme = theme;
    return { themed, system };
  });
}

// The page's CSS and the canvas the C++ UI draws agree on the colour of the page.
async function assertPageMatchesCanvas(page) {
  const canvas = await backgroundColour(page);
  assert.deepEqual(await pageColours(page), { themed: canvas, system: canvas });
}

async function waitForTheme(page, theme) {
  await page.waitForFunction((t) => document.getElementById('semantics').dataset.theme === t, theme, { polling: 50, timeout: 10_000 });
  await settle(page);
}

test('the theme follows the system: light, dark, more contrast - and changes live with it', testTimeout, async (t) => {
  const { page } = await openPage(t);
  await waitForTheme(page, 'light');
  assert.deepEqual(await backgroundColour(page), [0xF7, 0xF7, 0xF5]);
  await assertPageMatchesCanvas(page);
  assert.equal(await radio(page, '配色：端末の設定に合わせる').getAttribute('aria-checked'), 'true');

  await page.emulateMedia({ colorScheme: 'dark' });
  await waitForTheme(page, 'dark');
  assert.deepEqual(await backgroundColour(page), [0x16, 0x18, 0x1D]);
  await assertPageMatchesCanvas(page);
  await saveScreen(page, 'prefs-system-dark');

  await page.emulateMedia({ contrast: 'more' });
  await waitForTheme(page, 'high-contrast');
  assert.deepEqual(await backgroundColour(page), [0, 0, 0]);
  await assertPageMatchesCanvas(page);
  await saveScreen(page, 'prefs-system-more-contrast');

  await page.emulateMedia({ colorScheme: 'light', contrast: 'no-preference' });
  await waitForTheme(page, 'light');
});

test('Windows high-contrast mode (forced colours) gets the high-contrast theme', testTimeout, async (t) => {
  const { page } = await openPage(t, { forcedColors: 'active' });
  await waitForTheme(page, 'high-contrast');
});

test('a theme picked on the login screen wins over the system and is remembered after a reload', testTimeout, async (t) => {
  const { page } = await openPage(t, { colorScheme: 'dark' });
  await waitForTheme(page, 'dark');
  await radio(page, '配色：ライト').click();
  await waitForTheme(page, 'light');
  assert.equal(await radio(page, '配色：ライト').getAttribute('aria-checked'), 'true');
  assert.equal(await radio(page, '配色：端末の設定に合わせる').getAttribute('aria-checked'), 'false');

  await page.reload();
  await waitForTheme(page, 'light');
  // The loading panel before the first frame already had the customer's theme.
  assert.equal(await page.evaluate(() => localStorage.getItem('ibank.theme')), 'light');

  // Back to the system's setting: dark again, and remembered as such.
  await radio(page, '配色：端末の設定に合わせる').click();
  await waitForTheme(page, 'dark');
  await page.reload();
  await waitForTheme(page, 'dark');
});

test('特大 enlarges every text and control, is remembered, and 標準 restores the layout exactly', testTimeout, async (t) => {
  const { page } = await openPage(t);
  const login = page.getByRole('button', { name: '電子証明書ログイン' });
  const heading = page.getByRole('heading', { name: '法人向けインターネットバンキング' });
  await settle(page);
  const standard = { login: await login.boundingBox(), heading: await heading.boundingBox() };
  assert.equal((await display(page)).textSize, 'standard');

  await radio(page, '文字サイズ：特大').click();
  await page.waitForFunction(() => document.getElementById('semantics').dataset.textSize === 'x-large');
  await settle(page);
  const large = { login: await login.boundingBox(), heading: await heading.boundingBox() };
  assert.ok(large.heading.height >= standard.heading.height * 1.5, `heading ${standard.heading.height} -> ${large.heading.height} px tall`);
  assert.ok(large.login.height >= standard.login.height * 1.4, `button ${standard.login.height} -> ${large.login.height} px tall`);
  assert.equal(await radio(page, '文字サイズ：特大').getAttribute('aria-checked'), 'true');
  await saveScreen(page, 'prefs-x-large');

  await page.reload();
  await page.waitForFunction(() => document.getElementById('semantics').dataset.textSize === 'x-large');
  await settle(page);
  assert.deepEqual(await heading.boundingBox(), large.heading);

  await radio(page, '文字サイズ：標準').click();
  await page.waitForFunction(() => document.getElementById('semantics').dataset.textSize === 'standard');
  await settle(page);
  assert.deepEqual(await login.boundingBox(), standard.login);
});

test('the choices work from the keyboard alone (Tab, then Space)', testTimeout, async (t) => {
  const { page } = await openPage(t);
  await settle(page);
  const target = radio(page, '文字サイズ：大');
  for (let i = 0; i < 20 && !(await target.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  assert.ok(await target.evaluate((el) => el === document.activeElement), 'Tab never reached 文字サイズ：大');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('semantics').dataset.textSize === 'large');
  assert.equal(await target.getAttribute('aria-checked'), 'true');
});

test('the page tells screen readers its language, and the choices speak English after the switch', testTimeout, async (t) => {
  const { page } = await openPage(t);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
  await page.getByRole('button', { name: 'English' }).click();
  await radio(page, 'Text size: Extra large').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await radio(page, 'Colours: High contrast').click();
  await waitForTheme(page, 'high-contrast');
  await saveScreen(page, 'prefs-english-high-contrast');
});

// Frames drawn while the customer only looks at the password screen with the field focused.
async function idleFramesWithCaret(t, media) {
  await server.addUser(`caret${media.reducedMotion}`, 'Caret-Pw-1');
  const certificate = await server.issueCert(`caret${media.reducedMotion}`);
  const { page } = await openPage(t, media, { clientCertificates: certificate.clientCertificates });
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('textbox', { name: 'ログインパスワード' }).waitFor();
  // The screen has drawn once no frame came for 300 ms; what follows is only the caret, whose
  // toggles are at least 400 ms apart (or nothing).
  await settle(page, 300);
  const before = await framesDrawn(page);
  await sleep(2500);   // the window the frames are counted in, not a wait for something
  const after = await framesDrawn(page);
  return after.app - before.app;
}

test('reduced motion: the caret stops blinking, so an idle screen draws nothing', testTimeout, async (t) => {
  const blinking = await idleFramesWithCaret(t, { reducedMotion: 'no-preference' });
  const steady = await idleFramesWithCaret(t, { reducedMotion: 'reduce' });
  assert.ok(blinking >= 3, `the caret should blink without the setting (${blinking} frames in 2.5 s)`);
  assert.equal(steady, 0, `with reduced motion nothing should move (${steady} frames in 2.5 s)`);
});

test('特大 on a small window: Tab to the password field below the fold scrolls to it, and typing reaches it', testTimeout, async (t) => {
  await server.addUser('smallwindow', 'Small-Window-1');
  const certificate = await server.issueCert('smallwindow');
  const { page } = await openPage(t, {}, {
    clientCertificates: certificate.clientCertificates, viewport: { width: 390, height: 500 },
    setup: (context) => context.addInitScript(() => localStorage.setItem('ibank.textSize', 'x-large')),
  });
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  // OK is below the fold too: the keyboard reaches it (focus scrolls it into view).
  await page.getByRole('button', { name: 'OK' }).focus();
  await page.keyboard.press('Enter');
  const field = page.getByRole('textbox', { name: 'ログインパスワード' });
  await field.waitFor({ state: 'attached' });
  await settle(page);
  // Start from the top, with the field out of sight below the window.
  await page.mouse.move(195, 250);
  await page.mouse.wheel(0, -5000);
  await settle(page);
  const hidden = await field.boundingBox();
  assert.ok(hidden.y + hidden.height > 500, `the field should start below the fold (y ${hidden.y})`);

  for (let i = 0; i < 30 && !(await field.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  assert.ok(await field.evaluate((el) => el === document.activeElement), 'Tab never reached the password field');
  await page.keyboard.type('Small-Window-1');
  await settle(page);
  const shown = await field.boundingBox();
  assert.ok(shown.y >= 0 && shown.y + shown.height <= 500, `the focused field is in view (y ${shown.y})`);
  await saveScreen(page, 'prefs-x-large-small-window-focused');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'ログアウト' }).waitFor();
});

// The error screens share the flow screens' layout rules; one of them (the server cannot be
// reached: the longest message, two buttons) goes through the layout matrix's check at every
// window size with the longest texts: English at 特大.
test('an error screen at 特大 in English keeps its layout at every window size', testTimeout, async (t) => {
  // Port 1 on loopback refuses connections, like a stopped certificate server.
  const { page } = await openPage(t, {}, {
    pageConfig: { ...server.config, certificate_origin: 'https://127.0.0.1:1' },
    viewport: { width: 390, height: 844 },
    setup: preferenceSetup({ lang: 'en', textSize: 'x-large', theme: 'high-contrast' }),
  });
  await page.getByRole('button', { name: 'Certificate login' }).click();
  await page.getByRole('button', { name: 'OK' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Retry' }).waitFor({ state: 'attached' });
  await parkPointer(page);
  const { found, screens } = await checkScreenLayout(page, (v) => `error ${v.width}×${v.height}`,
    (v) => `layout/en-x-large-high-contrast/error-unavailable-${v.width}x${v.height}`);
  assert.deepEqual(screens, ['error_unavailable']);
  assert.deepEqual(found.map((f) => f.text), []);
});

// A drag of the finger, as the browser reports it from a touch screen.
async function swipe(page, from, to, steps = 8) {
  const cdp = await page.context().newCDPSession(page);
  const point = (f) => [{ x: from.x + (to.x - from.x) * f, y: from.y + (to.y - from.y) * f }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(0) });
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(i / steps) });
    await sleep(16);   // a finger moving at the pace of a display frame
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('on a phone with 特大, a finger drag scrolls the screen and never presses the button it starts on', testTimeout, async (t) => {
  const { page } = await openPage(t, { hasTouch: true }, {
    viewport: { width: 390, height: 600 },
    setup: (context) => context.addInitScript(() => localStorage.setItem('ibank.textSize', 'x-large')),
  });
  const login = page.getByRole('button', { name: '電子証明書ログイン' });
  await settle(page);
  const before = await login.boundingBox();
  const start = { x: before.x + before.width / 2, y: before.y + before.height / 2 };
  await swipe(page, start, { x: start.x, y: start.y - 200 });
  await settle(page);
  const after = await login.boundingBox();
  assert.ok(before.y - after.y > 120, `the screen should follow the finger up (button y ${before.y} -> ${after.y})`);
  assert.equal((await display(page)).screen, 'login', 'the drag must not press 電子証明書ログイン');
});
