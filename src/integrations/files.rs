//! Uploaded files: a store trait with a local-directory and an S3-compatible implementation.
//!
//! The local directory is our own small implementation on `tokio::fs` (object_store's
//! `LocalFileSystem` sits behind its `fs` feature, which this build does not enable); S3 and the
//! in-memory fake for tests are object_store's.
//!
//! Keys are made by the server (`u/<uuid>/<uuid>.jpg`), but every method still checks them, so a
//! key can never climb out of the upload directory or address something unexpected in a bucket.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, ClientOptions, ObjectStore, PutOptions, PutPayload, RetryConfig};

use crate::config::{FileStoreKind, UploadConfig};

#[async_trait]
pub trait FileStore: Send + Sync {
    /// Store `bytes` under `key` (overwrites).
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()>;
    /// The bytes under `key`, or None when there is nothing there.
    async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>>;
    /// Remove `key`; removing a missing key is not an error.
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Every key in the store, in no particular order (for backups).
    async fn list(&self) -> anyhow::Result<Vec<String>>;
    /// For the startup log line, e.g. "local directory" or "S3 bucket careerlog at https://…" (no secrets).
    fn describe(&self) -> String;
}

/// Build the configured file store.
pub fn from_config(config: &UploadConfig, data_dir: &Path) -> anyhow::Result<Arc<dyn FileStore>> {
    Ok(match config.store {
        FileStoreKind::Local => Arc::new(local(&data_dir.join("uploads"))?),
        FileStoreKind::S3 => Arc::new(s3(config)?),
    })
}

/// An in-process store for tests.
pub fn in_memory() -> Arc<dyn FileStore> {
    Arc::new(ObjectFileStore { inner: Arc::new(InMemory::new()), description: "in memory".into() })
}

/// Files under `dir`, which is created when missing.
fn local(dir: &Path) -> anyhow::Result<LocalDirStore> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating the upload directory {}", dir.display()))?;
    Ok(LocalDirStore { root: dir.to_owned() })
}

/// A bucket in S3 or an S3-compatible service (DigitalOcean Spaces, MinIO, …).
fn s3(config: &UploadConfig) -> anyhow::Result<ObjectFileStore> {
    let bucket = config
        .s3_bucket
        .as_deref()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| anyhow!("--file-store s3 needs --s3-bucket"))?;
    let access_key_id = config
        .s3_access_key_id
        .as_deref()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| anyhow!("--file-store s3 needs --s3-access-key-id"))?;
    let secret_access_key = config
        .s3_secret_access_key
        .as_ref()
        .map(|s| s.expose().as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| anyhow!("--file-store s3 needs --s3-secret-access-key"))?;

    // `new()`, not `from_env()`: only Careerlog's own settings apply, never stray AWS_* variables.
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(&config.s3_region)
        .with_access_key_id(access_key_id)
        .with_secret_access_key(secret_access_key)
        .with_virtual_hosted_style_request(!config.s3_path_style)
        .with_retry(RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..RetryConfig::default() })
        .with_client_options(
            ClientOptions::new()
                .with_timeout(Duration::from_secs(30))
                .with_connect_timeout(Duration::from_secs(5))
                .with_allow_http(config.s3_endpoint.as_ref().is_some_and(|e| e.scheme() == "http")),
        );
    let location = match &config.s3_endpoint {
        Some(endpoint) => {
            if !matches!(endpoint.scheme(), "http" | "https") {
                bail!("--s3-endpoint must be an http:// or https:// URL, not {endpoint}");
            }
            if !endpoint.username().is_empty() || endpoint.password().is_some() {
                // Refused without printing it: it holds a credential.
                bail!("--s3-endpoint must not contain a user name or password: use the --s3-access-key-id settings");
            }
            let endpoint = if config.s3_path_style { endpoint.clone() } else { bucket_endpoint(endpoint, bucket)? };
            let endpoint = endpoint.as_str().trim_end_matches('/').to_owned();
            builder = builder.with_endpoint(&endpoint);
            endpoint
        }
        None => format!("AWS S3 ({})", config.s3_region),
    };
    let store = builder.build().with_context(|| format!("configuring S3 bucket {bucket} at {location}"))?;
    Ok(ObjectFileStore { inner: Arc::new(store), description: format!("S3 bucket {bucket} at {location}") })
}

/// For virtual-hosted-style requests object_store wants the endpoint with the bucket in the
/// host name: `https://fra1.digitaloceanspaces.com` becomes `https://careerlog.fra1.digitaloceanspaces.com`
/// (left as it is when it already starts with the bucket).
fn bucket_endpoint(endpoint: &url::Url, bucket: &str) -> anyhow::Result<url::Url> {
    let host = match endpoint.host() {
        Some(url::Host::Domain(host)) => host.to_owned(),
        Some(_) => bail!(
            "--s3-endpoint {endpoint} is an IP address, which cannot name a bucket in the host: add --s3-path-style"
        ),
        None => bail!("--s3-endpoint {endpoint} has no host"),
    };
    if host.starts_with(&format!("{bucket}.")) {
        return Ok(endpoint.clone());
    }
    let mut with_bucket = endpoint.clone();
    with_bucket
        .set_host(Some(&format!("{bucket}.{host}")))
        .with_context(|| format!("--s3-bucket {bucket:?} cannot be part of a host name"))?;
    Ok(with_bucket)
}

/// Check a key: lowercase ASCII letters, digits and `/._-`, relative, no `..`, no empty segments
/// and none starting with a dot (so the local store's `.…partial` files can never be named).
fn object_path(key: &str) -> anyhow::Result<ObjectPath> {
    let allowed = |c: char| matches!(c, 'a'..='z' | '0'..='9' | '/' | '.' | '_' | '-');
    if key.is_empty()
        || key.len() > 512
        || !key.chars().all(allowed)
        || key.contains("..")
        || key.split('/').any(|segment| segment.is_empty() || segment.starts_with('.'))
    {
        bail!("invalid file key {key:?}");
    }
    ObjectPath::parse(key).with_context(|| format!("invalid file key {key:?}"))
}

/// Whether `key` is one the store accepts (see [`object_path`]).
pub fn is_valid_key(key: &str) -> bool {
    object_path(key).is_ok()
}

/// Any `object_store` backend behind the [`FileStore`] trait.
struct ObjectFileStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

#[async_trait]
impl FileStore for ObjectFileStore {
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()> {
        let path = object_path(key)?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        let options = PutOptions { attributes, ..PutOptions::default() };
        self.inner
            .put_opts(&path, PutPayload::from(bytes), options)
            .await
            .with_context(|| format!("storing file {key} in the {}", self.description))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let path = object_path(key)?;
        let result = match self.inner.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("reading file {key} from the {}", self.description)),
        };
        match result.bytes().await {
            Ok(bytes) => Ok(Some(bytes)),
            // Deleted between the request and the read.
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading file {key} from the {}", self.description)),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = object_path(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err).with_context(|| format!("deleting file {key} from the {}", self.description)),
        }
    }

    async fn list(&self) -> anyhow::Result<Vec<String>> {
        use futures::TryStreamExt;
        let listed: Vec<_> = self
            .inner
            .list(None)
            .try_collect()
            .await
            .with_context(|| format!("listing the files in the {}", self.description))?;
        Ok(listed.into_iter().map(|meta| meta.location.to_string()).filter(|key| is_valid_key(key)).collect())
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// Files in a directory: `<root>/<key>`. The content type is not kept: it follows from the key's
/// extension, which the server chose from the bytes.
struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    fn file(&self, key: &str) -> anyhow::Result<PathBuf> {
        object_path(key)?;
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl FileStore for LocalDirStore {
    async fn put(&self, key: &str, bytes: Bytes, _content_type: &str) -> anyhow::Result<()> {
        let file = self.file(key)?;
        let dir = file.parent().context("a file key has a directory")?;
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating the directory for file {key}"))?;
        // Written aside, then renamed: readers (and other instances) see the old file or the whole
        // new one, never a part.
        let name = file.file_name().context("a file key has a name")?.to_string_lossy();
        let partial = dir.join(format!(".{name}.{}.partial", uuid::Uuid::new_v4().simple()));
        if let Err(err) = tokio::fs::write(&partial, &bytes).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(err).with_context(|| format!("writing file {key} in the {}", self.describe()));
        }
        if let Err(err) = tokio::fs::rename(&partial, &file).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(err).with_context(|| format!("naming file {key} in the {}", self.describe()));
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let file = self.file(key)?;
        match tokio::fs::read(&file).await {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading file {key} from the {}", self.describe())),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let file = self.file(key)?;
        match tokio::fs::remove_file(&file).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err).with_context(|| format!("deleting file {key} from the {}", self.describe())),
        }
    }

    async fn list(&self) -> anyhow::Result<Vec<String>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut keys = Vec::new();
            let mut folders = vec![root.clone()];
            while let Some(folder) = folders.pop() {
                let entries = match std::fs::read_dir(&folder) {
                    Ok(entries) => entries,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err).with_context(|| format!("listing {}", folder.display())),
                };
                for entry in entries {
                    let path = entry?.path();
                    if path.is_dir() {
                        folders.push(path);
                    } else if let Ok(relative) = path.strip_prefix(&root) {
                        // Files being written (`.….partial`) and anything else not a key are skipped.
                        let key = relative.to_string_lossy().replace('\\', "/");
                        if is_valid_key(&key) {
                            keys.push(key);
                        }
                    }
                }
            }
            Ok(keys)
        })
        .await
        .context("listing the upload directory")?
    }

    fn describe(&self) -> String {
        format!("local directory {}", self.root.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        for good in ["u/0190a1b2-c3d4/0190a1b2-c3d5.jpg", "a", "a/b/c.png", "x_y-z.webp"] {
            assert!(object_path(good).is_ok(), "{good}");
        }
        for bad in [
            "", "/a", "a/", "a//b", "../x", "a/../b", "a/..", "..", "./a", "a/./b", "a/.b", "A.jpg", "a b", "a\\b",
            "a%2e", "é", "a\0", "a?b", "a#b",
        ] {
            assert!(object_path(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn virtual_hosted_endpoints_name_the_bucket() {
        let endpoint = url::Url::parse("https://fra1.digitaloceanspaces.com").unwrap();
        assert_eq!(bucket_endpoint(&endpoint, "cl").unwrap().as_str(), "https://cl.fra1.digitaloceanspaces.com/");
        let already = url::Url::parse("https://cl.fra1.digitaloceanspaces.com").unwrap();
        assert_eq!(bucket_endpoint(&already, "cl").unwrap(), already);
        let ip = url::Url::parse("http://127.0.0.1:9000").unwrap();
        assert!(bucket_endpoint(&ip, "cl").unwrap_err().to_string().contains("--s3-path-style"));
    }

    #[test]
    fn s3_settings_are_required_and_secrets_stay_out_of_errors() {
        let config = |args: &[&str]| {
            let mut all = vec!["--file-store", "s3"];
            all.extend_from_slice(args);
            crate::Config::from_args(all).unwrap().uploads
        };
        let dir = Path::new("unused");
        let missing_bucket = from_config(&config(&["--s3-access-key-id", "id"]), dir).err().unwrap();
        assert!(missing_bucket.to_string().contains("--s3-bucket"), "{missing_bucket:#}");
        let missing_keys = from_config(&config(&["--s3-bucket", "b"]), dir).err().unwrap();
        assert!(missing_keys.to_string().contains("--s3-access-key-id"), "{missing_keys:#}");
        let missing_secret =
            from_config(&config(&["--s3-bucket", "b", "--s3-access-key-id", "id"]), dir).err().unwrap();
        assert!(missing_secret.to_string().contains("--s3-secret-access-key"), "{missing_secret:#}");

        let store = from_config(
            &config(&[
                "--s3-bucket",
                "careerlog",
                "--s3-access-key-id",
                "id",
                "--s3-secret-access-key",
                "very-secret-value",
                "--s3-endpoint",
                "https://fra1.digitaloceanspaces.com",
            ]),
            dir,
        )
        .unwrap();
        assert_eq!(store.describe(), "S3 bucket careerlog at https://careerlog.fra1.digitaloceanspaces.com");
        assert!(!store.describe().contains("very-secret-value"));

        let aws =
            from_config(&config(&["--s3-bucket", "b", "--s3-access-key-id", "id", "--s3-secret-access-key", "s"]), dir)
                .unwrap();
        assert_eq!(aws.describe(), "S3 bucket b at AWS S3 (us-east-1)");
    }

    #[tokio::test]
    async fn the_in_memory_store_round_trips() {
        let store = in_memory();
        store.put("u/a/b.png", Bytes::from_static(b"png"), "image/png").await.unwrap();
        assert_eq!(store.get("u/a/b.png").await.unwrap().as_deref(), Some(&b"png"[..]));
        store.delete("u/a/b.png").await.unwrap();
        assert_eq!(store.get("u/a/b.png").await.unwrap(), None);
        store.delete("u/a/b.png").await.unwrap();
        assert!(store.get("../b.png").await.is_err());
    }
}
