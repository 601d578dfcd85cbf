//! Renders one document of every kind into a folder and prints how long each render took:
//! `cargo run --release -p sigap-naskah --example render_all -- /tmp/sigap-naskah`.

use std::time::Instant;

use sigap_core::DocumentKind;
use sigap_naskah::Renderer;
#[path = "../tests/samples/mod.rs"]
mod samples;

use samples as fixtures;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/sigap-naskah".to_owned());
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let renderer = Renderer::new()?;
    println!("environment built in {:?}", started.elapsed());
    for round in 0..3 {
        for &kind in DocumentKind::ALL {
            let doc = fixtures::document(kind);
            let started = Instant::now();
            let pdf = renderer.render(&doc)?;
            let took = started.elapsed();
            if round == 0 {
                std::fs::write(format!("{dir}/{kind}.pdf"), &pdf)?;
            }
            println!(
                "round {round} {kind:<22} {:>8.1?} {:>7} bytes",
                took,
                pdf.len()
            );
        }
    }
    for &kind in DocumentKind::ALL {
        let doc = fixtures::document(kind);
        let mut times: Vec<_> = (0..15)
            .map(|_| {
                let started = Instant::now();
                renderer.render(&doc).map(|_| started.elapsed())
            })
            .collect::<Result<_, _>>()?;
        times.sort();
        println!(
            "same document x15 {kind:<22} min {:>8.1?} median {:>8.1?}",
            times[0], times[7]
        );
    }
    Ok(())
}
