//! The full export, measured: a user with 10 000 records (4 000 experiences, 3 000 opportunities
//! with 3 000 notes on them) and another user's as many, on SQLite; the ZIP (README, export.json,
//! a CSV per table) is written to a counting sink, as `GET /api/v1/export` streams it. Prints the
//! time of each run and the process's peak resident memory (VmHWM) before and after, which shows
//! the export is not held whole in memory.
//!
//! `cargo bench --bench full_export` (release build); `RECORDS=40000` for a larger user.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use careerlog::clock::{Clock, SystemClock};
use careerlog::db::Db;
use careerlog::domain::UserId;
use careerlog::services::user_data::{write_zip, Source};

/// Bytes written, nothing kept.
struct Counting(u64);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

async fn seed(db: &Db, records: usize) -> UserId {
    let now = SystemClock.now().0;
    let mut first = None;
    for email in ["ada@example.com", "grace@example.com"] {
        let user = UserId::generate();
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("INSERT INTO users (id, email, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(&user)
            .bind(email)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        let experiences = records * 2 / 5;
        let opportunities = (records - experiences) / 2;
        for i in 0..experiences {
            sqlx::query(
                "INSERT INTO experiences (id, user_id, role, company, location, start_date, description, highlights,
                                          created_at, updated_at)
                 VALUES ($1, $2, $3, 'Initech', 'London, UK', '2019-03', $4, '[\"Shipped it\",\"Measured it\"]', $5, $5)",
            )
            .bind(careerlog::db::new_id())
            .bind(&user)
            .bind(format!("Engineer {i}"))
            .bind(format!("Led the rewrite of the billing system, part {i}: fewer outages, \"faster\" releases."))
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for i in 0..opportunities {
            let opportunity = careerlog::db::new_id();
            sqlx::query(
                "INSERT INTO opportunities (id, user_id, company, role, description, status, created_at, updated_at)
                 VALUES ($1, $2, $3, 'Staff Engineer', 'Own the storage layer.', 'applied', $4, $4)",
            )
            .bind(&opportunity)
            .bind(&user)
            .bind(format!("Globex {i}"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO notes (id, user_id, subject_kind, subject_id, body, created_at, updated_at)
                 VALUES ($1, $2, 'opportunity', $3, '=SUM(A1) is how they score; call back on Monday', $4, $4)",
            )
            .bind(careerlog::db::new_id())
            .bind(&user)
            .bind(&opportunity)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        first.get_or_insert(user);
    }
    first.unwrap()
}

fn main() {
    let records: usize = std::env::var("RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = std::env::temp_dir().join(format!("careerlog-export-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let (db, user) = runtime.block_on(async {
        let db = Db::connect(&url, 4).await.unwrap();
        db.migrate().await.unwrap();
        let user = seed(&db, records).await;
        (db, user)
    });
    let source = Source::new(db, careerlog::integrations::files::in_memory(), Arc::new(SystemClock), user);
    let before = peak_memory_mb();
    println!("A user with {records} records (and another user with as many), SQLite:\n");
    println!("| run | export.json written | whole ZIP | ZIP size |");
    println!("|---|---:|---:|---:|");
    for run in 1..=5 {
        let started = Instant::now();
        let handle = runtime.handle().clone();
        let source = source.clone();
        // export.json is written first, then the CSV files (no uploaded files here): the JSON is
        // done when half the rows are.
        let (written, json) = runtime
            .block_on(runtime.spawn_blocking(move || {
                let mut json = None;
                let mut progress = |done: u64, total: u64| {
                    if json.is_none() && done * 2 >= total {
                        json = Some(started.elapsed());
                    }
                };
                let written = write_zip(&source, &handle, Counting(0), &mut progress);
                (written, json)
            }))
            .unwrap();
        let written = written.unwrap();
        println!(
            "| {run} | {:.0} ms | {:.0} ms | {:.1} MB |",
            json.unwrap_or_default().as_secs_f64() * 1000.0,
            started.elapsed().as_secs_f64() * 1000.0,
            written.0 as f64 / 1e6
        );
    }
    if let (Some(before), Some(after)) = (before, peak_memory_mb()) {
        println!("\nPeak resident memory: {before:.1} MB after seeding, {after:.1} MB after the exports.");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
