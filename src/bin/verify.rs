//! The hosted verification page's program (`/link/verify/`): Trunk builds it to WebAssembly from
//! `verify.html`, in a bundle of its own so that the link widget does not carry the page, and
//! `src/boot.js` runs it.

#[cfg(target_arch = "wasm32")]
fn main() {
    finlink::verify::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The finlink verification page runs in a browser: build it with `make widget` (Trunk)."
    );
    std::process::exit(2);
}
