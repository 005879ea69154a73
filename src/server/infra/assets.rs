//! The site's fingerprinted assets. With `hash-files` (Cargo.toml's `[package.metadata.leptos]`),
//! cargo-leptos names the app's JS, WASM and CSS after their content (`portico.<hash>.wasm`) and
//! writes the hashes to `hash.txt` beside the server binary, read here once at start; the page
//! shell links the stylesheet, JS and WASM named here. A file whose
//! name is its content never changes, so a browser may keep it for a year without asking again;
//! anything else under `/pkg` (a build without hashes, as in tests and `cargo leptos watch`)
//! must be revalidated on each use.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::server::infra::headers::accepts_encoding;
use crate::server::infra::precompress;
use crate::wire::site::{PageAssets, SHELL_MODULE, hydration_module};

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
    /// The shell's module, served from memory.
    shell: Arc<ShellModule>,
}

/// The shell's module (`wire::site::hydration_module`), made once at start for this build's JS
/// and WASM: a file every page names, so that a browser fetches it once, where inline it came
/// again with every page (about 2.5 KB compressed each time).
#[derive(Debug)]
pub struct ShellModule {
    /// Its name under `/pkg`.
    pub file_name: String,
    code: Bytes,
    /// Its gzip and brotli copies, made when it is first asked for (brotli at its best quality
    /// costs milliseconds: not at every start, nor in every test that starts the app).
    compressed: OnceLock<Compressed>,
}

/// The same module whether or not its copies have been made yet.
impl PartialEq for ShellModule {
    fn eq(&self, other: &Self) -> bool {
        self.file_name == other.file_name && self.code == other.code
    }
}

impl Eq for ShellModule {}

#[derive(Debug)]
struct Compressed {
    gzip: Bytes,
    brotli: Bytes,
}

impl ShellModule {
    /// Named after its content (`shell.<hash>.js`) when `hashed`, else `shell.js`.
    fn new(script: &str, wasm: &str, hashed: bool) -> Self {
        let code = Bytes::from(hydration_module(script, wasm));
        let file_name = if hashed {
            let digest = Sha256::digest(&code);
            format!("{SHELL_MODULE}.{}.js", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]))
        } else {
            format!("{SHELL_MODULE}.js")
        };
        Self { file_name, code, compressed: OnceLock::new() }
    }

    fn compressed(&self) -> &Compressed {
        self.compressed.get_or_init(|| Compressed {
            // Compressing a few kilobytes in memory cannot fail; were it to, the copy is left out.
            gzip: precompress::gzip(&self.code).map(Bytes::from).unwrap_or_default(),
            brotli: precompress::brotli(&self.code).map(Bytes::from).unwrap_or_default(),
        })
    }

    /// The module in the best encoding the request accepts (the cache policy is `cache_policy`'s).
    pub fn response(&self, request_headers: &HeaderMap) -> Response {
        let accepts = |coding: &str| accepts_encoding(request_headers, coding);
        let (body, encoding) = if accepts("br") && !self.compressed().brotli.is_empty() {
            (self.compressed().brotli.clone(), Some("br"))
        } else if accepts("gzip") && !self.compressed().gzip.is_empty() {
            (self.compressed().gzip.clone(), Some("gzip"))
        } else {
            (self.code.clone(), None)
        };
        let mut response = Body::from(body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    }
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
        Self::with(HashSet::new(), PageAssets::unhashed(output_name))
    }

    /// The shell's module for these files, named after its content when they are.
    fn with(mut immutable: HashSet<String>, mut page: PageAssets) -> Self {
        let shell = ShellModule::new(&page.script, &page.wasm, !immutable.is_empty());
        page.shell = format!("/pkg/{}", shell.file_name);
        if !immutable.is_empty() {
            immutable.insert(shell.file_name.clone());
        }
        Self { immutable, page: Arc::new(page), shell: Arc::new(shell) }
    }

    /// `hash.txt` holds lines like `wasm: <hash>`; the files are `<output>.<hash>.<kind>`.
    pub fn parse(text: &str, output_name: &str) -> Self {
        let PageAssets { mut stylesheet, mut script, mut wasm, shell } = PageAssets::unhashed(output_name);
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
        Self::with(immutable, PageAssets { stylesheet, script, wasm, shell })
    }

    pub fn is_immutable(&self, file_name: &str) -> bool {
        self.immutable.contains(file_name)
    }

    /// What the page shell links (shared, not copied, by every render).
    pub fn page_assets(&self) -> &Arc<PageAssets> {
        &self.page
    }

    pub fn shell(&self) -> &Arc<ShellModule> {
        &self.shell
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
        // The shell's module names those files and is named after its content.
        let shell = manifest.shell();
        assert_eq!(manifest.page_assets().shell, format!("/pkg/{}", shell.file_name));
        assert!(
            shell.file_name.starts_with("shell.") && shell.file_name.ends_with(".js") && shell.file_name.len() > 12
        );
        assert!(manifest.is_immutable(&shell.file_name));
        let code = String::from_utf8(shell.code.to_vec()).unwrap();
        assert!(code.ends_with(r#"("/pkg/portico.AbC-12_x.js", "/pkg/portico.Zz9.wasm")"#), "{code}");
        let other = AssetManifest::parse("js: AbC-12_x\nwasm: Other\ncss: q1w2\n", "portico");
        assert_ne!(other.shell().file_name, shell.file_name, "another build's module has another name");
    }

    #[test]
    fn the_shell_module_is_sent_in_the_best_encoding_the_browser_takes() {
        let manifest = AssetManifest::parse("js: a\nwasm: b\n", "portico");
        let encoding_for = |accept: &str| {
            let mut headers = HeaderMap::new();
            if !accept.is_empty() {
                headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
            }
            let response = manifest.shell().response(&headers);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
            assert_eq!(response.headers()[header::VARY], "accept-encoding");
            response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(encoding_for("gzip, deflate, br, zstd").as_deref(), Some("br"));
        assert_eq!(encoding_for("gzip").as_deref(), Some("gzip"));
        assert_eq!(encoding_for("br;q=0, gzip;q=0.5").as_deref(), Some("gzip"));
        assert_eq!(encoding_for("").as_deref(), None);
        assert_eq!(encoding_for("identity").as_deref(), None);
        let shell = manifest.shell();
        let compressed = shell.compressed();
        assert!(compressed.brotli.len() < shell.code.len() && compressed.gzip.len() < shell.code.len());
    }

    #[test]
    fn an_unhashed_build_has_nothing_immutable() {
        let manifest = AssetManifest::parse("wasm: ../../etc\n", "portico");
        assert!(!manifest.is_immutable("portico.../../etc.wasm"));
        assert_eq!(manifest.page_assets().stylesheet, "/pkg/portico.css");
        assert_eq!(**manifest.page_assets(), PageAssets::unhashed("portico"));
        assert_eq!(manifest.page_assets().wasm, "/pkg/portico.wasm");
        assert_eq!(manifest.page_assets().shell, "/pkg/shell.js");
        assert!(!manifest.is_immutable("shell.js"));
    }
}
