//! Taking in an uploaded image: checked and re-encoded off the async runtime, stored under a key
//! the server makes, recorded in the database. And letting go of files: removals are queued in
//! the database with the rows they belong to, then carried out here.

use bytes::Bytes;

use crate::db::uploads::{self, Upload};
use crate::domain::UserId;
use crate::services::images::{self, ImageError, ImagePurpose};
use crate::services::memory::MemoryBudget;
use crate::services::{Handles, ServiceError, ServiceResult};

/// The memory image work may take, process-wide (see [`images::MEMORY_BUDGET`]).
static IMAGE_MEMORY: MemoryBudget = MemoryBudget::new(images::MEMORY_BUDGET);

/// Where a new image belongs.
pub struct NewImage<'a> {
    pub user_id: &'a UserId,
    pub purpose: ImagePurpose,
    pub journal_entry_id: Option<&'a str>,
    pub original_name: &'a str,
    pub alt_text: String,
}

/// A file name fit to show and to put in a `Content-Disposition` header: the last path part,
/// ASCII letters, digits, dot, dash and underscore only, at most 80 characters.
pub fn safe_file_name(name: &str) -> String {
    safe_file_name_or(name, "image")
}

/// [`safe_file_name`] with the name to use when nothing of the given one is left.
pub fn safe_file_name_or(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(80)
        .collect();
    let cleaned = cleaned.trim_matches(['.', '_']).to_owned();
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

/// Check, re-encode, store and record an image. `Ok(Err(_))` is the user's mistake (not an
/// image, too large, too many pixels), with a sentence to show them.
pub async fn store_image(
    state: &Handles,
    new: NewImage<'_>,
    bytes: Bytes,
) -> ServiceResult<Result<Upload, ImageError>> {
    let max_bytes = state.limits.upload_max_bytes;
    let purpose = new.purpose;
    let blocking_failed = |e: tokio::task::JoinError| ServiceError::Internal(anyhow::anyhow!("image task failed: {e}"));
    // The header says how many pixels are coming, and so how much memory the work will take:
    // reserve that much before decoding, so that however many uploads arrive at once, image
    // work stays within its budget. The reservation goes with the work, so a request given up
    // half-way still holds it until the decoding really ends.
    let header = bytes.clone();
    let need = tokio::task::spawn_blocking(move || images::working_memory(&header, purpose, max_bytes))
        .await
        .map_err(blocking_failed)?;
    let need = match need {
        Ok(need) => need,
        Err(err) => return Ok(Err(err)),
    };
    let reserved = IMAGE_MEMORY.reserve(need).await.map_err(|e| ServiceError::Internal(e.into()))?;
    let processed = tokio::task::spawn_blocking(move || {
        let _reserved = reserved;
        images::process(&bytes, purpose, max_bytes)
    })
    .await
    .map_err(blocking_failed)?;
    let image = match processed {
        Ok(image) => image,
        Err(err) => return Ok(Err(err)),
    };
    let id = crate::db::new_id();
    let storage_key = format!("u/{}/{id}.{}", new.user_id, image.extension);
    let upload = Upload {
        id,
        user_id: new.user_id.clone(),
        purpose: match (purpose, new.journal_entry_id) {
            (ImagePurpose::JournalImage, Some(_)) => uploads::PURPOSE_JOURNAL_IMAGE,
            // No entry yet: it waits as a draft until an entry is saved with it.
            (ImagePurpose::JournalImage, None) => uploads::PURPOSE_JOURNAL_DRAFT,
            (ImagePurpose::ProfilePhoto, _) => uploads::PURPOSE_PROFILE_PHOTO,
        }
        .to_owned(),
        journal_entry_id: new.journal_entry_id.map(str::to_owned),
        storage_key,
        content_type: image.content_type.to_owned(),
        byte_size: image.bytes.len() as i64,
        width: i64::from(image.width),
        height: i64::from(image.height),
        original_name: safe_file_name(new.original_name),
        alt_text: new.alt_text,
        created_at: state.clock.now(),
    };
    // Should the row never be written, housekeeping removes the file after an hour.
    let unclaimed_after = upload.created_at.plus(std::time::Duration::from_secs(3600));
    uploads::expect_file(state.db.pool(), &upload.storage_key, unclaimed_after).await?;
    state.files.put(&upload.storage_key, Bytes::from(image.bytes), image.content_type).await?;
    let mut tx = state.db.begin_write().await?;
    match uploads::insert(&mut tx, &upload).await {
        Ok(()) => tx.commit().await?,
        // The entry was deleted while its image was being processed.
        Err(err) if crate::db::Violation::of(&err) == Some(crate::db::Violation::ForeignKey) => {
            drop(tx);
            remove_files_soon(state, vec![upload.storage_key]);
            return Err(ServiceError::NotFound);
        }
        Err(err) => return Err(err.into()),
    }
    Ok(Ok(upload))
}

/// Remove files whose rows are gone, right after the response; what fails stays queued for
/// housekeeping.
pub fn remove_files_soon(state: &Handles, keys: Vec<String>) {
    if keys.is_empty() {
        return;
    }
    let (db, files) = (state.db.clone(), state.files.clone());
    tokio::spawn(async move {
        for key in keys {
            remove_file(&db, files.as_ref(), &key).await;
        }
    });
}

async fn remove_file(db: &crate::db::Db, files: &dyn crate::integrations::files::FileStore, key: &str) -> bool {
    match files.delete(key).await {
        Ok(()) => uploads::deletion_done(db.pool(), key).await.is_ok(),
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "could not remove a file from the store; will retry");
            false
        }
    }
}

/// Work through the queue of files to remove (housekeeping). Returns how many were removed.
pub async fn process_deletion_queue(state: &Handles) -> anyhow::Result<usize> {
    let keys = uploads::due_deletions(state.db.pool(), state.clock.now(), 500).await?;
    let mut removed = 0;
    for key in keys {
        if remove_file(&state.db, state.files.as_ref(), &key).await {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\me\\Holiday photo (1).JPG"), "Holiday_photo__1_.JPG");
        assert_eq!(safe_file_name("\"; filename=evil.html"), "filename_evil.html");
        assert_eq!(safe_file_name(""), "image");
        assert_eq!(safe_file_name("ünïcödé.png"), "n_c_d_.png");
    }
}

#[cfg(test)]
mod properties;
