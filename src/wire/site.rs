//! What the server tells the page shell about the site it serves.

/// The URLs of the build's stylesheet, JS and WASM (named after their content when the build
/// hashed its files), and of the shell's module naming them ([`hydration_module`], served by
/// the server from memory, named after its content too): all made once at start rather than on
/// every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageAssets {
    pub stylesheet: String,
    pub script: String,
    pub wasm: String,
    /// The shell's module: `/pkg/shell.<hash>.js`, or `/pkg/shell.js` in a build without hashes.
    pub shell: String,
}

impl PageAssets {
    /// A build without hashed names: cargo-leptos's plain `<output>.css/.js/.wasm`.
    pub fn unhashed(output_name: &str) -> Self {
        Self {
            stylesheet: format!("/pkg/{output_name}.css"),
            script: format!("/pkg/{output_name}.js"),
            wasm: format!("/pkg/{output_name}.wasm"),
            shell: format!("/pkg/{SHELL_MODULE}.js"),
        }
    }
}

/// The shell module's file name under `/pkg`, before its hash and `.js`.
pub const SHELL_MODULE: &str = "shell";

/// The shell's module (a file of its own, fetched once and then kept by the browser, rather than
/// inline in every page): loads the JS and WASM and takes over the page's islands when one is
/// about to be used (or at load, for one that asks), and keeps navigation in the page
/// (`hydration.js`). Leptos's
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
    // Without its comment lines and indentation.
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
        let module = hydration_module("/pkg/portico.js", "/pkg/portico.wasm");
        assert!(module.ends_with(r#"})("/pkg/portico.js", "/pkg/portico.wasm")"#), "{module}");
        assert!(!module.contains("\n//"), "comment lines are left out");
        // A quote in a name cannot end the string early.
        assert!(hydration_module("/a\".js", "/b.wasm").ends_with(r#"})("/a\".js", "/b.wasm")"#));
    }
}
