//! The site's static assets compressed once, at build time, next to themselves (`x.wasm.br`,
//! `x.wasm.gz`), so the server sends them from disk instead of compressing the same megabytes
//! again for every visitor (`portico precompress`, run by scripts/run.sh and scripts/test.sh
//! after the build). Brotli at its best quality and gzip at 9: paid once, read many times.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Files worth compressing: text and WASM. Images are already compressed.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "svg", "html", "json", "txt", "map", "webmanifest"];
/// Below this, a compressed copy saves less than its own overhead.
const MIN_BYTES: u64 = 1024;

/// One asset and its sizes: raw, gzip, brotli.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compressed {
    pub path: PathBuf,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Writes `.br` and `.gz` beside every compressible file under `dir` whose copies are missing
/// or older than it. Returns every compressible file with its sizes.
pub fn precompress_dir(dir: &Path) -> io::Result<Vec<Compressed>> {
    let mut done = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
            let raw = fs::metadata(&path)?.len();
            if !compressible || raw < MIN_BYTES {
                continue;
            }
            let gz = sibling(&path, "gz");
            let br = sibling(&path, "br");
            if stale(&path, &gz)? || stale(&path, &br)? {
                let bytes = fs::read(&path)?;
                write_atomically(&gz, &gzip(&bytes)?)?;
                write_atomically(&br, &brotli(&bytes)?)?;
            }
            done.push(Compressed { raw, gzip: fs::metadata(&gz)?.len(), brotli: fs::metadata(&br)?.len(), path });
        }
    }
    done.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(done)
}

/// Deletes compressed copies older than their source (a build without `precompress` after it),
/// so the server never sends last build's WASM to this build's page. Returns how many went.
pub fn remove_stale_copies(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let is_copy = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "br" || e == "gz");
            if !is_copy {
                continue;
            }
            let source = path.with_extension("");
            if !source.exists() || stale(&source, &path)? {
                fs::remove_file(&path)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

fn sibling(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// A copy is stale when missing or older than its source.
fn stale(source: &Path, copy: &Path) -> io::Result<bool> {
    let Ok(copied) = fs::metadata(copy) else { return Ok(true) };
    Ok(copied.modified()? < fs::metadata(source)?.modified()?)
}

/// A server reading the file meanwhile sees the old copy or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = sibling(path, "tmp");
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path)
}

pub fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    gzip_at(bytes, flate2::Compression::best().level())
}

/// gzip at `level` (0-9): the assets' copies at the best, pages on the fly at a low one
/// (`page_cache`).
pub fn gzip_at(bytes: &[u8], level: u32) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(bytes)?;
    encoder.finish()
}

pub fn brotli(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut io::Cursor::new(bytes), &mut out, &params)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn compressible_assets_get_brotli_and_gzip_copies_that_decode_to_them() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        fs::create_dir(&pkg).unwrap();
        let js = "function hydrate() { return 'portico'; }\n".repeat(200);
        fs::write(pkg.join("portico.js"), &js).unwrap();
        fs::write(pkg.join("tiny.css"), "a{}").unwrap();
        fs::write(pkg.join("logo.png"), vec![7u8; 4096]).unwrap();
        let done = precompress_dir(dir.path()).unwrap();
        assert_eq!(done.len(), 1, "only the big text file: {done:?}");
        assert!(done[0].brotli < done[0].raw && done[0].gzip < done[0].raw);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(fs::File::open(pkg.join("portico.js.gz")).unwrap())
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, js);
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut fs::File::open(pkg.join("portico.js.br")).unwrap(), &mut decoded).unwrap();
        assert_eq!(decoded, js.as_bytes());
        assert!(!pkg.join("tiny.css.br").exists() && !pkg.join("logo.png.br").exists());
        // A newer build of the file makes its copies stale: the server start removes them.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(pkg.join("portico.js"), js.replace("portico", "portico2")).unwrap();
        assert_eq!(remove_stale_copies(dir.path()).unwrap(), 2);
        assert!(!pkg.join("portico.js.br").exists());
        precompress_dir(dir.path()).unwrap();
        assert_eq!(remove_stale_copies(dir.path()).unwrap(), 0);
        // Run again: nothing is stale, nothing is rewritten.
        let before = fs::metadata(pkg.join("portico.js.br")).unwrap().modified().unwrap();
        precompress_dir(dir.path()).unwrap();
        assert_eq!(fs::metadata(pkg.join("portico.js.br")).unwrap().modified().unwrap(), before);
    }
}
