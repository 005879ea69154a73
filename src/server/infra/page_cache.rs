//! Signed-in pages kept once rendered and sent again while nothing they show has changed.
//!
//! A page is a function of who asks (the session: its person, account, role, client view), what
//! is asked (the address), the calendar day, and the data. The first three are the key; the data
//! is covered by the page version (`db::page_version`), which triggers move on every committed
//! write to a table a page reads, and which the session's one query reads before the page reads
//! anything. A kept page is sent only while the version and the day are those it was rendered
//! under; a write in between, by anyone (a use case, the scheduler, the operator API, another
//! server process), makes the next request render again. A page rendered under version n from
//! data read after n is still right at n: a write that landed in between moved the version.
//!
//! Only pages whose content follows from those four are kept ([`is_kept`]): not those that make
//! something fresh for each showing (a payment's idempotency key on the pay, credit and
//! subscription pages) or depend on the time of day (an invitation's or a top-up's age).
//! Each answer still gets a fresh CSP nonce: the kept page's is replaced in the body and the
//! header. Redirects, errors, answers setting a cookie and anything but HTML are not kept.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use time::Date;

use crate::server::infra::auth::authorize::ResolvedSession;
use crate::server::infra::auth::sessions::SessionRecord;
use crate::server::infra::clock::today;
use crate::server::infra::headers::{accepts_encoding, page_policy};
use crate::server::infra::precompress;
use crate::server::infra::state::AppState;

/// A page larger than this is not kept (the longest billing history page is a few hundred KB).
const LARGEST_KEPT: usize = 1 << 20;

/// The pages kept: the address without its query (which is part of the key).
pub fn is_kept(path: &str) -> bool {
    let under = |prefix: &str| path.strip_prefix(prefix).is_some_and(|id| !id.is_empty() && !id.contains('/'));
    matches!(
        path,
        "/" | "/billing-history"
            | "/payments"
            | "/usage"
            | "/estimates"
            | "/activity"
            | "/payment-methods"
            | "/billing-details"
    ) || under("/invoices/")
        || under("/estimates/")
}

pub struct PageCache {
    pages: quick_cache::sync::Cache<[u8; 32], Arc<KeptPage>, ByLength>,
    hits: AtomicU64,
    renders: AtomicU64,
}

struct KeptPage {
    version: i64,
    day: Date,
    nonce: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone)]
struct ByLength;

impl quick_cache::Weighter<[u8; 32], Arc<KeptPage>> for ByLength {
    fn weight(&self, _: &[u8; 32], page: &Arc<KeptPage>) -> u64 {
        (page.body.len() + 256) as u64
    }
}

impl PageCache {
    /// A cache of at most `mib` MiB of pages; `None` for 0 (no cache).
    pub fn new(mib: u64) -> Option<PageCache> {
        let bytes = mib.checked_mul(1 << 20).filter(|b| *b > 0)?;
        // quick_cache sizes its table from an estimate of the entries: pages of ~16 KB.
        let estimated = usize::try_from(bytes / 16_384).unwrap_or(usize::MAX).max(16);
        Some(PageCache {
            pages: quick_cache::sync::Cache::with_weighter(estimated, bytes, ByLength),
            hits: AtomicU64::new(0),
            renders: AtomicU64::new(0),
        })
    }

    /// Answers sent from the cache, and pages rendered for it, since the start.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.renders.load(Ordering::Relaxed))
    }
}

/// What a page shows of the session that only the session's own row holds, with the address:
/// the key. The rest of the session record (the person's name and email, the account's name,
/// currency and role, the staff role, the vendor's name) comes from tables whose writes move the
/// page version, so it needs no place here. Digested so that the key is small and no two askers
/// can share one (a collision would show one client another's page).
fn key(session: &SessionRecord, path_and_query: &str) -> [u8; 32] {
    let mut digest = Sha256::new();
    let mut field = |value: &str| {
        digest.update((value.len() as u64).to_le_bytes());
        digest.update(value.as_bytes());
    };
    field(&session.id_hash);
    field(session.account.as_ref().map(|account| account.id.as_str()).unwrap_or(""));
    match &session.impersonation {
        Some(i) => field(&format!("{}-{}", i.started_at, i.ends_at)),
        None => field(""),
    }
    // Lapsed by the clock, not by a write.
    field(if session.impersonation_lapsed { "lapsed" } else { "" });
    field(session.return_to.as_ref().map(|r| r.url.as_str()).unwrap_or(""));
    field(path_and_query);
    digest.finalize().into()
}

/// Sends a kept page when it is still right; else renders, and keeps what may be kept.
pub async fn pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(cache) = state.pages.as_deref() else { return next.run(request).await };
    if request.method() != Method::GET || !is_kept(request.uri().path()) {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<ResolvedSession>().and_then(|r| r.0.as_ref()) else {
        return next.run(request).await;
    };
    let key = key(session, request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"));
    let (version, day) = (session.page_version, today(state.clock.as_ref()));
    let encoding = Encoding::accepted(request.headers());
    if let Some(page) = cache.pages.get(&key)
        && page.version == version
        && page.day == day
    {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        return answer(&page, encoding);
    }
    let response = next.run(request).await;
    if !may_keep(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "rendering a page failed while it was sent");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let nonce = parts.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).and_then(nonce_of);
    if let (Some(nonce), Ok(text)) = (nonce, std::str::from_utf8(&bytes))
        && bytes.len() <= LARGEST_KEPT
    {
        let mut headers = parts.headers.clone();
        headers.remove(header::CONTENT_SECURITY_POLICY);
        headers.remove(header::CONTENT_LENGTH);
        let page = KeptPage { version, day, nonce: nonce.to_string(), headers, body: text.to_string() };
        cache.renders.fetch_add(1, Ordering::Relaxed);
        let body = encoding.encode(&mut parts.headers, bytes);
        cache.pages.insert(key, Arc::new(page));
        return Response::from_parts(parts, body);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// How a kept page's answer is compressed: here, not by the compression layer (which leaves an
/// answer that has an encoding alone). The whole page is at hand, so zstd is told its size and
/// sizes its tables to it, and each thread keeps its compressor; the layer's streaming encoder
/// made and zeroed tables for a window of any size for every answer: 17 % of the CPU time of an
/// answer sent from the cache (perf, bench/web.sh). Level 3: on a whole page of this size
/// (`zstd -b1 -e3` on the dashboard's 12.7 KB) levels 1 to 3 run at the same 400-470 MB/s and 3
/// is the smallest (3,548 B against 3,709 and 3,757); gzip (for browsers without zstd) at the
/// level the layer compresses other pages at ([`PAGE_LEVEL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Zstd,
    Gzip,
    Identity,
}

const ZSTD_LEVEL: i32 = 3;

/// The level pages are compressed at as they are sent: by the compression layer (gzip and zstd;
/// why 2 is said there, in `app`) and, for gzip, here.
pub const PAGE_LEVEL: u32 = 2;

impl Encoding {
    /// What the request takes, zstd first (pages are not sent as brotli: see `app`).
    fn accepted(request_headers: &HeaderMap) -> Encoding {
        if accepts_encoding(request_headers, "zstd") {
            Encoding::Zstd
        } else if accepts_encoding(request_headers, "gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    /// The body in this encoding, with the headers that say so; as it is if compressing fails.
    fn encode(self, headers: &mut HeaderMap, body: Bytes) -> Body {
        let compressed = match self {
            Encoding::Zstd => ZSTD.with(|cell| {
                let mut slot = cell.borrow_mut();
                if slot.is_none() {
                    *slot = zstd::bulk::Compressor::new(ZSTD_LEVEL).ok();
                }
                slot.as_mut().and_then(|compressor| compressor.compress(&body).ok())
            }),
            Encoding::Gzip => precompress::gzip_at(&body, PAGE_LEVEL).ok(),
            Encoding::Identity => None,
        };
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        let Some(compressed) = compressed else { return Body::from(body) };
        let name = if self == Encoding::Zstd { "zstd" } else { "gzip" };
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        headers.remove(header::CONTENT_LENGTH);
        Body::from(compressed)
    }
}

thread_local! {
    static ZSTD: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> = const { std::cell::RefCell::new(None) };
}

/// A full page that is the same for every showing: 200, HTML, no cookie set.
fn may_keep(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

/// The nonce a page's policy names.
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len]).filter(|nonce| !nonce.is_empty())
}

/// A kept page with a fresh nonce in its scripts and its policy.
fn answer(page: &KeptPage, encoding: Encoding) -> Response {
    // Made as Leptos makes the nonce of a page it renders.
    let nonce = leptos::nonce::Nonce::new().to_string();
    let mut headers = page.headers.clone();
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let body = encoding.encode(&mut headers, Bytes::from(page.body.replace(&page.nonce, &nonce)));
    let mut response = Response::new(body);
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_pages_are_the_ones_that_follow_from_data_and_day() {
        for path in
            ["/", "/billing-history", "/invoices/inv_1", "/estimates/est_1", "/usage", "/activity", "/payment-methods"]
        {
            assert!(is_kept(path), "{path}");
        }
        for path in ["/pay", "/credit", "/subscriptions", "/team", "/invoices/inv_1/pdf", "/invoices/", "/login"] {
            assert!(!is_kept(path), "{path}");
        }
    }

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        assert_eq!(nonce_of(&page_policy("abc_-1")), Some("abc_-1"));
        assert_eq!(nonce_of("default-src 'self'"), None);
        assert_eq!(nonce_of("script-src 'nonce-'"), None);
    }

    #[test]
    fn a_kept_page_goes_out_with_a_fresh_nonce_everywhere_the_old_one_was() {
        let page = KeptPage {
            version: 1,
            day: time::macros::date!(2026 - 11 - 22),
            nonce: "OLDNONCE".into(),
            headers: HeaderMap::new(),
            body: r#"<script nonce="OLDNONCE"></script><script nonce="OLDNONCE" src="/x.js"></script>"#.into(),
        };
        let first = answer(&page, Encoding::Identity);
        let second = answer(&page, Encoding::Zstd);
        let nonce = |r: &Response| {
            nonce_of(r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap()).unwrap().to_string()
        };
        let (first_nonce, second_nonce) = (nonce(&first), nonce(&second));
        assert_ne!(first_nonce, second_nonce);
        assert_eq!(first_nonce.len(), 22);
        let body = futures::executor::block_on(axum::body::to_bytes(first.into_body(), usize::MAX)).unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(!body.contains("OLDNONCE"));
        assert_eq!(body.matches(&format!("nonce=\"{first_nonce}\"")).count(), 2);

        assert_eq!(second.headers()[header::CONTENT_ENCODING], "zstd");
        assert_eq!(second.headers()[header::VARY], "accept-encoding");
        let packed = futures::executor::block_on(axum::body::to_bytes(second.into_body(), usize::MAX)).unwrap();
        let unpacked = String::from_utf8(zstd::bulk::decompress(&packed, 1 << 20).unwrap()).unwrap();
        assert_eq!(unpacked.replace(&second_nonce, "N"), body.replace(&first_nonce, "N"));
    }

    #[test]
    fn the_encoding_is_the_best_the_request_takes() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
            Encoding::accepted(&headers)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Encoding::Zstd);
        assert_eq!(with("gzip, deflate, br"), Encoding::Gzip);
        assert_eq!(with("zstd;q=0, gzip"), Encoding::Gzip);
        assert_eq!(with("br"), Encoding::Identity);
        let mut headers = HeaderMap::new();
        let body = Encoding::Gzip.encode(&mut headers, Bytes::from_static(b"<p>page</p>"));
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        let packed = futures::executor::block_on(axum::body::to_bytes(body, usize::MAX)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut text).unwrap();
        assert_eq!(text, "<p>page</p>");
    }
}
