//! What the server tells the page shell about the site it serves.

/// The URLs of the build's stylesheet, JS and WASM (named after their content when the build
/// hashed its files), and the shell's hydration script naming them: all made once at start
/// rather than on every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageAssets {
    pub stylesheet: String,
    pub script: String,
    pub wasm: String,
    /// The inline module that hydrates the page (see [`hydration_module`]).
    pub hydration: String,
}

impl PageAssets {
    pub fn new(stylesheet: String, script: String, wasm: String) -> Self {
        let hydration = hydration_module(&script, &wasm);
        Self { stylesheet, script, wasm, hydration }
    }

    /// A build without hashed names: cargo-leptos's plain `<output>.css/.js/.wasm`.
    pub fn unhashed(output_name: &str) -> Self {
        Self::new(
            format!("/pkg/{output_name}.css"),
            format!("/pkg/{output_name}.js"),
            format!("/pkg/{output_name}.wasm"),
        )
    }
}

/// Loads the JS and WASM and takes over the page's islands once the page has been painted and
/// the browser is idle, and keeps navigation in the page (`hydration.js`). Leptos's
/// `HydrationScripts` (even with `defer`) preloads both from the `<head>`, and its idle callback
/// can come before the first paint: on a slow phone the WASM then competes with the stylesheet,
/// and the first paint waits for hydration (measured: Lighthouse timed the largest paint at 6.4 s
/// instead of 1 s on some pages, see README "Performance"). Here nothing is fetched before a
/// frame has been painted, and the page works before it is hydrated (links navigate, forms
/// post). `requestAnimationFrame` runs before the next paint; a timer set from it runs after.
pub fn hydration_module(script: &str, wasm: &str) -> String {
    // JSON strings are JavaScript strings; a `String` always serializes.
    let (script, wasm) =
        (serde_json::to_string(script).unwrap_or_default(), serde_json::to_string(wasm).unwrap_or_default());
    // Sent with every page: without its comment lines and indentation.
    let code: Vec<&str> = include_str!("hydration.js")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect();
    format!("{}({script}, {wasm})", code.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hydration_module_names_the_build_files_as_javascript_strings() {
        let assets = PageAssets::unhashed("portico");
        assert!(assets.hydration.ends_with(r#"})("/pkg/portico.js", "/pkg/portico.wasm")"#), "{}", assets.hydration);
        // A quote in a name cannot end the string early.
        assert!(hydration_module("/a\".js", "/b.wasm").ends_with(r#"})("/a\".js", "/b.wasm")"#));
    }
}
