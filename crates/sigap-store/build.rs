//! `sqlx::migrate!` embeds the migration files when this crate is compiled; without this,
//! a migration added to a checkout that was built before is left out until some source
//! file of the crate changes (sqlx's documented pitfall).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
