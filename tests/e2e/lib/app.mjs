// Opening the web app in a fresh browser context and reading what it reports about itself.
// The app exposes window.ibankStats = { framesDrawn, firstFrameMs } (firstFrameMs is the
// performance.now() of its first drawn frame, null before it).
import { onCleanup } from './cleanup.mjs';
import { addFrameProbe } from './frame_probe.mjs';

// A new context (own cache, cookies, storage) with a page on it and the frame probe installed.
// `setup(context, page)` runs before navigation (routes, init scripts). Closed after test `t`.
export async function openApp(browser, url, { t = null, setup = null, contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  onCleanup(() => context.close().catch(() => {}), t);
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  await addFrameProbe(page);
  if (setup) await setup(context, page);
  await page.goto(url);
  return { context, page, consoleLines };
}

// Polling by timer, not requestAnimationFrame, so waiting does not itself cause frames.
const poll = { polling: 50, timeout: 30_000 };

export async function waitForFirstFrame(page) {
  await page.waitForFunction(() => window.ibankStats && window.ibankStats.firstFrameMs !== null, null, poll);
}

// Frames drawn so far: as the app counts them and as the frame probe saw them.
export async function framesDrawn(page) {
  return page.evaluate(() => ({
    app: window.ibankStats.framesDrawn,
    probe: window.__frameProbe ? window.__frameProbe.frames : null,
  }));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Waits until the app has drawn everything the last input causes: it renders on demand, so
// once no frame has been drawn for a while the picture and the semantic layer are final.
export async function settle(page, quietMs = 150) {
  let last = -1;
  let quietSince = Date.now();
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const frames = await page.evaluate(() => window.ibankStats.framesDrawn);
    if (frames !== last) {
      last = frames;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
    await sleep(25);
  }
  throw new Error('the app kept drawing frames for 10 s');
}
