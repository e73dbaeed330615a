//! The widget page's program: Trunk builds it to WebAssembly and `src/boot.js` runs it.

#[cfg(target_arch = "wasm32")]
fn main() {
    finlink::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The finlink widget runs in a browser: build it with `make widget` (Trunk).");
    std::process::exit(2);
}
