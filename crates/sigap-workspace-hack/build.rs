// An empty build script, so that cargo also unifies the features of the build-dependencies
// listed in Cargo.toml.
fn main() {}
