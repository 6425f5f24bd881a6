//! The full export (issue 14, item 3; promise 20): everything a user has, as one ZIP —
//! `README.txt`, `export.json` (one key per table, an array of row objects), `csv/<table>.csv`
//! (one per table) and `files/…` (their uploaded files) — driven by the table catalogue in
//! `db::user_data`, which the account's deletion shares.
//!
//! How it streams: the ZIP is written by `zip`'s streaming writer (no seeking, sizes in data
//! descriptors) on a blocking thread, which reads the rows in pages of [`PAGE_ROWS`] through the
//! runtime (`Handle::block_on`) inside one read transaction, so the export is one consistent
//! snapshot. What it writes goes out through a bounded channel in [`CHUNK_BYTES`] chunks: to the
//! HTTP response (`GET /api/v1/export`), where a slow reader slows the writer instead of filling
//! memory, or to a temporary file for a background build. Memory is a page of rows, a chunk or
//! two, the compressor's window and, for files, the largest single upload — never the whole
//! export. A channel was chosen over `tokio::io::duplex` because the writer is synchronous code
//! (the ZIP writer wants `std::io::Write`) and a closed receiver ends it at its next write.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::clock::{Clock, Timestamp};
use crate::db::user_data::{self, Cell, Export, Table};
use crate::db::{data_exports, Db, DbKind};
use crate::domain::UserId;
use crate::integrations::files::FileStore;
use crate::services::{throttle, Handles, ServiceError};

/// Rows read from the database at a time.
pub const PAGE_ROWS: i64 = 500;
/// Bytes handed on at a time.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// How long a background export is kept.
pub const EXPORT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// A build whose progress has not moved for this long died with its instance.
pub const STALLED_AFTER: Duration = Duration::from_secs(10 * 60);

/// What an export reads: owned, so it can move onto a blocking thread.
#[derive(Clone)]
pub struct Source {
    db: Db,
    files: Arc<dyn FileStore>,
    clock: Arc<dyn Clock>,
    user_id: UserId,
}

impl Source {
    /// What the benchmark builds an export from (no full set of handles needed).
    pub fn new(db: Db, files: Arc<dyn FileStore>, clock: Arc<dyn Clock>, user_id: UserId) -> Self {
        Source { db, files, clock, user_id }
    }

    pub fn of(handles: &Handles, user_id: &UserId) -> Self {
        Source {
            db: handles.db.clone(),
            files: handles.files.clone(),
            clock: handles.clock.clone(),
            user_id: user_id.clone(),
        }
    }
}

/// Exports one user may start in an hour, the API's and the page's together: each holds a
/// blocking thread and a database connection while it is written.
pub const EXPORTS_PER_HOUR: throttle::Policy = throttle::Policy { max_hits: 20, window_ms: 60 * 60 * 1000 };

/// Count an export against the user's hourly limit (a keyed hash of the id names the bucket).
async fn count_export(handles: &Handles, user_id: &UserId) -> Result<(), ServiceError> {
    let bucket = format!("export:{}", handles.throttle_key.mac(user_id.as_str().as_bytes()));
    throttle::take(handles, &bucket, EXPORTS_PER_HOUR, |minutes| {
        format!("You have made many exports this hour. Try again in {minutes} minute{}.", throttle::plural(minutes))
    })
    .await
}

/// The export as a stream of chunks, written as it is read (for `GET /api/v1/export`). An error
/// part-way ends the stream with it, so the download fails rather than ends short.
pub async fn stream_zip(
    handles: &Handles,
    user_id: &UserId,
) -> Result<mpsc::Receiver<std::io::Result<Bytes>>, ServiceError> {
    count_export(handles, user_id).await?;
    Ok(start_stream(handles, user_id))
}

fn start_stream(handles: &Handles, user_id: &UserId) -> mpsc::Receiver<std::io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(4);
    let source = Source::of(handles, user_id);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let out = ChannelWriter { tx: tx.clone(), buffer: Vec::with_capacity(CHUNK_BYTES) };
        if let Err(err) = write_zip(&source, &runtime, out, &mut |_, _| {}) {
            tracing::warn!(user_id = %source.user_id, error = %format!("{err:#}"), "an export stopped part-way");
            let _ = tx.blocking_send(Err(std::io::Error::other("the export could not be completed")));
        }
    });
    rx
}

/// A `Write` that hands its bytes on in chunks through a bounded channel (waiting while it is
/// full); a closed channel (the client went away) fails the next write.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the reader went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Write the whole export to `out`. Blocking: run it on a blocking thread (it reads the database
/// and the file store through `runtime`). `progress(done, total)` is told after each page.
pub fn write_zip<W: Write>(
    source: &Source,
    runtime: &tokio::runtime::Handle,
    out: W,
    progress: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<W> {
    let kind = source.db.kind();
    let begin = match kind {
        DbKind::Sqlite => "BEGIN",
        DbKind::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    let mut tx = runtime.block_on(source.db.pool().begin_with(begin))?;
    let user = &source.user_id;
    let tables: Vec<&Table> = user_data::exported_tables().collect();
    let mut counts = Vec::with_capacity(tables.len());
    for table in &tables {
        counts.push(runtime.block_on(user_data::count_rows(&mut tx, table, user))?);
    }
    let file_keys = runtime.block_on(data_exports::upload_keys_of_user(&mut *tx, user))?;
    let total = counts.iter().map(|&c| c as u64).sum::<u64>() * 2 + file_keys.len() as u64;
    let mut done = 0u64;

    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new_stream(out);
    zip.start_file("README.txt", deflated)?;
    zip.write_all(readme(source.clock.now(), &tables, &counts).as_bytes())?;

    // export.json: one key per table, each an array of row objects, one row a line.
    zip.start_file("export.json", deflated)?;
    zip.write_all(b"{")?;
    for (n, table) in tables.iter().enumerate() {
        if n > 0 {
            zip.write_all(b",")?;
        }
        zip.write_all(b"\n")?;
        serde_json::to_writer(&mut zip, table.name)?;
        zip.write_all(b": [")?;
        let mut first = true;
        each_page(runtime, &mut tx, table, user, |page| {
            for row in &page.rows {
                zip.write_all(if first { b"\n  {" } else { b",\n  {" })?;
                first = false;
                for (i, (column, cell)) in page.columns.iter().zip(row).enumerate() {
                    if i > 0 {
                        zip.write_all(b", ")?;
                    }
                    serde_json::to_writer(&mut zip, column)?;
                    zip.write_all(b": ")?;
                    match cell {
                        Cell::Null => zip.write_all(b"null")?,
                        Cell::Int(v) => serde_json::to_writer(&mut zip, v)?,
                        Cell::Real(v) => serde_json::to_writer(&mut zip, v)?,
                        Cell::Text(v) => serde_json::to_writer(&mut zip, v)?,
                    }
                }
                zip.write_all(b"}")?;
            }
            done += page.rows.len() as u64;
            progress(done, total);
            Ok(())
        })?;
        zip.write_all(if first { b"]" } else { b"\n]" })?;
    }
    zip.write_all(b"\n}\n")?;

    // csv/<table>.csv: a header row, then a line per row.
    for table in &tables {
        zip.start_file(format!("csv/{}.csv", table.name), deflated)?;
        let mut header_written = false;
        each_page(runtime, &mut tx, table, user, |page| {
            if !header_written {
                write_csv_line(&mut zip, page.columns.iter().map(|c| Cow::Borrowed(c.as_str())))?;
                header_written = true;
            }
            for row in &page.rows {
                write_csv_line(&mut zip, row.iter().map(csv_field))?;
            }
            done += page.rows.len() as u64;
            progress(done, total);
            Ok(())
        })?;
        if !header_written {
            let columns = runtime.block_on(user_data::column_names(&mut tx, kind, table))?;
            write_csv_line(&mut zip, columns.iter().map(|c| Cow::Borrowed(c.as_str())))?;
        }
    }

    // files/…: each uploaded file as stored (already compressed images: stored, not deflated).
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for key in &file_keys {
        if let Some(bytes) = runtime.block_on(source.files.get(key))? {
            zip.start_file(format!("files/{}", file_name(key)), stored)?;
            zip.write_all(&bytes)?;
        }
        done += 1;
        progress(done, total);
    }
    drop(tx);
    let mut out = zip.finish()?.into_inner();
    out.flush()?;
    Ok(out)
}

/// Read the user's rows of `table` page by page, handing each page to `each`.
fn each_page(
    runtime: &tokio::runtime::Handle,
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    user: &UserId,
    mut each: impl FnMut(&user_data::Page) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut after: Option<Vec<String>> = None;
    loop {
        let page = runtime.block_on(user_data::read_page(conn, table, user, after.as_deref(), PAGE_ROWS))?;
        if page.rows.is_empty() {
            return Ok(());
        }
        each(&page)?;
        if (page.rows.len() as i64) < PAGE_ROWS {
            return Ok(());
        }
        after = Some(page.last_key);
    }
}

/// A file's name in the ZIP: the last part of its key (`<upload id>.<extension>`).
fn file_name(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

fn write_csv_line<'a>(out: &mut impl Write, cells: impl Iterator<Item = Cow<'a, str>>) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(cell.as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// A cell as a CSV field (RFC 4180). Text that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so it is shown, not
/// run; numbers are written as they are.
pub fn csv_field(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Int(v) => Cow::Owned(v.to_string()),
        Cell::Real(v) => Cow::Owned(v.to_string()),
        Cell::Text(text) => csv_text(text),
    }
}

/// Text as a CSV field, escaped against formula injection and quoted when it must be.
pub fn csv_text(text: &str) -> Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = text.contains([',', '"', '\n', '\r']);
    if !formula && !quote {
        return Cow::Borrowed(text);
    }
    let mut field = String::with_capacity(text.len() + 4);
    if quote {
        field.push('"');
    }
    if formula {
        field.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            field.push('"');
        }
        field.push(c);
    }
    if quote {
        field.push('"');
    }
    Cow::Owned(field)
}

fn readme(now: Timestamp, tables: &[&Table], counts: &[i64]) -> String {
    let mut text = format!(
        "Careerlog: your full export, made {}.\n\n\
         README.txt        this file\n\
         export.json       every table below as one key, an array of its rows (one object a row)\n\
         csv/<table>.csv   the same rows, one file a table, with a header row\n\
         files/            your uploaded files (profile photo, journal images, documents attached to\n\
                           opportunities), named <upload id>.<type>; the uploads table says what each\n\
                           is, and for a document its opportunity, kind, note and original name\n\n\
         Times are milliseconds since 1970-01-01 UTC; flags are 0 or 1; lists (highlights, links,\n\
         courses, languages, sources) are JSON text. In the CSV files, text that begins with = + - @\n\
         or a tab starts with an extra ' so that a spreadsheet shows it instead of running it.\n\n\
         Tables and rows:\n",
        now.rfc3339()
    );
    for (table, count) in tables.iter().zip(counts) {
        text.push_str(&format!("  {:<24} {count}\n", table.name));
    }
    text.push_str(
        "\nLeft out on purpose: secrets are never exported — your password hash, the hashes of your API\n\
         tokens and calendar feed address (only the tokens' names and dates are here), your session ids.\n\
         Not exported, with the reason:\n",
    );
    for table in user_data::CATALOGUE.iter().filter(|t| t.owner.is_some()) {
        if let Export::No(why) = table.export {
            text.push_str(&format!("  {:<24} {why}\n", table.name));
        }
    }
    text
}

// ---- background exports (Settings → Your data) ----

/// Start building an export in the background, unless one is being built already; answers its
/// id. The row shows progress; the ZIP goes to the file store, kept [`EXPORT_LIFETIME`].
pub async fn start_export(handles: &Handles, user_id: &UserId) -> Result<String, ServiceError> {
    count_export(handles, user_id).await?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if data_exports::count_building(&mut *tx, user_id).await? > 0 {
        let building = data_exports::list_for_user(&mut *tx, user_id, now).await?;
        if let Some(current) = building.into_iter().find(|e| e.state == data_exports::BUILDING) {
            return Ok(current.id);
        }
    }
    let id = crate::db::new_id();
    data_exports::insert(&mut *tx, &id, user_id, now, now.plus(EXPORT_LIFETIME)).await?;
    tx.commit().await?;
    let source = Source::of(handles, user_id);
    let export_id = id.clone();
    tokio::spawn(async move {
        if let Err(err) = build(&source, &export_id).await {
            tracing::warn!(user_id = %source.user_id, error = %format!("{err:#}"), "a background export failed");
            let now = source.clock.now();
            if let Err(err) = data_exports::mark_failed(source.db.pool(), &source.user_id, &export_id, now).await {
                tracing::warn!(error = %err, "could not mark an export failed");
            }
        }
    });
    Ok(id)
}

/// Build the ZIP into a temporary file (memory stays bounded), then put it in the store.
async fn build(source: &Source, id: &str) -> anyhow::Result<()> {
    let path = std::env::temp_dir().join(format!("careerlog-export-{id}.zip"));
    let runtime = tokio::runtime::Handle::current();
    let (writer_source, writer_path, writer_id) = (source.clone(), path.clone(), id.to_owned());
    let written = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(&writer_path)?);
        let mut last = 0i64;
        let mut last_at = std::time::Instant::now();
        let mut report = |done: u64, total: u64| {
            let percent = (done * 99 / total.max(1)) as i64;
            if percent > last && last_at.elapsed() >= Duration::from_millis(500) {
                last = percent;
                last_at = std::time::Instant::now();
                let now = writer_source.clock.now();
                let db = writer_source.db.pool();
                let _ =
                    runtime.block_on(data_exports::set_progress(db, &writer_source.user_id, &writer_id, percent, now));
            }
        };
        let file = write_zip(&writer_source, &runtime, file, &mut report)?;
        file.into_inner().map_err(|err| err.into_error())?.sync_all()?;
        Ok(())
    })
    .await;
    let outcome = async {
        written??;
        let bytes = Bytes::from(tokio::fs::read(&path).await?);
        let size = bytes.len() as i64;
        let key = format!("exports/{id}.zip");
        source.files.put(&key, bytes, "application/zip").await?;
        let now = source.clock.now();
        if !data_exports::mark_ready(source.db.pool(), &source.user_id, id, &key, size, now).await? {
            // The account went meanwhile: so does the file.
            source.files.delete(&key).await?;
        }
        anyhow::Ok(())
    }
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    outcome
}

/// A ready export's bytes, for its owner (another user's id is not found).
pub async fn download(handles: &Handles, user_id: &UserId, id: &str) -> Result<Bytes, ServiceError> {
    let now = handles.clock.now();
    let export = data_exports::find(handles.db.pool(), user_id, id).await?.ok_or(ServiceError::NotFound)?;
    if export.state != data_exports::READY || export.expires_at <= now {
        return Err(ServiceError::NotFound);
    }
    handles.files.get(&export.storage_key).await?.ok_or(ServiceError::NotFound)
}

/// Housekeeping: builds that stopped moving are failed; exports past their time are deleted,
/// row and file. Answers (failed, removed).
pub async fn tidy(handles: &Handles) -> anyhow::Result<(u64, u64)> {
    let now = handles.clock.now();
    let failed = data_exports::fail_stalled(handles.db.pool(), now.minus(STALLED_AFTER), now).await?;
    let mut tx = handles.db.begin_write().await?;
    let expired = data_exports::delete_expired(&mut tx, now).await?;
    // Removed within the transaction's decision: if a file cannot go now, the queue retries it.
    for key in &expired {
        crate::db::uploads::expect_file(&mut *tx, key, now).await?;
    }
    tx.commit().await?;
    let removed = expired.len() as u64;
    Ok((failed, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_not_run_and_fields_are_quoted() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("=HYPERLINK(\"http://evil\")"), "\"'=HYPERLINK(\"\"http://evil\"\")\"");
        assert_eq!(csv_text("+1 555"), "'+1 555");
        assert_eq!(csv_text("-2+3"), "'-2+3");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tcmd"), "'\tcmd");
        assert_eq!(csv_text("\rcmd"), "\"'\rcmd\"");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(&Cell::Int(-5)), "-5");
        assert_eq!(csv_field(&Cell::Null), "");
    }
}
