//! Uploaded-file storage against a real S3-compatible server on loopback (moto), the local
//! directory, and the in-memory fake.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use careerlog::integrations::files::{self, FileStore};
use careerlog::Config;
use object_store::aws::AmazonS3Builder;
use object_store::{Attribute, ObjectStore};

use crate::support::in_ci;

/// A moto server (`moto_server`, an S3-compatible API among others) on a free loopback port,
/// stopped when dropped. Reusable by other test modules for end-to-end upload tests.
pub(crate) struct MotoServer {
    child: Child,
    port: u16,
}

impl MotoServer {
    /// A client of its own for `bucket`, to read what the app stored there over S3.
    pub(crate) fn bucket(&self, bucket: &str) -> object_store::aws::AmazonS3 {
        AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .build()
            .unwrap()
    }

    /// Start one and wait until it answers. `None` (the test is skipped) when `moto_server` is not
    /// installed, which CI does not allow.
    pub(crate) async fn start() -> Option<MotoServer> {
        let port = free_port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                if in_ci() {
                    panic!("CI=true requires moto_server (pip install 'moto[server]'): {err}");
                }
                eprintln!("skipping an S3 test: moto_server is not available ({err})");
                return None;
            }
        };
        let server = MotoServer { child, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if client.get(server.endpoint()).send().await.is_ok() {
                return Some(server);
            }
            assert!(Instant::now() < deadline, "moto_server did not answer on port {port} within 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `http://127.0.0.1:<port>`
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Create a bucket with a path-style `PUT /<bucket>`.
    pub(crate) async fn create_bucket(&self, name: &str) {
        let response =
            reqwest::Client::new().put(format!("{}/{name}", self.endpoint())).send().await.expect("PUT bucket");
        assert!(response.status().is_success(), "creating bucket {name}: {}", response.status());
    }

    /// Command-line settings for a Careerlog using `bucket` on this server.
    pub(crate) fn careerlog_args(&self, bucket: &str) -> Vec<String> {
        [
            "--file-store",
            "s3",
            "--s3-endpoint",
            &self.endpoint(),
            "--s3-bucket",
            bucket,
            "--s3-access-key-id",
            "test",
            "--s3-secret-access-key",
            "test",
            "--s3-path-style",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Put, get, overwrite, delete, get nothing, delete nothing, and refuse bad keys.
async fn round_trip(store: &dyn FileStore) {
    let key = format!("u/{}/{}.jpg", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let bytes = Bytes::from((0..=255u8).cycle().take(100_000).collect::<Vec<u8>>());
    assert_eq!(store.get(&key).await.unwrap(), None, "nothing there yet");
    store.put(&key, bytes.clone(), "image/jpeg").await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(bytes));
    store.put(&key, Bytes::from_static(b"second"), "image/jpeg").await.unwrap();
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(&b"second"[..]), "put overwrites");
    store.delete(&key).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), None);
    store.delete(&key).await.expect("deleting a missing key is fine");
    for bad in ["../x", "/etc/passwd", "u/../../x", "U/X.JPG", "u//x", "", "u/x y"] {
        assert!(store.put(bad, Bytes::from_static(b"x"), "image/jpeg").await.is_err(), "put {bad:?}");
        assert!(store.get(bad).await.is_err(), "get {bad:?}");
        assert!(store.delete(bad).await.is_err(), "delete {bad:?}");
    }
}

#[tokio::test]
async fn s3_store_round_trips_against_an_s3_compatible_server() {
    let Some(moto) = MotoServer::start().await else { return };
    moto.create_bucket("careerlog-test").await;
    let config = Config::from_args(moto.careerlog_args("careerlog-test")).unwrap();
    let store = files::from_config(&config.uploads, std::path::Path::new("unused")).unwrap();
    assert_eq!(store.describe(), format!("S3 bucket careerlog-test at {}", moto.endpoint()));
    round_trip(&*store).await;

    // The object really is in the bucket, with its content type, and not readable anonymously.
    store.put("u/a/b.png", Bytes::from_static(b"\x89PNG"), "image/png").await.unwrap();
    let anonymous =
        reqwest::Client::new().get(format!("{}/careerlog-test/u/a/b.png", moto.endpoint())).send().await.unwrap();
    assert_eq!(anonymous.status(), 403, "objects are private; the app serves them");
    let direct = moto.bucket("careerlog-test");
    let object = direct.get(&object_store::path::Path::from("u/a/b.png")).await.unwrap();
    assert_eq!(object.attributes.get(&Attribute::ContentType).map(|v| v.as_ref()), Some("image/png"));
    assert_eq!(object.bytes().await.unwrap(), Bytes::from_static(b"\x89PNG"));
}

#[tokio::test]
async fn s3_errors_name_the_bucket_but_not_the_secret() {
    let Some(moto) = MotoServer::start().await else { return };
    let mut args = moto.careerlog_args("no-such-bucket");
    let secret = args.iter().position(|a| a == "--s3-secret-access-key").unwrap() + 1;
    args[secret] = "very-secret-value".into();
    let config = Config::from_args(args).unwrap();
    let store = files::from_config(&config.uploads, std::path::Path::new("unused")).unwrap();
    let err = store.put("u/a/b.jpg", Bytes::from_static(b"x"), "image/jpeg").await.unwrap_err();
    let message = format!("{err:#} {err:?}");
    assert!(message.contains("no-such-bucket"), "{message}");
    assert!(!message.contains("very-secret-value"), "{message}");
}

#[tokio::test]
async fn local_store_round_trips_in_the_data_directory() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let config = Config::from_args(["--data-dir", data_dir.to_str().unwrap()]).unwrap();
    let store = files::from_config(&config.uploads, &data_dir).unwrap();
    assert!(data_dir.join("uploads").is_dir(), "the upload directory is created");
    assert!(store.describe().starts_with("local directory"));
    round_trip(&*store).await;

    store.put("u/a/b.png", Bytes::from_static(b"png"), "image/png").await.unwrap();
    assert_eq!(std::fs::read(data_dir.join("uploads/u/a/b.png")).unwrap(), b"png");
    let leftovers: Vec<_> =
        std::fs::read_dir(data_dir.join("uploads/u/a")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["b.png"], "no partial files remain");
    assert!(!temp.path().join("x").exists(), "nothing escaped the upload directory");
}

#[tokio::test]
async fn in_memory_store_round_trips() {
    round_trip(&*files::in_memory()).await;
}
