// Writes a brotli (`.br`) and a gzip (`.gz`) copy next to each of the widget's pages, scripts,
// styles and WebAssembly modules, once per build, for the server to send to browsers that accept them
// (`ServeDir::precompressed_br` / `precompressed_gzip`). Compressing at build time allows the
// slowest, smallest settings (brotli 11, gzip 9), which would cost too much per request.
//
// Trunk runs it after each build (`[[hooks]]` in Trunk.toml and Trunk.verify.toml) on its
// staging directory (TRUNK_STAGING_DIR); by hand: `node scripts/precompress.mjs DIR`.
// Node's own zlib, so the build needs nothing that the tests do not already install.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("usage: node scripts/precompress.mjs DIR (or run it as a Trunk post_build hook)");
  process.exit(2);
}

const compressible = /\.(wasm|js|css|html)$/;
const encodings = [
  ["br", (bytes) => brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  })],
  ["gz", (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION })],
];

for (const name of readdirSync(dir).filter((name) => compressible.test(name)).sort()) {
  const bytes = readFileSync(join(dir, name));
  const written = [];
  for (const [suffix, compress] of encodings) {
    const packed = compress(bytes);
    // A copy that saves nothing is left out: the server then sends the file as it is.
    if (packed.length >= bytes.length) continue;
    writeFileSync(join(dir, `${name}.${suffix}`), packed);
    written.push(`${suffix} ${packed.length} B`);
  }
  console.log(`precompressed ${name} (${bytes.length} B): ${written.join(", ") || "nothing smaller"}`);
}
