// Decodes the PNG screenshots Chromium produces (8-bit, non-interlaced, grey/RGB/RGBA) into
// RGBA pixels, so tests can look at what was actually painted without an image library.
import zlib from 'node:zlib';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const channelsOf = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(buffer) {
  if (!buffer.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let offset = 8;
  let header = null;
  const idat = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8],
                 colorType: data[9], interlace: data[12] };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const channels = channelsOf[header?.colorType];
  if (!header || header.depth !== 8 || header.interlace !== 0 || !channels) {
    throw new Error(`unsupported PNG (${JSON.stringify(header)})`);
  }
  const { width, height } = header;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = (line[x] + predicted) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = pixels.subarray(i * channels, (i + 1) * channels);
    const grey = channels <= 2;
    rgba[i * 4] = s[0];
    rgba[i * 4 + 1] = grey ? s[0] : s[1];
    rgba[i * 4 + 2] = grey ? s[0] : s[2];
    rgba[i * 4 + 3] = channels === 4 ? s[3] : channels === 2 ? s[1] : 255;
  }
  return { width, height, rgba };
}

// Relative luminance 0..255 of every pixel.
export function luminances({ width, height, rgba }) {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.2126 * rgba[i * 4] + 0.7152 * rgba[i * 4 + 1] + 0.0722 * rgba[i * 4 + 2];
  }
  return out;
}

// How the pixels of an image split into the background (the most common luminance, quantised)
// and the rest: darkRatio = share of pixels clearly darker than the background,
// contrastRatio = share clearly different in either direction.
export function inkStats(image, threshold = 64) {
  const lum = luminances(image);
  const histogram = new Uint32Array(256);
  for (const l of lum) histogram[Math.round(l)] += 1;
  let background = 0;
  for (let l = 1; l < 256; l++) if (histogram[l] > histogram[background]) background = l;
  let dark = 0, different = 0;
  for (const l of lum) {
    if (l < background - threshold) dark += 1;
    if (Math.abs(l - background) > threshold) different += 1;
  }
  return { background, darkRatio: dark / lum.length, contrastRatio: different / lum.length };
}
