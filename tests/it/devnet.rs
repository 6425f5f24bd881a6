//! A real AT Protocol network on loopback: the reference PLC directory and PDS (dev mode) from
//! npm's @atproto/dev-env, started by scripts/devnet/network.mjs with the Node and packages that
//! scripts/devnet/install put into .devnet/ (./scripts/test installs it when missing or
//! outdated). Without .devnet/ the tests that need it are skipped, except in CI, where that is a
//! failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::in_ci;

/// How long the network may take to start and create its accounts (about 10 s on a quiet
/// two-core machine; much more while cargo builds beside it).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long it may take to close after its stdin closes, before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// An account on the dev network's PDS (created at start, so it can sign in at once).
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct DevnetAccount {
    pub handle: String,
    pub did: String,
    pub email: String,
    pub password: String,
}

/// A running dev network: a PLC directory and a PDS on random `http://localhost` ports, with
/// the accounts alice.test and bob.test (passwords `alice-devnet-pass`, `bob-devnet-pass`).
/// Dropping it stops the network and removes its data.
#[derive(serde::Deserialize)]
pub(crate) struct Devnet {
    pub plc_url: String,
    pub pds_url: String,
    pub accounts: Vec<DevnetAccount>,
    #[serde(skip)]
    process: Option<Process>,
}

struct Process {
    child: Child,
    /// Held open: the network runs until its stdin closes.
    stdin: Option<ChildStdin>,
    _data: tempfile::TempDir,
}

/// .devnet/ at the repository root, as scripts/devnet/install leaves it.
fn devnet_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".devnet")
}

impl Devnet {
    /// Start a fresh network; `None` (the test is skipped) when .devnet/ is not installed, which
    /// CI does not allow. Panics when an installed network does not start.
    pub(crate) async fn start() -> Option<Devnet> {
        let dir = devnet_dir();
        let node = dir.join("node/bin/node");
        if !dir.join("stamp").is_file() || !node.is_file() {
            if in_ci() {
                panic!(
                    "CI=true requires the AT Protocol dev network in {}: run scripts/devnet/install \
                     (./scripts/test does) and see its messages",
                    dir.display()
                );
            }
            eprintln!("skipping an AT Protocol test: the dev network is not installed (scripts/devnet/install)");
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/devnet/network.mjs");
        let data = tempfile::tempdir().expect("temp dir for the dev network");
        let mut child = Command::new(&node)
            .arg(&script)
            .env("DEVNET_DIR", &dir)
            .env("DEVNET_DATA_DIR", data.path())
            .env_remove("DEVNET_ACCOUNTS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("start {} {}: {err}", node.display(), script.display()));
        let stdin = child.stdin.take();
        // Dropped (so stopped) if anything below panics.
        let mut process = Process { child, stdin, _data: data };

        // Its log is passed on (shown when a test fails) so that the pipe never fills.
        let stderr = process.child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
        // The one line of JSON on stdout says where it listens; stdout stays open until it ends.
        let stdout = process.child.stdout.take().unwrap();
        let (sender, first_line) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            for _ in lines {}
        });
        let line = tokio::task::spawn_blocking(move || first_line.recv_timeout(START_TIMEOUT)).await.unwrap();
        let line = match line {
            Ok(Some(Ok(line))) => line,
            Ok(_) => panic!("the dev network ended before it started: {:?} (its log is above)", process.child.wait()),
            Err(_) => panic!("the dev network did not start within {START_TIMEOUT:?} (its log is above)"),
        };
        let mut devnet: Devnet =
            serde_json::from_str(&line).unwrap_or_else(|err| panic!("the dev network's first line {line:?}: {err}"));
        devnet.process = Some(process);
        Some(devnet)
    }

    /// The account with this handle (e.g. "alice.test"); panics when there is none.
    pub(crate) fn account(&self, handle: &str) -> &DevnetAccount {
        self.accounts.iter().find(|account| account.handle == handle).unwrap_or_else(|| {
            panic!(
                "no account {handle} on the dev network, only {:?}",
                self.accounts.iter().map(|a| &a.handle).collect::<Vec<_>>()
            )
        })
    }
}

impl Drop for Process {
    /// Close its stdin (the network closes its servers and exits), and kill it if it has not
    /// ended after a short grace.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_dev_network_starts_and_signs_in() {
    let Some(devnet) = Devnet::start().await else { return };
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();

    // The PDS is its own OAuth authorization server, named by its origin.
    let metadata: serde_json::Value = http
        .get(format!("{}/.well-known/oauth-authorization-server", devnet.pds_url))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let origin = reqwest::Url::parse(&devnet.pds_url).unwrap().origin().ascii_serialization();
    assert_eq!(metadata["issuer"], origin.as_str(), "{metadata}");

    // Alice signs in with her password.
    let alice = devnet.account("alice.test");
    let session: serde_json::Value = http
        .post(format!("{}/xrpc/com.atproto.server.createSession", devnet.pds_url))
        .json(&serde_json::json!({ "identifier": alice.handle, "password": alice.password }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["did"], alice.did.as_str(), "{session}");
    assert_eq!(session["email"], alice.email.as_str(), "{session}");
    assert!(alice.did.starts_with("did:plc:"), "{}", alice.did);

    // Her DID is on the network's own PLC directory, naming the PDS as hers.
    let document: serde_json::Value = http
        .get(format!("{}/{}", devnet.plc_url, alice.did))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["id"], alice.did.as_str(), "{document}");
    let services = document["service"].as_array().expect("services in the DID document");
    let pds = services.iter().find(|service| service["id"] == "#atproto_pds").expect("an #atproto_pds service");
    assert_eq!(pds["serviceEndpoint"], devnet.pds_url.as_str(), "{document}");
    assert_eq!(devnet.account("bob.test").handle, "bob.test");
}
