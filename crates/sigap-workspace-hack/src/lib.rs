//! No code: this crate's dependencies, which `cargo hakari generate` writes into its
//! `Cargo.toml`, carry the union of the features the workspace's builds turn on, so that
//! `cargo run -p sigap` and `cargo test --workspace` compile each third-party crate once.
