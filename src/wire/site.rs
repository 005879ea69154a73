//! What the server tells the page shell about the site it serves.

/// The URLs of the build's stylesheet, JS and WASM (named after their content when the build
/// hashed its files), read once at start rather than on every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageAssets {
    pub stylesheet: String,
    pub script: String,
    pub wasm: String,
}

impl PageAssets {
    /// A build without hashed names: cargo-leptos's plain `<output>.css/.js/.wasm`.
    pub fn unhashed(output_name: &str) -> Self {
        Self {
            stylesheet: format!("/pkg/{output_name}.css"),
            script: format!("/pkg/{output_name}.js"),
            wasm: format!("/pkg/{output_name}.wasm"),
        }
    }
}
