// `sqlx::migrate!` embeds the migration files when the crate compiles, but Cargo only rebuilds
// for files it has already seen change: without this a new file in migrations/ would be left out
// until some Rust source changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
