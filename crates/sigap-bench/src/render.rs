//! `render`: how long the official documents take to typeset, in this process (no server):
//! the first render of each kind (templates and fonts not yet warm), then warm renders of
//! each kind, a long dossier (about five pages), renders from several threads at once, and
//! the resident memory after thousands of renders, which must level off.

// The sample documents of the renderer's own tests.
#[path = "../../sigap-naskah/tests/samples/mod.rs"]
mod samples;

use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};
use sigap_core::DocumentKind;
use sigap_naskah::body::{DocumentRef, TimelineEntry};
use sigap_naskah::{Body, Document, Renderer};

use crate::stats::{Latencies, round3, rss_kib};

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Warm renders of each kind.
    #[arg(long, default_value_t = 50)]
    pub warm: usize,
    /// Renders in the memory run (all kinds in turn).
    #[arg(long, default_value_t = 10_000)]
    pub total: usize,
    /// Threads rendering at once in the concurrent run.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}

/// The sample dossier grown to a long ticket: many steps and documents.
fn long_dossier() -> Document {
    let mut doc = samples::document(DocumentKind::Dossier);
    if let Body::Dossier(d) = &mut doc.body {
        let entry = d.timeline.first().cloned();
        let reference = d.documents.first().cloned();
        for i in 0..90 {
            if let Some(e) = &entry {
                d.timeline.push(TimelineEntry {
                    event: format!("{} (putaran {})", e.event, i / 10 + 1),
                    ..e.clone()
                });
            }
        }
        for i in 0..40 {
            if let Some(r) = &reference {
                d.documents.push(DocumentRef {
                    number: format!("000.6/{}/BA/Diskominfo/2026", i + 100),
                    ..r.clone()
                });
            }
        }
    }
    doc
}

/// Pages in a PDF, as `pdfinfo` (poppler-utils) reads them; 0 when it is not installed.
fn pages(pdf: &[u8]) -> usize {
    let path = std::env::temp_dir().join(format!("sigap-bench-{}.pdf", std::process::id()));
    if std::fs::write(&path, pdf).is_err() {
        return 0;
    }
    let output = std::process::Command::new("pdfinfo").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let Ok(output) = output else { return 0 };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// The document with another number: typst memoises identical input, and no two issued
/// documents are identical, so a warm render is timed on a document it has not seen.
fn varied(doc: &Document, i: usize) -> Document {
    let mut doc = doc.clone();
    doc.number = format!("{}-{i}", doc.number);
    doc
}

fn timed(renderer: &Renderer, doc: &Document) -> anyhow::Result<(Duration, Vec<u8>)> {
    let start = Instant::now();
    let pdf = renderer.render(doc)?;
    Ok((start.elapsed(), pdf))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// First and warm renders of every kind.
fn per_kind(renderer: &Renderer, warm: usize) -> anyhow::Result<Value> {
    let mut kinds = serde_json::Map::new();
    for &kind in DocumentKind::ALL {
        let doc = samples::document(kind);
        let (first, pdf) = timed(renderer, &doc)?;
        let mut latencies = Latencies::default();
        for i in 0..warm {
            latencies.record(timed(renderer, &varied(&doc, i))?.0);
        }
        let summary = latencies.summary();
        println!(
            "{:<22} {} page(s), first {:>6.1} ms, warm {}",
            kind.as_str(),
            pages(&pdf),
            ms(first),
            summary.line()
        );
        kinds.insert(
            kind.as_str().to_owned(),
            json!({"pages": pages(&pdf), "first_ms": round3(ms(first)), "warm": summary.json()}),
        );
    }
    Ok(Value::Object(kinds))
}

/// Renders from several threads at once: the time of each and the rate.
fn concurrent(renderer: &'static Renderer, threads: usize, each: usize) -> anyhow::Result<Value> {
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || -> anyhow::Result<Latencies> {
                let mut latencies = Latencies::default();
                for i in 0..each {
                    let kind = DocumentKind::ALL[(t + i) % DocumentKind::ALL.len()];
                    let doc = varied(&samples::document(kind), t * each + i);
                    latencies.record(timed(renderer, &doc)?.0);
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut all = Latencies::default();
    for handle in handles {
        let part = handle
            .join()
            .map_err(|_| anyhow::anyhow!("a render thread panicked"))??;
        all.merge(part);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let summary = all.summary();
    let rate = summary.count as f64 / elapsed;
    println!(
        "{threads} threads: {rate:.0} documents/s, {}",
        summary.line()
    );
    Ok(json!({"threads": threads, "per_s": round3(rate), "latency": summary.json()}))
}

/// Resident memory along `total` renders of every kind in turn.
fn memory(renderer: &Renderer, total: usize) -> anyhow::Result<Value> {
    let pid = std::process::id();
    let mut marks = Vec::new();
    for i in 1..=total {
        let kind = DocumentKind::ALL[i % DocumentKind::ALL.len()];
        renderer.render(&varied(&samples::document(kind), i))?;
        if i == 100 || i % 1000 == 0 {
            let mib = rss_kib(pid)? as f64 / 1024.0;
            marks.push(json!({"renders": i, "rss_mib": round3(mib)}));
            println!("after {i:>6} renders: RSS {mib:.1} MiB");
        }
    }
    Ok(Value::Array(marks))
}

pub async fn main(args: RenderArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let renderer = Renderer::shared()?;
    println!("environment ready in {:.1} ms", ms(started.elapsed()));
    let kinds = per_kind(renderer, args.warm)?;
    let dossier = long_dossier();
    let (first, pdf) = timed(renderer, &dossier)?;
    let mut latencies = Latencies::default();
    for i in 0..args.warm {
        latencies.record(timed(renderer, &varied(&dossier, i))?.0);
    }
    println!(
        "long dossier: {} pages, first {:.1} ms, warm {}",
        pages(&pdf),
        ms(first),
        latencies.summary().line()
    );
    let each = 100;
    let parallel = concurrent(renderer, args.threads, each)?;
    let rss = memory(renderer, args.total)?;
    let figures = json!({
        "bench": "render",
        "kinds": kinds,
        "long_dossier": {"pages": pages(&pdf), "first_ms": round3(ms(first)), "warm": latencies.summary().json()},
        "concurrent": parallel,
        "rss": rss,
    });
    println!("{figures}");
    Ok(())
}
