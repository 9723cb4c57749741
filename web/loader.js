// Starts the web app: checks that the browser can run it, downloads the WebAssembly module and
// the font with a progress bar (compiling the module while it streams in), then starts the
// C++ code. Anything that goes wrong shows a styled message with a way forward, never a blank page.
'use strict';
(function () {
  const script = document.currentScript;
  const files = {
    wasm: script.dataset.wasm,
    font: script.dataset.font,
    config: script.dataset.config,
    glyphs: script.dataset.glyphs,
    enroll: script.dataset.enroll,
  };

  // A theme the customer chose on this device colours the loading panel too (app.css); with
  // none, the system's setting does. The C++ UI keeps it up to date from its first frame.
  // Names shared with the C++ code come from window.ibankContract, generated from it at build time.
  const C = window.ibankContract;
  try {
    const theme = localStorage.getItem(C.storage.theme);
    if (C.themes.includes(theme)) document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage blocked: the system's setting applies */ }

  // Read by tests and scripts/bench-web; the C++ frame loop updates it.
  window[C.globals.stats] = { framesDrawn: 0, firstFrameMs: null };

  const MESSAGES = {
    'wasm unsupported': ['このブラウザは WebAssembly に対応していないため、インターネットバンキングを利用できません。最新のブラウザをご利用ください。',
                         'This browser does not support WebAssembly. Please use an up-to-date browser.'],
    [C.failures.webgl2Unavailable]: ['このブラウザでは画面の描画（WebGL2）が利用できません。ブラウザを最新にするか、ハードウェアアクセラレーションを有効にしてください。',
                           'This browser cannot draw the screen (WebGL2 is unavailable). Please update the browser or enable hardware acceleration.'],
    'load failed': ['画面の読み込みに失敗しました。通信環境をご確認のうえ、再読み込みしてください。',
                    'The screen could not be loaded. Please check your connection and reload.'],
    [C.failures.fontNotLoaded]: ['文字の表示に必要なデータを読み込めませんでした。再読み込みしてください。',
                        'The font could not be loaded. Please reload.'],
    'stopped': ['画面の処理が停止しました。再読み込みしてください。',
                'The screen stopped working. Please reload.'],
  };

  // Until the checks below pass, the module's JavaScript finds a Module that never starts.
  window.Module = { instantiateWasm: () => ({}) };

  let failed = false;
  function fail(code, detail) {
    if (failed) return;
    failed = true;
    const text = MESSAGES[code] || MESSAGES['stopped'];
    document.getElementById('load-error-text').textContent = text[0];
    document.getElementById('load-error-text-en').textContent = text[1];
    document.getElementById('loading').hidden = true;
    document.getElementById('app').hidden = true;
    const panel = document.getElementById('load-error');
    panel.dataset.reason = code in MESSAGES ? code : 'stopped';
    panel.hidden = false;
    document.getElementById('load-error-retry').focus();
    if (detail) console.error('ibank:', code, detail);
  }
  window[C.globals.loader] = { fail: fail };
  document.getElementById('load-error-retry').addEventListener('click', () => location.reload());
  window.addEventListener('error', (e) => fail('stopped', e.message));
  window.addEventListener(C.events.firstFrame, () => { document.getElementById('loading').hidden = true; });

  if (typeof WebAssembly !== 'object' || typeof WebAssembly.compileStreaming !== 'function') {
    fail('wasm unsupported');
    return;
  }

  // Progress over the downloads that block the first frame.
  const progress = { loaded: {}, total: {} };
  function showProgress() {
    let loaded = 0, total = 0;
    for (const k in progress.total) { loaded += progress.loaded[k] || 0; total += progress.total[k]; }
    if (total > 0)
      document.getElementById('loading-bar').style.width = Math.min(100, Math.round(100 * loaded / total)) + '%';
  }

  // A response whose body reports progress as it streams through.
  function withProgress(key, response) {
    if (!response.ok) throw new Error(key + ': HTTP ' + response.status);
    // Content-Length is the transfer size; with compression the body is larger, so cap at 100 %.
    progress.total[key] = Number(response.headers.get('Content-Length')) || 0;
    const reader = response.body.getReader();
    const counted = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) { controller.close(); return; }
        progress.loaded[key] = (progress.loaded[key] || 0) + value.length;
        showProgress();
        controller.enqueue(value);
      },
      cancel(reason) { reader.cancel(reason); },
    });
    return new Response(counted, { headers: { 'Content-Type': response.headers.get('Content-Type') || '' } });
  }

  // The module's bytes go to the compiler untouched (no JavaScript in their path, which would
  // slow streaming compilation down); a copy of the stream is only counted for the progress bar.
  function countedInParallel(key, response) {
    if (!response.ok) throw new Error(key + ': HTTP ' + response.status);
    progress.total[key] = Number(response.headers.get('Content-Length')) || 0;
    const [toCompiler, toCounter] = response.body.tee();
    const reader = toCounter.getReader();
    const count = () => reader.read().then(({ done, value }) => {
      if (done) return;
      progress.loaded[key] = (progress.loaded[key] || 0) + value.length;
      showProgress();
      return count();
    });
    count().catch(() => {});
    return new Response(toCompiler, { headers: { 'Content-Type': 'application/wasm' } });
  }

  // Everything starts at once: the module compiles while it streams in, and the font, the
  // configuration and the module's JavaScript download beside it.
  const compiled = fetch(files.wasm).then((r) => WebAssembly.compileStreaming(countedInParallel('wasm', r)));
  const font = fetch(files.font).then((r) => withProgress('font', r)).then((r) => r.arrayBuffer());
  // The configuration is edited by the credit union without a rebuild; the server sends it
  // with Cache-Control: no-cache, so it is revalidated on every visit.
  const config = fetch(files.config).then((r) => {
    if (!r.ok) throw new Error('config: HTTP ' + r.status);
    return r.arrayBuffer();
  });
  compiled.catch((e) => fail('load failed', e));

  // WebGL2 is not probed here: creating a context takes the main thread for a while, and the
  // module's start-up (src/platform/web/main.cpp) reports C.failures.webgl2Unavailable itself.

  const assets = Promise.all([font, config]);
  assets.catch((e) => fail('load failed', e));

  // Read by the module's JavaScript (ibank.js), which runs right after this file.
  window.Module = {
    // main() waits until the font and the configuration are in.
    preRun: [() => {
      Module.addRunDependency('ibank-assets');
      assets.then(([fontBytes, configBytes]) => {
        Module[C.assets.module] = { [C.assets.font]: new Uint8Array(fontBytes), [C.assets.config]: new Uint8Array(configBytes) };
        Module.removeRunDependency('ibank-assets');
      });
    }],
    [C.glyphManifest]: files.glyphs,
    // The certificate module of 電子証明書取得 and 更新 (web/enroll): downloaded the first time one
    // of those screens needs it, never for the first screen; after a failure the next call tries
    // again instead of repeating the failure.
    [C.certificateModule]: (() => {
      let loading = null;
      return () => {
        if (!loading) loading = import(new URL(files.enroll, document.baseURI).href).catch((e) => { loading = null; throw e; });
        return loading;
      };
    })(),
    instantiateWasm(imports, receiveInstance) {
      compiled
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
        .catch((e) => fail('load failed', e));
      return {};
    },
    onAbort: (what) => fail('stopped', what),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
  };
})();
