//! Where archives go: a directory, or an S3-compatible bucket (`s3://bucket/prefix`) reached
//! with the usual `AWS_*` environment (keys, region, `AWS_ENDPOINT_URL` for other services).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use tokio::io::AsyncWriteExt;

pub enum Destination {
    Directory(PathBuf),
    Bucket { store: Arc<dyn ObjectStore>, bucket: String, prefix: String },
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `s3://bucket/some/prefix` → the bucket and the prefix (without slashes at either end).
fn bucket_url(text: &str) -> anyhow::Result<Option<(String, String)>> {
    let Some(rest) = text.strip_prefix("s3://") else { return Ok(None) };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        bail!("{text:?} names no bucket: write s3://BUCKET or s3://BUCKET/PREFIX");
    }
    Ok(Some((bucket.to_owned(), prefix.trim_matches('/').to_owned())))
}

fn bucket_store(bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .with_context(|| format!("configuring the S3 bucket {bucket} (from the AWS_* environment)"))?;
    Ok(Arc::new(store))
}

impl Destination {
    /// A directory (created when missing) or `s3://bucket/prefix`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            bail!("--to needs a directory or an s3://bucket/prefix URL");
        }
        Ok(match bucket_url(text)? {
            Some((bucket, prefix)) => Destination::Bucket { store: bucket_store(&bucket)?, bucket, prefix },
            None if text.contains("://") => bail!("{text:?}: backups go to a directory or an s3:// URL"),
            None => Destination::Directory(PathBuf::from(text)),
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Destination::Directory(dir) => dir.display().to_string(),
            Destination::Bucket { bucket, prefix, .. } if prefix.is_empty() => format!("s3://{bucket}"),
            Destination::Bucket { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}"),
        }
    }

    fn object(prefix: &str, name: &str) -> ObjectPath {
        if prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{prefix}/{name}"))
        }
    }

    /// Where `name` is, as `careerlog restore` takes it.
    pub fn location(&self, name: &str) -> String {
        match self {
            Destination::Directory(dir) => dir.join(name).display().to_string(),
            Destination::Bucket { .. } => format!("{}/{name}", self.describe()),
        }
    }

    /// Put the finished archive `local` here as `name`; it appears whole or not at all.
    pub async fn save(&self, local: &Path, name: &str) -> anyhow::Result<String> {
        match self {
            Destination::Directory(dir) => {
                tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
                let partial = dir.join(format!(".{name}.partial"));
                tokio::fs::copy(local, &partial).await.with_context(|| format!("writing {}", partial.display()))?;
                tokio::fs::File::open(&partial).await?.sync_all().await?;
                tokio::fs::rename(&partial, dir.join(name)).await.context("naming the archive")?;
            }
            Destination::Bucket { store, prefix, .. } => {
                let mut source = tokio::fs::File::open(local).await?;
                // Multipart upload: the object exists only once the upload completes.
                let mut upload = object_store::buffered::BufWriter::new(store.clone(), Self::object(prefix, name));
                tokio::io::copy(&mut source, &mut upload).await.context("uploading the archive")?;
                upload.shutdown().await.context("finishing the archive's upload")?;
            }
        }
        Ok(self.location(name))
    }

    /// The names of what is here (archives and anything else; retention picks its own).
    pub async fn names(&self) -> anyhow::Result<Vec<String>> {
        match self {
            Destination::Directory(dir) => {
                let mut names = Vec::new();
                let mut entries = match tokio::fs::read_dir(dir).await {
                    Ok(entries) => entries,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(err) => return Err(err).with_context(|| format!("listing {}", dir.display())),
                };
                while let Some(entry) = entries.next_entry().await? {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
                Ok(names)
            }
            Destination::Bucket { store, prefix, .. } => {
                let under = (!prefix.is_empty()).then(|| ObjectPath::from(prefix.as_str()));
                let listed: Vec<_> = store.list(under.as_ref()).try_collect().await.context("listing the bucket")?;
                Ok(listed
                    .into_iter()
                    .filter_map(|meta| {
                        let path = meta.location.to_string();
                        let name =
                            if prefix.is_empty() { path.as_str() } else { path.strip_prefix(&format!("{prefix}/"))? };
                        (!name.contains('/')).then(|| name.to_owned())
                    })
                    .collect())
            }
        }
    }

    pub async fn remove(&self, name: &str) -> anyhow::Result<()> {
        match self {
            Destination::Directory(dir) => tokio::fs::remove_file(dir.join(name)).await.map_err(Into::into),
            Destination::Bucket { store, prefix, .. } => {
                store.delete(&Self::object(prefix, name)).await.map_err(Into::into)
            }
        }
    }
}

/// The archive at `location` as a local file: a path is used as it is; an `s3://` URL is
/// downloaded into `scratch`.
pub async fn fetch(location: &str, scratch: &Path) -> anyhow::Result<PathBuf> {
    let Some((bucket, key)) = bucket_url(location)? else { return Ok(PathBuf::from(location)) };
    if key.is_empty() {
        bail!("{location:?} names a bucket, not an archive in it");
    }
    let store = bucket_store(&bucket)?;
    let got = store.get(&ObjectPath::from(key.as_str())).await.with_context(|| format!("reading {location}"))?;
    let local = scratch.join("download.tar.gz.age");
    let mut file = tokio::fs::File::create(&local).await?;
    let mut chunks = got.into_stream();
    while let Some(chunk) = chunks.try_next().await.with_context(|| format!("reading {location}"))? {
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_urls_name_a_bucket_and_a_prefix() {
        assert_eq!(bucket_url("s3://backups").unwrap(), Some(("backups".into(), "".into())));
        assert_eq!(
            bucket_url("s3://backups/careerlog/prod/").unwrap(),
            Some(("backups".into(), "careerlog/prod".into()))
        );
        assert_eq!(bucket_url("/var/backups").unwrap(), None);
        assert!(bucket_url("s3:///x").is_err());
        assert!(Destination::parse("ftp://example.com/x").is_err());
        assert!(Destination::parse(" ").is_err());
    }
}
