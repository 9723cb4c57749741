// The layout check of issue 7: at every window size, text size, theme and language, no widget of
// a screen leaves the window sideways, no two widgets overlap, and the page never scrolls
// sideways. Widget rectangles come from the semantic layer (#semantics > *, absolutely placed at
// the widget's rectangle in CSS pixels over the full-window canvas).
//
// Content taller than the window scrolls inside the app (the ImGui window, mouse wheel), so a
// widget below the fold is fine at first; the check scrolls to the bottom and requires the lowest
// widget to end inside the window there, with the same checks holding again.
import fs from 'node:fs';
import https from 'node:https';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './app.mjs';
import { artifactPath, saveScreen } from './artifacts.mjs';
import { launchBrowser } from './browser.mjs';
import { runCleanup } from './cleanup.mjs';
import { startIbgate } from './ibgate.mjs';
import { button } from './screens.mjs';

export const viewports = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 720 },
  { width: 1024, height: 600 },
  { width: 768, height: 1024 },   // tablet
  { width: 390, height: 844 },    // phone
];
export const languages = ['ja', 'en'];
export const textSizes = ['standard', 'large', 'x-large'];
export const themes = ['light', 'dark', 'high-contrast'];

const tolerance = 0.5;   // CSS pixels; rectangles are fractional after devicePixelRatio rounding

// Remembers the preferences on the device before the page loads, as the app itself stores them.
export function preferenceSetup({ lang, textSize, theme }) {
  return (context) => context.addInitScript((prefs) => {
    try {
      for (const [key, value] of Object.entries(prefs)) localStorage.setItem(key, value);
    } catch { /* about:blank has no storage */ }
  }, { 'ibank.lang': lang, 'ibank.textSize': textSize, 'ibank.theme': theme });
}

// Everything the check needs, read in one go from the page.
export function readLayout(page) {
  return page.evaluate(() => {
    const layer = document.getElementById('semantics');
    const canvas = document.getElementById('canvas').getBoundingClientRect();
    return {
      screen: layer.dataset.screen,
      prefs: { lang: layer.dataset.lang, textSize: layer.dataset.textSize, theme: layer.dataset.theme },
      width: window.innerWidth,
      height: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
      canvas: { x: canvas.x, y: canvas.y, w: canvas.width, h: canvas.height },
      nodes: [...layer.children].map((el) => {
        const r = el.getBoundingClientRect();
        return { role: el.dataset.role, name: el.getAttribute('aria-label') || el.textContent, x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    };
  });
}

const label = (n) => `${n.role} «${n.name.length > 40 ? n.name.slice(0, 39) + '…' : n.name}»`;
const box = (n) => `[x ${Math.round(n.x)}, y ${Math.round(n.y)}, ${Math.round(n.w)}×${Math.round(n.h)}]`;

// The problems of one layout as { key, text }: `key` names the problem without coordinates, so
// the same problem seen at the top and again after scrolling is reported once.
// `scrolled`: the layout was read after scrolling to the bottom.
export function layoutFindings(layout, where, { scrolled = false } = {}) {
  const found = [];
  const add = (kind, text) => found.push({ key: `${where}: ${kind}`, text: `${where}${scrolled ? ' (scrolled to the bottom)' : ''}: ${text}` });
  const { width, height, nodes } = layout;

  if (layout.scrollWidth > width + tolerance) {
    add('horizontal scroll', `the page scrolls sideways (scrollWidth ${layout.scrollWidth} > window ${width})`);
  }
  const c = layout.canvas;
  if (Math.abs(c.x) > tolerance || Math.abs(c.y) > tolerance || Math.abs(c.w - width) > tolerance || Math.abs(c.h - height) > tolerance) {
    add('canvas', `the canvas ${box(c)} does not fill the ${width}×${height} window`);
  }
  for (const n of nodes) {
    if (n.x < -tolerance || n.x + n.w > width + tolerance) {
      add(`outside ${label(n)}`, `${label(n)} ${box(n)} leaves the ${width}-pixel-wide window (x ${Math.round(n.x)} to ${Math.round(n.x + n.w)})`);
    }
    if (n.h > height + tolerance) {
      add(`too tall ${label(n)}`, `${label(n)} ${box(n)} is taller than the ${height}-pixel-high window`);
    }
    if (!scrolled && n.y < -tolerance) {
      add(`above ${label(n)}`, `${label(n)} ${box(n)} starts above the top of the window before any scrolling`);
    }
  }
  // Overlaps between visible widgets; a zero-area node (a heading only screen readers read) is
  // not drawn and overlaps nothing.
  const visible = nodes.filter((n) => n.w > tolerance && n.h > tolerance);
  for (let i = 0; i < visible.length; i++) {
    for (let j = i + 1; j < visible.length; j++) {
      const a = visible[i], b = visible[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > tolerance && dy > tolerance) {
        add(`overlap ${label(a)} / ${label(b)}`, `${label(a)} ${box(a)} and ${label(b)} ${box(b)} overlap by ${Math.round(dx)}×${Math.round(dy)} px`);
      }
    }
  }
  return found;
}

const lowestBottom = (layout) => Math.max(0, ...layout.nodes.map((n) => n.y + n.h));
const poll = { polling: 25, timeout: 30_000 };
const framesNow = (page) => page.evaluate(() => window.ibankStats.framesDrawn);

// Parks the pointer in the top-left corner (ImGui scrolls only the window under a pointer it
// has seen).
export const parkPointer = (page) => page.mouse.move(1, 1);

// Wheels the app's window with the pointer parked in the top-left corner: that is over the
// canvas, so ImGui scrolls the full-window window, but over no widget, so no hover colour shows
// and the software keyboard keeps its labels (hidden while the pointer is on the keys) in the
// screenshots. Moving the pointer would cost frames of its own. Waits for a frame drawn after the
// wheel: on a busy machine the app may not draw within settle()'s quiet time.
export async function wheel(page, deltaY) {
  const before = await framesNow(page);
  await page.mouse.wheel(0, deltaY);
  await page.waitForFunction((n) => window.ibankStats.framesDrawn > n, before, poll);
  await settle(page);
}

const sameSize = (a, b) => a.width === b.width && a.height === b.height;

// Resizes the window and waits for a frame drawn after the page saw the new size (the app
// resizes its canvas in the resize event), so the semantic layer is not the old size's.
// `scrollUp`: also wheel back to the top, sent right after the resize so that the app draws
// both in (nearly) the same frames.
export async function resizeTo(page, viewport, { scrollUp = false } = {}) {
  if (sameSize(page.viewportSize(), viewport)) {
    if (scrollUp) await wheel(page, -100_000);
    else await settle(page);
    return;
  }
  await page.evaluate(() => {
    window.__layoutResizedAtFrame = null;
    addEventListener('resize', () => { window.__layoutResizedAtFrame = window.ibankStats.framesDrawn; }, { once: true });
  });
  await page.setViewportSize(viewport);
  if (scrollUp) await page.mouse.wheel(0, -100_000);
  await page.waitForFunction(({ width, height }) => innerWidth === width && innerHeight === height &&
    window.__layoutResizedAtFrame !== null && window.ibankStats.framesDrawn > window.__layoutResizedAtFrame, viewport, poll);
  await settle(page);
}

const isScrolled = (layout) => layout.nodes.some((n) => n.y < -tolerance);

// Shows the top of the screen at `viewport`; returns its layout.
async function topAt(page, viewport) {
  await resizeTo(page, viewport, { scrollUp: isScrolled(await readLayout(page)) });
  let layout = await readLayout(page);
  if (isScrolled(layout)) {   // the wheel was drawn before the resize took effect
    await wheel(page, -100_000);
    layout = await readLayout(page);
  }
  return layout;
}

// The window sizes in an order that starts with the page's current one, saving a resize.
export function viewportsFrom(current) {
  const start = Math.max(0, viewports.findIndex((v) => sameSize(v, current)));
  return [...viewports.slice(start), ...viewports.slice(0, start)];
}

// Checks the screen shown at every window size: first the top of the screen at each size, then,
// going back through the sizes in reverse (so the first bottom needs no resize), the bottom at
// each size where the screen is taller than the window. A resize keeps the app's scroll
// position, clamped to the new bottom, so some bottoms need no wheel. (Every input and resize
// costs the app three frames, and frames are what the matrix spends its time on.) Saves a
// screenshot of each state as shot(viewport) and shot(viewport)-bottom. Returns the findings
// ({ key, text }) and the screen names seen.
export async function checkScreenLayout(page, where, shot) {
  const found = [];
  const screens = new Set();
  const overflowing = [];
  for (const v of viewportsFrom(page.viewportSize())) {
    const top = await topAt(page, v);
    screens.add(top.screen);
    found.push(...layoutFindings(top, where(v)));
    await saveScreen(page, shot(v));
    if (lowestBottom(top) > top.height + tolerance) overflowing.push(v);
  }
  for (const v of overflowing.reverse()) {
    await resizeTo(page, v);
    let bottom = await readLayout(page);
    if (lowestBottom(bottom) > bottom.height + tolerance) {
      await wheel(page, 100_000);
      bottom = await readLayout(page);
    }
    screens.add(bottom.screen);
    found.push(...layoutFindings(bottom, where(v), { scrolled: true }));
    if (lowestBottom(bottom) > bottom.height + tolerance) {
      const lowest = bottom.nodes.reduce((a, n) => (n.y + n.h > a.y + a.h ? n : a));
      found.push({ key: `${where(v)}: cannot scroll`, text: `${where(v)}: scrolled to the bottom, ${label(lowest)} ${box(lowest)} still ends below the ${bottom.height}-pixel-high window` });
    }
    await saveScreen(page, `${shot(v)}-bottom`);
  }
  return { found, screens: [...screens] };
}

// Collects findings over a whole walk, each problem once, in the order found.
export class Findings {
  #seen = new Map();
  add(list) {
    for (const f of list) if (!this.#seen.has(f.key)) this.#seen.set(f.key, f.text);
  }
  get texts() {
    return [...this.#seen.values()];
  }
}

// Checks that the app applied the preferences it was given (the semantic layer's data-lang,
// data-text-size and data-theme name what it uses; data-theme is the resolved theme).
export function preferenceFindings(layout, prefs, where) {
  const found = [];
  for (const [key, attribute] of [['lang', 'data-lang'], ['textSize', 'data-text-size'], ['theme', 'data-theme']]) {
    if (layout.prefs[key] !== prefs[key]) {
      const shown = JSON.stringify(layout.prefs[key] ?? null);
      found.push({ key: `${attribute} ${shown}`, text: `#semantics ${attribute} is ${shown}, expected "${prefs[key]}": the preference is not applied (first seen on ${where})` });
    }
  }
  return found;
}

// ---- The matrix over the login flow against the real server (layout_matrix_*.test.mjs).

// The names the flow clicks and waits for, from src/core/ui_strings.inc.
const ui = {
  ja: {
    certificateLogin: '電子証明書ログイン', ok: 'OK', password: 'ログインパスワード', authenticate: '認証',
    keyboardEnter: '決定', typeWithKeyboard: 'キーボードで入力する', remainingAttempts: 'あと5回',
    forceLogout: '強制ログアウト', logout: 'ログアウト', relogin: '再ログイン', enroll: '電子証明書取得',
    userId: 'ID', enrollmentCode: '取得用パスワード', next: '次へ', importPassword: 'インポート用パスワード',
    importPasswordAgain: 'インポート用パスワード（確認）', save: '保存', renew: '電子証明書を更新',
  },
  en: {
    certificateLogin: 'Certificate login', ok: 'OK', password: 'Login password', authenticate: 'Authenticate',
    keyboardEnter: 'Enter', typeWithKeyboard: 'Type with the keyboard', remainingAttempts: '5 more wrong attempts',
    forceLogout: 'Force logout', logout: 'Log out', relogin: 'Log in again', enroll: 'Get a certificate',
    userId: 'ID', enrollmentCode: 'Enrollment code', next: 'Next', importPassword: 'Import password',
    importPasswordAgain: 'Import password (again)', save: 'Save', renew: 'Renew certificate',
  },
};

// The flow is driven through the semantic layer (activation by widget id, as a screen reader
// does), so it works at any window size and scroll position, and the pointer stays parked in
// the corner, away from the widgets. It runs in the phone-sized window, where frames are
// cheapest.
const flowViewport = viewports.at(-1);
const activate = (locator) => locator.dispatchEvent('click');   // detail 0: not from a pointer

// Waits until the app shows `screen` (core's screen name) as a screen it entered after `serial`.
async function waitForScreen(page, screen, serial = -1) {
  await page.waitForFunction(([name, after]) => {
    const layer = document.getElementById('semantics');
    return layer.dataset.screen === name && Number(layer.dataset.screenSerial) > after;
  }, [screen, serial], { polling: 50, timeout: 30_000 }).catch(async () => {
    const now = await page.evaluate(() => ({ ...document.getElementById('semantics').dataset,
      alerts: [...document.querySelectorAll('#semantics [role=alert]')].map((el) => el.textContent) }));
    throw new Error(`expected screen ${screen}, the app shows ${JSON.stringify(now)}`);
  });
  await settle(page);
}

const screenSerial = (page) => page.evaluate(() => Number(document.getElementById('semantics').dataset.screenSerial));

// Activates `name` and waits for `screen` to follow.
async function go(page, name, screen) {
  const serial = await screenSerial(page);
  await activate(button(page, name));
  await waitForScreen(page, screen, serial);
}

// Wheels until `locator`'s widget is inside the window.
async function scrollIntoWindow(page, locator) {
  for (let i = 0; i < 10; i++) {
    const box = await locator.boundingBox();
    const { height } = page.viewportSize();
    if (box.y >= 0 && box.y + box.height <= height) return;
    await wheel(page, box.y + box.height / 2 - height / 2);
  }
  throw new Error('could not scroll the widget into the window');
}

// Types on the physical keyboard (ticking キーボードで入力する first when the software keyboard is
// on) and submits; the focused text field takes the keys, as after a Tab. The field is brought
// into the window first, so the screenshots that follow show it. (A field focused below the
// fold is scrolled into view by the app itself: display_prefs.test.mjs.)
async function useKeyboard(page, s) {
  if (await button(page, s.keyboardEnter).count()) {
    await activate(page.getByRole('checkbox', { name: s.typeWithKeyboard, exact: true }));
    await button(page, s.keyboardEnter).waitFor({ state: 'detached' });
    await settle(page);
  }
}

async function typeInField(page, name, text) {
  const field = page.getByRole('textbox', { name, exact: true });
  await scrollIntoWindow(page, field);
  await field.focus();
  await settle(page);
  await page.keyboard.type(text);
}

async function submitPassword(page, s, password) {
  await useKeyboard(page, s);
  await typeInField(page, s.password, password);
  await activate(button(page, s.authenticate));
}

async function login(page, s, password, screen) {
  await go(page, s.certificateLogin, 'certificate_prompt');
  await go(page, s.ok, 'password_entry');
  const serial = await screenSerial(page);
  await submitPassword(page, s, password);
  await waitForScreen(page, screen, serial);
}

// Logs in over the API with the certificate, as another browser would, and leaves the session
// open: the walk's own login then meets 強制ログアウト. (A browser page would cost as much as a
// tenth of a walk.)
async function leaveSessionOpen(server, clientCertificates, password) {
  const { certPath, keyPath } = clientCertificates[0];
  const post = (endpoint, body) => new Promise((resolve, reject) => {
    const request = https.request(`${server.certOrigin}/api/v1/${endpoint}`, {
      method: 'POST', cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath),
      rejectUnauthorized: false,   // the development CA
      headers: { 'Content-Type': 'application/json', Origin: new URL(server.appUrl).origin },
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${endpoint}: ${response.statusCode} ${text}`))));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
  const { ticket } = await post('identify', {});
  await post('login', { ticket, password });
}

// One walk of the flow in one browser context with `prefs` on the device, every screen checked
// and photographed at every window size. Returns the findings' texts; throws (with them in the
// message) when the walk itself breaks.
async function walk(browser, server, t, prefs) {
  const { lang, textSize, theme } = prefs;
  const s = ui[lang];
  const combo = `${lang}-${textSize}-${theme}`;
  const id = `lay${lang}${textSize}${theme}`.replace(/-/g, '');
  const password = 'Pw-7!xyz';   // short (8 is the least): every key typed costs the app frames
  await server.addUser(id, password);
  // Near its end, so the main screen shows its renewal part and the password screen its warning.
  const { clientCertificates } = await server.issueCert(id, { days: 20 });
  const { code } = await server.enrollCode(id);
  const setup = preferenceSetup(prefs);
  const findings = new Findings();

  const checkScreen = async (page, screen, shotName) => {
    findings.add(preferenceFindings(await readLayout(page), prefs, shotName));
    const checked = await checkScreenLayout(page, (v) => `${shotName} ${v.width}×${v.height} ${lang}/${textSize}/${theme}`,
      (v) => `layout/${combo}/${shotName}-${v.width}x${v.height}`);
    assert.deepEqual(checked.screens, [screen], `the app left the screen ${screen} while its layout was checked`);
    findings.add(checked.found);
    await resizeTo(page, flowViewport);
  };

  try {
    await leaveSessionOpen(server, clientCertificates, password);

    // The walk, with the software keyboard on as the credit union configures it.
    const { page } = await server.openPage(browser, t, { clientCertificates, setup, viewport: flowViewport, pageConfig: server.softKeyboardConfig });
    await waitForScreen(page, 'login');
    await parkPointer(page);
    await checkScreen(page, 'login', 'login');
    await go(page, s.certificateLogin, 'certificate_prompt');
    await checkScreen(page, 'certificate_prompt', 'certificate-prompt');
    await go(page, s.ok, 'password_entry');
    await button(page, s.keyboardEnter).waitFor();
    await checkScreen(page, 'password_entry', 'password-keyboard');

    // A wrong password typed on the software keyboard: the alert, with the keyboard still on.
    await activate(button(page, '1'));
    await activate(button(page, s.keyboardEnter));
    await page.getByRole('alert').filter({ hasText: s.remainingAttempts }).waitFor();
    await settle(page);
    await checkScreen(page, 'password_entry', 'password-wrong');

    const serial = await screenSerial(page);
    await submitPassword(page, s, password);
    await waitForScreen(page, 'forced_logout_required', serial);
    await checkScreen(page, 'forced_logout_required', 'forced-logout');
    await go(page, s.forceLogout, 'login');
    await login(page, s, password, 'main');
    await button(page, s.renew).waitFor();
    await checkScreen(page, 'main', 'main');
    await go(page, s.logout, 'logged_out');
    await checkScreen(page, 'logged_out', 'logged-out');

    // 電子証明書取得: the ID and code with the software keyboard on, the import password, the guide.
    await go(page, s.relogin, 'login');
    await go(page, s.enroll, 'enroll_entry');
    await button(page, s.keyboardEnter).waitFor();
    await checkScreen(page, 'enroll_entry', 'enroll-keyboard');
    await useKeyboard(page, s);
    await typeInField(page, s.userId, id);
    await typeInField(page, s.enrollmentCode, code);
    await go(page, s.next, 'passphrase_entry');
    await button(page, s.keyboardEnter).waitFor();   // each secret screen starts as configured
    await checkScreen(page, 'passphrase_entry', 'passphrase-keyboard');
    await useKeyboard(page, s);
    await typeInField(page, s.importPassword, password);
    await typeInField(page, s.importPasswordAgain, password);
    await go(page, s.save, 'certificate_saved');
    await checkScreen(page, 'certificate_saved', 'certificate-saved');
  } catch (e) {
    e.message += `\n(the walk stopped there; problems found until then: ${findings.texts.length ? '\n  ' + findings.texts.join('\n  ') : 'none'})`;
    throw e;
  } finally {
    fs.writeFileSync(artifactPath(`layout/${combo}/violations.txt`), findings.texts.map((x) => x + '\n').join(''));
  }
  return findings.texts;
}

// Defines one test per language and text size in `theme`, each walking the flow once. All six
// walk at once: much of a walk is waiting for the app to go quiet after each input, and so the
// file that runs alone at the end (the runner takes two files at a time) still keeps both cores
// busy. The whole matrix is bound by the CPU the frames take.
export function defineLayoutMatrix(theme) {
  let browser;
  let server;
  before(async () => {
    // Software compositing: the WebGL canvas is still drawn by SwiftShader as in every test, but
    // the page around it is not composited through it again, a quarter less CPU per frame.
    browser = await launchBrowser({ args: ['--disable-gpu-compositing'] });
    server = await startIbgate();
  });
  after(runCleanup);

  describe(`layout matrix, ${theme} theme`, { concurrency: languages.length * textSizes.length }, () => {
    for (const lang of languages) {
      for (const textSize of textSizes) {
        test(`every screen at every window size: ${lang}, ${textSize} text, ${theme} theme`, { timeout: 600_000 }, async (t) => {
          const problems = await walk(browser, server, t, { lang, textSize, theme });
          assert.equal(problems.length, 0, `${problems.length} layout problem(s):\n  ${problems.join('\n  ')}`);
        });
      }
    }
  });
}
