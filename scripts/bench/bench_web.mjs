// The measuring half of scripts/bench-web (which builds the stock example first and passes the
// directories): serves each build on 127.0.0.1, loads it in headless Chromium and prints the
// figures side by side, then the budget verdicts.
//   node scripts/bench/bench_web.mjs --ours build/dist --stock build/bench/stock [--runs 5] [--idle-seconds 5]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { startStaticServer } from '../../tests/e2e/lib/static_server.mjs';
import { launchBrowser } from '../../tests/e2e/lib/browser.mjs';
import { addFrameProbe, readFrameProbe } from '../../tests/e2e/lib/frame_probe.mjs';
import { setPageHidden } from '../../tests/e2e/lib/visibility.mjs';
import { runCleanup, onCleanup } from '../../tests/e2e/lib/cleanup.mjs';

const budget = { firstScreenBytes: 300_000, idleFramesPerSecond: 2 };

const { values: options } = parseArgs({
  options: {
    ours: { type: 'string', default: 'build/dist' },
    stock: { type: 'string', default: 'build/bench/stock' },
    'stock-flags': { type: 'string', default: '' },
    runs: { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '5' },
  },
});
const runs = Math.max(1, Number(options.runs));
const idleSeconds = Math.max(1, Number(options['idle-seconds']));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- one page load
async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await addFrameProbe(page);
  return { context, page, errors };
}

async function waitForFirstFrame(page, errors, name) {
  try {
    await page.waitForFunction(() => window.__frameProbe.firstFrameEndMs !== null, null,
      { polling: 20, timeout: 60_000 });
  } catch (error) {
    throw new Error(`${name}: no frame was drawn within 60 s (${errors.join('; ') || error.message})`);
  }
}

// Navigation to first frame, and the files fetched before that frame (Resource Timing).
async function measureLoad(browser, build) {
  const { context, page, errors } = await openPage(browser, build.url);
  try {
    await page.goto(build.url);
    await waitForFirstFrame(page, errors, build.name);
    return await page.evaluate(() => {
      const firstFrame = window.__frameProbe.firstFrameEndMs;
      const navigation = performance.getEntriesByType('navigation')[0];
      const files = [navigation, ...performance.getEntriesByType('resource')]
        .filter((e) => e.startTime <= firstFrame && (e.responseStatus === undefined || e.responseStatus === 200))
        .map((e) => ({ url: e.name, sent: e.encodedBodySize, startMs: e.startTime, endMs: e.responseEnd }));
      return {
        firstFrameMs: firstFrame,
        wasmReadyMs: window.__frameProbe.wasmReadyMs,
        selfReportedFirstFrameMs: window.ibankStats ? window.ibankStats.firstFrameMs : null,
        files,
      };
    });
  } finally {
    await context.close();
  }
}

// Frames, requestAnimationFrame callbacks and main-thread task time per second while idle,
// then frames while the page is hidden.
async function measureIdle(browser, build) {
  const { context, page, errors } = await openPage(browser, build.url);
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics
      .find((m) => m.name === 'TaskDuration').value;
    await page.goto(build.url);
    await waitForFirstFrame(page, errors, build.name);
    await sleep(1000); // let the load settle (fonts, layout frames)
    const before = { probe: await readFrameProbe(page), task: await taskSeconds() };
    await sleep(idleSeconds * 1000);
    const after = { probe: await readFrameProbe(page), task: await taskSeconds() };
    await setPageHidden(page, true);
    const hiddenSeconds = 3;
    await sleep(hiddenSeconds * 1000);
    const hidden = await readFrameProbe(page);
    return {
      framesPerSecond: (after.probe.frames - before.probe.frames) / idleSeconds,
      rafPerSecond: (after.probe.rafCallbacks - before.probe.rafCallbacks) / idleSeconds,
      busyMsPerSecond: ((after.task - before.task) * 1000) / idleSeconds,
      hiddenFramesPerSecond: (hidden.frames - after.probe.frames) / hiddenSeconds,
    };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- sizes on disk
function compressedSizes(filePath) {
  const raw = fs.readFileSync(filePath);
  const sibling = (suffix) => (fs.existsSync(filePath + suffix) ? fs.statSync(filePath + suffix).size : null);
  const gzip = sibling('.gz') ?? zlib.gzipSync(raw, { level: 9 }).length;
  const brotli = sibling('.br') ?? zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
  return { raw: raw.length, gzip, brotli, precompressed: sibling('.br') !== null };
}

function fileTable(build, files) {
  const rows = [];
  const seen = new Set();
  for (const { url, sent } of files) {
    let relative = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, '');
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    if (seen.has(relative)) continue;
    seen.add(relative);
    const filePath = path.join(build.dir, relative);
    if (!fs.existsSync(filePath)) continue;
    rows.push({ file: relative, sent, ...compressedSizes(filePath) });
  }
  const total = { file: 'total', sent: 0, raw: 0, gzip: 0, brotli: 0 };
  for (const row of rows) for (const key of ['sent', 'raw', 'gzip', 'brotli']) total[key] += row[key];
  return { rows, total };
}

// ---------------------------------------------------------------- printing
const n = (x, digits = 0) => (x === null || x === undefined || Number.isNaN(x) ? '-' :
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

// ---------------------------------------------------------------- main
async function main() {
  const builds = [
    { name: 'ours', label: `ours (${options.ours})`, dir: path.resolve(options.ours) },
    { name: 'stock', label: `stock ImGui 1.90.1 example (${options.stock})`, dir: path.resolve(options.stock) },
  ];
  for (const build of builds) {
    if (!fs.existsSync(path.join(build.dir, 'index.html'))) throw new Error(`${build.dir}/index.html is missing`);
    const server = await startStaticServer(build.dir);
    onCleanup(server.stop);
    build.url = server.url;
  }
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();

  // Cold loads in fresh contexts (empty HTTP and code caches), alternating which build goes first,
  // after one discarded load each that starts Chromium's GPU process and warms the disk cache.
  for (const build of builds) {
    await measureLoad(browser, build);
    build.loads = [];
  }
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) build.loads.push(await measureLoad(browser, build));
  }
  for (const build of builds) build.idle = await measureIdle(browser, build);

  const [ours, stock] = builds;
  for (const build of builds) {
    build.files = fileTable(build, build.loads.flatMap((l) => l.files));
    build.firstFrame = median(build.loads.map((l) => l.firstFrameMs));
    build.medianLoad = [...build.loads].sort((a, b) => a.firstFrameMs - b.firstFrameMs)[Math.floor((runs - 1) / 2)];
  }

  console.log(`Web benchmark - headless Chromium ${chromiumVersion}, WebGL2 via SwiftShader, ${runs} cold loads per build, ${idleSeconds} s idle`);
  console.log(`Stock example flags: ${options['stock-flags'] || '(not given)'}`);
  for (const build of builds) {
    console.log(`\nFiles fetched before the first frame - ${build.label}`);
    const timing = new Map(build.medianLoad.files.map((f) => [new URL(f.url).pathname.replace(/^\/+/, '') || 'index.html', f]));
    const rows = build.files.rows.map((r) => [r.file, n(r.raw), n(r.gzip), n(r.brotli), n(r.sent),
      n(timing.get(r.file)?.startMs), n(timing.get(r.file)?.endMs)]);
    const t = build.files.total;
    rows.push(['total', n(t.raw), n(t.gzip), n(t.brotli), n(t.sent), '', '']);
    printTable(['file', 'raw B', 'gzip B', 'brotli B', 'sent B', 'start ms', 'end ms'], rows);
    console.log(`(start/end: request start and response end in the median run, whose first frame came at ${n(build.medianLoad.firstFrameMs)} ms)`);
  }

  const selfReported = ours.loads.map((l) => l.selfReportedFirstFrameMs).filter((x) => x !== null);
  console.log('\nSide by side');
  printTable(['measure', 'ours', 'stock'], [
    ['first screen, raw bytes', n(ours.files.total.raw), n(stock.files.total.raw)],
    ['first screen, gzip bytes', n(ours.files.total.gzip), n(stock.files.total.gzip)],
    ['first screen, brotli bytes', n(ours.files.total.brotli), n(stock.files.total.brotli)],
    ['first screen, bytes sent (Content-Encoding)', n(ours.files.total.sent), n(stock.files.total.sent)],
    [`navigation -> first frame, median of ${runs}, ms`, n(ours.firstFrame, 1), n(stock.firstFrame, 1)],
    ['  each run, ms', ours.loads.map((l) => n(l.firstFrameMs)).join(' '), stock.loads.map((l) => n(l.firstFrameMs)).join(' ')],
    ['  navigation -> wasm instantiated, median, ms', n(median(ours.loads.map((l) => l.wasmReadyMs)), 1),
     n(median(stock.loads.map((l) => l.wasmReadyMs)), 1)],
    ['  wasm instantiated -> first frame, median, ms', n(median(ours.loads.map((l) => l.firstFrameMs - l.wasmReadyMs)), 1),
     n(median(stock.loads.map((l) => l.firstFrameMs - l.wasmReadyMs)), 1)],
    ['  as the app reports it (ibankStats), median, ms', selfReported.length ? n(median(selfReported), 1) : '-', '-'],
    [`idle ${idleSeconds} s: frames drawn per s`, n(ours.idle.framesPerSecond, 1), n(stock.idle.framesPerSecond, 1)],
    [`idle ${idleSeconds} s: rAF callbacks per s`, n(ours.idle.rafPerSecond, 1), n(stock.idle.rafPerSecond, 1)],
    [`idle ${idleSeconds} s: main-thread busy, ms per s`, n(ours.idle.busyMsPerSecond, 1), n(stock.idle.busyMsPerSecond, 1)],
    ['hidden 3 s (emulated): frames drawn per s', n(ours.idle.hiddenFramesPerSecond, 1), '-'],
  ]);
  console.log('(frames = groups of WebGL draw calls, counted the same way for both; main-thread busy =');
  console.log(' CDP Performance.getMetrics TaskDuration; hidden = visibilitychange to "hidden", which headless');
  console.log(' Chromium cannot do on its own - the stock example ignores it and is not measured there)');

  const sentEncodingTotal = Math.max(ours.files.total.gzip, ours.files.total.brotli);
  const verdicts = [
    [`first screen <= ${n(budget.firstScreenBytes)} bytes compressed (gzip ${n(ours.files.total.gzip)}, brotli ${n(ours.files.total.brotli)})`,
     sentEncodingTotal <= budget.firstScreenBytes],
    [`idle <= ${budget.idleFramesPerSecond} frames/s (${n(ours.idle.framesPerSecond, 1)})`,
     ours.idle.framesPerSecond <= budget.idleFramesPerSecond],
    [`hidden: 0 frames (${n(ours.idle.hiddenFramesPerSecond, 1)}/s)`, ours.idle.hiddenFramesPerSecond === 0],
    [`first frame no slower than stock (${n(ours.firstFrame, 1)} ms vs ${n(stock.firstFrame, 1)} ms)`,
     ours.firstFrame <= stock.firstFrame],
  ];
  console.log('\nBudgets');
  for (const [what, ok] of verdicts) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}`);
  return verdicts.every(([, ok]) => ok) ? 0 : 1;
}

let exitCode = 2;
try {
  exitCode = await main();
} catch (error) {
  console.error(`bench-web: ${error.message}`);
} finally {
  await runCleanup();
}
process.exit(exitCode);
