//! Compresses one page many times with each encoder at each level and prints the mean time per
//! page and the compressed size. Rounds are interleaved (each level is run once per round and the
//! median round is printed) so that a noisy machine shifts all levels alike.

use async_compression::Level;
use async_compression::tokio::bufread::{BrotliEncoder, GzipEncoder, ZstdEncoder};
use std::time::Instant;
use tokio::io::AsyncReadExt;

const PAGES_PER_ROUND: u32 = 500;

/// The levels compared: tower-http's `CompressionLevel::Precise(n)` gives every encoder `n`;
/// its `Default` is gzip 6, brotli 4 (tower-http's own choice) and zstd 3.
const LEVELS: [(&str, Option<i32>); 4] = [("1", Some(1)), ("2", Some(2)), ("3", Some(3)), ("default", None)];

#[derive(Clone, Copy)]
enum Encoder {
    Gzip,
    Brotli,
    Zstd,
}

impl Encoder {
    fn name(self) -> &'static str {
        match self {
            Encoder::Gzip => "gzip",
            Encoder::Brotli => "brotli",
            Encoder::Zstd => "zstd",
        }
    }

    fn level(self, precise: Option<i32>) -> Level {
        match (self, precise) {
            (_, Some(n)) => Level::Precise(n),
            (Encoder::Brotli, None) => Level::Precise(4),
            (_, None) => Level::Default,
        }
    }

    async fn compress(self, page: &[u8], level: Level) -> usize {
        let mut out = Vec::with_capacity(page.len());
        let read = match self {
            Encoder::Gzip => GzipEncoder::with_quality(page, level).read_to_end(&mut out).await,
            Encoder::Brotli => BrotliEncoder::with_quality(page, level).read_to_end(&mut out).await,
            Encoder::Zstd => ZstdEncoder::with_quality(page, level).read_to_end(&mut out).await,
        };
        read.expect("compressing from memory cannot fail");
        out.len()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: compression-bench page.html [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let page = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    println!("{path}: {} B, {rounds} rounds of {PAGES_PER_ROUND} pages per level, median round", page.len());
    println!("{:8} {:8} {:>10} {:>9}", "encoder", "level", "µs/page", "bytes");
    for encoder in [Encoder::Gzip, Encoder::Brotli, Encoder::Zstd] {
        let mut micros: Vec<Vec<f64>> = vec![Vec::new(); LEVELS.len()];
        let mut sizes = vec![0; LEVELS.len()];
        for _ in 0..rounds {
            for (i, (_, precise)) in LEVELS.iter().enumerate() {
                let level = encoder.level(*precise);
                let start = Instant::now();
                for _ in 0..PAGES_PER_ROUND {
                    sizes[i] = encoder.compress(&page, level).await;
                }
                micros[i].push(start.elapsed().as_secs_f64() * 1e6 / f64::from(PAGES_PER_ROUND));
            }
        }
        for (i, (name, _)) in LEVELS.iter().enumerate() {
            let round = &mut micros[i];
            round.sort_by(f64::total_cmp);
            println!("{:8} {:8} {:>10.1} {:>9}", encoder.name(), name, round[round.len() / 2], sizes[i]);
        }
    }
}
