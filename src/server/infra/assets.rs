//! The site's fingerprinted assets. With `hash-files` (Cargo.toml's `[package.metadata.leptos]`),
//! cargo-leptos names the app's JS, WASM and CSS after their content (`portico.<hash>.wasm`) and
//! writes the hashes to `hash.txt` beside the server binary, read here once at start; the page
//! shell links the stylesheet, JS and WASM named here. A file whose
//! name is its content never changes, so a browser may keep it for a year without asking again;
//! anything else under `/pkg` (a build without hashes, as in tests and `cargo leptos watch`)
//! must be revalidated on each use.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::wire::site::PageAssets;

/// The file Leptos and cargo-leptos agree on (`LEPTOS_HASH_FILE_NAME`'s default).
pub const HASH_FILE_NAME: &str = "hash.txt";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The content-named files of this build, as served under `/pkg` (file names, no directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetManifest {
    immutable: HashSet<String>,
    /// The stylesheet's, JS's and WASM's paths, for the page shell (and the stylesheet for pages
    /// rendered outside Leptos, e.g. the portal link's 410).
    page: Arc<PageAssets>,
}

impl AssetManifest {
    /// Reads `hash.txt` beside the running binary, where cargo-leptos writes it. None when the
    /// build did not hash its files.
    pub fn beside_current_exe(output_name: &str) -> Option<Self> {
        let path = hash_file_path()?;
        let text = std::fs::read_to_string(path).ok()?;
        Some(Self::parse(&text, output_name))
    }

    /// A build without hashed names: nothing is immutable, the stylesheet has its plain name.
    pub fn unhashed(output_name: &str) -> Self {
        Self { immutable: HashSet::new(), page: Arc::new(PageAssets::unhashed(output_name)) }
    }

    /// `hash.txt` holds lines like `wasm: <hash>`; the files are `<output>.<hash>.<kind>`.
    pub fn parse(text: &str, output_name: &str) -> Self {
        let PageAssets { mut stylesheet, mut script, mut wasm, .. } = PageAssets::unhashed(output_name);
        let mut immutable = HashSet::new();
        for (kind, hash) in text.lines().filter_map(|line| line.split_once(':')) {
            let (kind, hash) = (kind.trim(), hash.trim());
            if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            if matches!(kind, "js" | "wasm" | "css") {
                let name = format!("{output_name}.{hash}.{kind}");
                let href = format!("/pkg/{name}");
                match kind {
                    "css" => stylesheet = href,
                    "js" => script = href,
                    _ => wasm = href,
                }
                immutable.insert(name);
            }
        }
        Self { immutable, page: Arc::new(PageAssets::new(stylesheet, script, wasm)) }
    }

    pub fn is_immutable(&self, file_name: &str) -> bool {
        self.immutable.contains(file_name)
    }

    /// What the page shell links (shared, not copied, by every render).
    pub fn page_assets(&self) -> &Arc<PageAssets> {
        &self.page
    }
}

fn hash_file_path() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent().unwrap_or(Path::new(".")).join(HASH_FILE_NAME))
}

/// The caching policy of whatever `/pkg` answers: a year for a content-named file, revalidation
/// (its `Last-Modified` makes that a 304) for anything else. Errors keep no cache header.
pub async fn cache_policy(State(manifest): State<Arc<AssetManifest>>, request: Request, next: Next) -> Response {
    let file_name = request.uri().path().rsplit('/').next().unwrap_or_default().to_string();
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let policy = if manifest.is_immutable(&file_name) { IMMUTABLE } else { REVALIDATE };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_file_names_the_content_addressed_files() {
        let manifest = AssetManifest::parse("js: AbC-12_x\nwasm: Zz9\ncss: q1w2\nsplit: ignored\n\n", "portico");
        assert!(manifest.is_immutable("portico.AbC-12_x.js"));
        assert!(manifest.is_immutable("portico.Zz9.wasm"));
        assert!(manifest.is_immutable("portico.q1w2.css"));
        assert!(!manifest.is_immutable("portico.js"));
        assert!(!manifest.is_immutable("portico.Zz9.js"));
        assert_eq!(manifest.page_assets().stylesheet, "/pkg/portico.q1w2.css");
        assert_eq!(manifest.page_assets().script, "/pkg/portico.AbC-12_x.js");
        assert_eq!(manifest.page_assets().wasm, "/pkg/portico.Zz9.wasm");
    }

    #[test]
    fn an_unhashed_build_has_nothing_immutable() {
        let manifest = AssetManifest::parse("wasm: ../../etc\n", "portico");
        assert!(!manifest.is_immutable("portico.../../etc.wasm"));
        assert_eq!(manifest.page_assets().stylesheet, "/pkg/portico.css");
        assert_eq!(**manifest.page_assets(), PageAssets::unhashed("portico"));
        assert_eq!(manifest.page_assets().wasm, "/pkg/portico.wasm");
    }
}
