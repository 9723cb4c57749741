// The software keyboard, as the credit union configures it by default: the password is typed
// only with real mouse clicks on the canvas keys, the physical keyboard cannot type into the
// field, labels hide while the pointer is on the keys, and the layout changes after every
// character.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './lib/browser.mjs';
import { runCleanup } from './lib/cleanup.mjs';
import { startIbgate } from './lib/ibgate.mjs';
import { settle } from './lib/app.mjs';
import { saveScreen } from './lib/artifacts.mjs';
import { decodePng, inkStats } from './lib/png.mjs';

const testTimeout = { timeout: 120_000 };
let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startIbgate();
});
after(runCleanup);

async function openPasswordScreen(t, id, password, viewport = { width: 1280, height: 720 }, config = null, contextOptions = {}) {
  await server.addUser(id, password);
  const certificate = await server.issueCert(id);
  const { page } = await server.openPage(browser, t, {
    clientCertificates: certificate.clientCertificates, pageConfig: config || server.softKeyboardConfig, viewport, contextOptions,
  });
  await page.getByRole('button', { name: '電子証明書ログイン' }).click();
  await page.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('button', { name: '決定' }).waitFor();
  return page;
}

// Clicks the key that types `ch` with the real mouse, at the position the semantic layer gives.
async function clickKey(page, name) {
  const box = await page.getByRole('button', { name, exact: true }).boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `key ${name} is ${box.width}x${box.height}, smaller than a fingertip`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await settle(page);
}

async function keyPositions(page) {
  return page.evaluate(() => [...document.querySelectorAll('#semantics button')]
    .filter((b) => b.textContent.length === 1)
    .map((b) => b.textContent + '@' + b.style.left + ',' + b.style.top).sort().join(' '));
}

test('⑨ a full login typing the password only with the software keyboard', testTimeout, async (t) => {
  const password = 'Ab3$xy7Q';
  const page = await openPasswordScreen(t, 'soft01', password);
  await saveScreen(page, 'soft-keyboard-open');
  // The whole keyboard and 認証 fit a 1280x720 window without scrolling.
  const bottom = await page.evaluate(() => Math.max(...[...document.querySelectorAll('#semantics button')].map((b) => b.getBoundingClientRect().bottom)));
  assert.ok(bottom <= 720, `the keyboard screen needs ${bottom} pixels of height`);

  // The physical keyboard does not type into the field while the software keyboard is on.
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type('zzz');
  await settle(page);

  for (const ch of password) {
    const upper = ch >= 'A' && ch <= 'Z';
    const symbol = !/[0-9a-zA-Z]/.test(ch);
    if (symbol) await clickKey(page, '記号');
    if (upper) await clickKey(page, 'Shift');
    const before = await keyPositions(page);
    await clickKey(page, ch);
    // The layout is reshuffled after every character.
    assert.notEqual(await keyPositions(page), before, `the layout stayed the same after typing a character`);
    if (symbol) await clickKey(page, '英数字');
  }
  await saveScreen(page, 'soft-keyboard-typed');
  await clickKey(page, '決定');
  await page.getByRole('button', { name: 'ログアウト' }).waitFor();
});

test('key labels hide while the pointer is on the keys and show when it leaves', testTimeout, async (t) => {
  const page = await openPasswordScreen(t, 'soft02', 'Secret-2');
  const key = await page.getByRole('button', { name: '5', exact: true }).boundingBox();
  const shot = () => page.screenshot({ clip: key }).then((png) => inkStats(decodePng(png)));
  await page.mouse.move(5, 5);   // away from the keys
  await settle(page);            // the frames the move causes are drawn
  const shown = await shot();
  await page.mouse.move(key.x + key.width / 2, key.y + key.height / 2);
  await settle(page);
  const hidden = await shot();
  assert.ok(shown.contrastRatio > hidden.contrastRatio,
    `the key shows the same ink with the pointer on it (${JSON.stringify(shown)} vs ${JSON.stringify(hidden)})`);
  await saveScreen(page, 'soft-keyboard-labels-hidden');
});

test('キーボードで入力する allows the physical keyboard; the keyboard fits a 768-pixel tablet', testTimeout, async (t) => {
  const page = await openPasswordScreen(t, 'soft03', 'Secret-3', { width: 768, height: 1024 });
  const keys = await page.evaluate(() => [...document.querySelectorAll('#semantics button')].map((b) => b.getBoundingClientRect().right));
  assert.ok(Math.max(...keys) <= 768, 'a key leaves the tablet screen');
  await saveScreen(page, 'soft-keyboard-tablet');
  await page.getByRole('checkbox', { name: 'キーボードで入力する' }).click();
  await page.getByRole('heading', { name: 'ソフトウェアキーボード' }).waitFor({ state: 'detached' });
  await page.getByRole('textbox', { name: 'ログインパスワード' }).click();
  await page.keyboard.type('Secret-3');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'ログアウト' }).waitFor();
});

test('with key names withheld from the page, assistive technology sees numbered keys, not characters', testTimeout, async (t) => {
  const config = JSON.parse(JSON.stringify(server.softKeyboardConfig));
  config.software_keyboard.expose_keys_to_assistive_tech = false;
  const page = await openPasswordScreen(t, 'soft04', 'Secret-4', undefined, config);
  const names = await page.evaluate(() => [...document.querySelectorAll('#semantics button')].map((b) => b.textContent));
  assert.ok(names.includes('キー 1') && names.includes('決定'));
  assert.ok(!names.some((n) => /^[0-9a-z]$/.test(n)), `a character key is named: ${names.join(' ')}`);
});

test('a tap on a key types on a touch screen, and the layout moves on', testTimeout, async (t) => {
  const page = await openPasswordScreen(t, 'soft05', 'Secret-5', { width: 768, height: 1024 }, null, { hasTouch: true });
  const before = await keyPositions(page);
  const box = await page.getByRole('button', { name: '7', exact: true }).boundingBox();
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  await settle(page);
  assert.notEqual(await keyPositions(page), before);
  await saveScreen(page, 'soft-keyboard-touch');
});
