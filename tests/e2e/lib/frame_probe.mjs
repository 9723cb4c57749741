// An init script that counts the frames a page really draws, independently of what the app
// reports about itself: every WebGL draw or clear call is wrapped, and the draw calls made in one
// go (up to the next microtask checkpoint, i.e. one requestAnimationFrame callback or one event
// handler) count as one frame. requestAnimationFrame callbacks are counted too.
// The same probe measures our app and the stock ImGui example in scripts/bench-web.
//
// In the page: window.__frameProbe = { frames, firstFrameEndMs, rafCallbacks }
//   frames           groups of draw calls (= frames rendered)
//   firstFrameEndMs  performance.now() when the first frame's draw calls were all issued
//   rafCallbacks     requestAnimationFrame callbacks run
//   wasmReadyMs      performance.now() when the first WebAssembly instance was ready
function installFrameProbe() {
  const probe = { frames: 0, firstFrameEndMs: null, rafCallbacks: 0, wasmReadyMs: null };
  Object.defineProperty(window, '__frameProbe', { value: probe });
  let frameOpen = false;
  const closeFrame = () => {
    frameOpen = false;
    if (probe.firstFrameEndMs === null) probe.firstFrameEndMs = performance.now();
  };
  const noteDraw = () => {
    if (frameOpen) return;
    frameOpen = true;
    probe.frames += 1;
    queueMicrotask(closeFrame);
  };
  const drawCalls = ['clear', 'drawArrays', 'drawElements', 'drawArraysInstanced',
                     'drawElementsInstanced', 'drawRangeElements'];
  for (const api of [window.WebGL2RenderingContext, window.WebGLRenderingContext]) {
    if (!api) continue;
    for (const name of drawCalls) {
      const original = api.prototype[name];
      if (typeof original !== 'function') continue;
      api.prototype[name] = function (...args) {
        noteDraw();
        return original.apply(this, args);
      };
    }
  }
  if (typeof WebAssembly === 'object') {
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const original = WebAssembly[name];
      if (typeof original !== 'function') continue;
      WebAssembly[name] = function (...args) {
        return original.apply(this, args).then((result) => {
          if (probe.wasmReadyMs === null) probe.wasmReadyMs = performance.now();
          return result;
        });
      };
    }
  }
  const originalRaf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => originalRaf((time) => {
    probe.rafCallbacks += 1;
    return callback(time);
  });
}

export const frameProbeScript = `(${installFrameProbe.toString()})();`;

// Adds the probe to every document the context (or page) loads from now on.
export async function addFrameProbe(contextOrPage) {
  await contextOrPage.addInitScript({ content: frameProbeScript });
}

export async function readFrameProbe(page) {
  return page.evaluate(() => ({ ...window.__frameProbe }));
}
