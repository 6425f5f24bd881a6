//! The archive format: a tar of the staged entries with `manifest.json` last, compressed with
//! gzip and encrypted with age. Writing and reading are blocking (tar, flate2 and age are
//! synchronous); callers run them in `spawn_blocking`.
//!
//! Reading checks everything before a restore touches anything: age authenticates every 64 KiB
//! chunk and the end of the stream (so a truncated or altered archive fails to decrypt), and the
//! manifest, written last, must list exactly the entries read, with their sizes and SHA-256.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;

use crate::secrets::Secret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the manifest's `format` says; a reader refuses any other.
pub const FORMAT: &str = "careerlog-backup/1";
pub const MANIFEST: &str = "manifest.json";
pub const SQLITE_ENTRY: &str = "database.sqlite";
pub const POSTGRES_ENTRY: &str = "database.pgdump";
pub const SECRET_KEY_ENTRY: &str = "secret.key";
/// Uploaded files are kept as `files/<key>`.
pub const FILES_PREFIX: &str = "files/";

/// An archive that cannot be restored, with the sentence that says why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ArchiveRefused(pub String);

fn refused(text: impl Into<String>) -> anyhow::Error {
    ArchiveRefused(text.into()).into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The Careerlog version that wrote the archive.
    pub careerlog_version: String,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: String,
    pub database: DatabaseInfo,
    /// Whether the data directory's `secret.key` is inside (an instance given `--secret-key`
    /// keeps its key elsewhere, and the restored instance needs the same one).
    pub secret_key_included: bool,
    /// The fingerprint of the key the database was first used with (never the key): what the
    /// restored instance must be given when the key is not inside.
    #[serde(default)]
    pub secret_key_fingerprint: Option<String>,
    pub entries: Vec<Entry>,
}

impl Manifest {
    pub fn file_count(&self) -> usize {
        self.entries.iter().filter(|e| e.name.starts_with(FILES_PREFIX)).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// `sqlite` or `postgres`.
    pub kind: String,
    /// The server's (or SQLite library's) version.
    pub version: String,
    /// How the snapshot was taken, e.g. `VACUUM INTO` or `pg_dump (PostgreSQL) 15.20`.
    pub tool: String,
    /// The newest migration applied when the snapshot was taken.
    pub migration: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// How an archive is encrypted: to age public keys (the private key stays off the server), or
/// with a passphrase (scrypt; slow on purpose).
#[derive(Clone)]
pub enum Sealing {
    Recipients(Vec<age::x25519::Recipient>),
    Passphrase(Secret<String>),
}

/// How an archive is opened: age identities (`AGE-SECRET-KEY-1…`) or the passphrase.
pub enum Unsealing {
    Identities(Vec<age::x25519::Identity>),
    Passphrase(Secret<String>),
}

/// Read an age identity file: `AGE-SECRET-KEY-1…` lines; `#` comments and blank lines skipped.
pub fn read_identity_file(text: &str) -> anyhow::Result<Vec<age::x25519::Identity>> {
    let mut identities = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let identity = line.parse::<age::x25519::Identity>().map_err(|_| {
            refused("the identity file holds a line that is not an age X25519 secret key (AGE-SECRET-KEY-1…)")
        })?;
        identities.push(identity);
    }
    if identities.is_empty() {
        return Err(refused("the identity file holds no age secret key (AGE-SECRET-KEY-1…)"));
    }
    Ok(identities)
}

/// Parse an age public key (`age1…`).
pub fn parse_recipient(text: &str) -> anyhow::Result<age::x25519::Recipient> {
    text.trim()
        .parse::<age::x25519::Recipient>()
        .map_err(|_| anyhow::anyhow!("--recipient {:?} is not an age public key (age1…)", text.trim()))
}

/// Is `name` one an archive may hold? Uploaded files' keys follow the file store's own rule.
fn allowed_entry(name: &str) -> bool {
    match name.strip_prefix(FILES_PREFIX) {
        Some(key) => crate::integrations::files::is_valid_key(key),
        None => matches!(name, SQLITE_ENTRY | POSTGRES_ENTRY | SECRET_KEY_ENTRY | MANIFEST),
    }
}

/// A new file only its owner can read: what is staged or unpacked holds the database and the key.
pub fn private_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Hash a staged file, streaming.
pub fn describe_file(name: &str, path: &Path) -> io::Result<Entry> {
    let mut file = BufReader::new(File::open(path)?);
    let mut hasher = Sha256::new();
    let bytes = io::copy(&mut file, &mut HashingWriter(&mut hasher))?;
    Ok(Entry { name: name.to_owned(), bytes, sha256: hex(&hasher.finalize()) })
}

pub fn describe_bytes(name: &str, bytes: &[u8]) -> Entry {
    Entry { name: name.to_owned(), bytes: bytes.len() as u64, sha256: hex(&Sha256::digest(bytes)) }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct HashingWriter<'a>(&'a mut Sha256);

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Write the archive of `manifest`'s entries, each read from `staged/<name>`, to `out`.
/// Answers the number of bytes written.
pub fn write(staged: &Path, manifest: &Manifest, sealing: &Sealing, out: &Path) -> anyhow::Result<u64> {
    use anyhow::Context;
    let file = private_file(out).with_context(|| format!("creating {}", out.display()))?;
    let encryptor = match sealing {
        Sealing::Recipients(recipients) => {
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .context("preparing the encryption")?
        }
        Sealing::Passphrase(passphrase) => {
            age::Encryptor::with_user_passphrase(SecretString::from(passphrase.expose().clone()))
        }
    };
    let encrypted = encryptor.wrap_output(BufWriter::new(file)).context("starting the encryption")?;
    let compressed = flate2::write::GzEncoder::new(encrypted, flate2::Compression::new(3));
    let mut tar = tar::Builder::new(compressed);
    for entry in &manifest.entries {
        let path = staged.join(&entry.name);
        let mut source = File::open(&path).with_context(|| format!("reading the staged {}", entry.name))?;
        tar.append_data(&mut header(entry.bytes), &entry.name, &mut source)
            .with_context(|| format!("adding {} to the archive", entry.name))?;
    }
    let manifest_json = serde_json::to_vec(manifest)?;
    tar.append_data(&mut header(manifest_json.len() as u64), MANIFEST, manifest_json.as_slice())?;
    let compressed = tar.into_inner().context("finishing the tar stream")?;
    let encrypted = compressed.finish().context("finishing the compression")?;
    // Without finish() the last chunk is never written and the archive reads as truncated.
    let mut file = encrypted.finish().context("finishing the encryption")?;
    file.flush().context("writing the archive")?;
    let file = file.into_inner().map_err(|e| e.into_error()).context("writing the archive")?;
    file.sync_all().context("writing the archive")?;
    Ok(file.metadata()?.len())
}

fn header(size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mtime(0);
    header
}

/// Decrypt and unpack `archive` into `into` (entries at `into/<name>`), checking every entry
/// against the manifest. Any problem is an [`ArchiveRefused`] with a sentence for the operator.
pub fn read(archive: &Path, unsealing: &Unsealing, into: &Path) -> anyhow::Result<Manifest> {
    let file =
        File::open(archive).map_err(|err| refused(format!("cannot read the archive {}: {err}", archive.display())))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(file)).map_err(|err| {
        refused(format!(
            "{} is not a Careerlog backup (not an age-encrypted file, or its header is damaged: {err})",
            archive.display()
        ))
    })?;
    let passphrase_identity;
    let decrypted = match unsealing {
        Unsealing::Identities(identities) => decryptor.decrypt(identities.iter().map(|i| i as &dyn age::Identity)),
        Unsealing::Passphrase(passphrase) => {
            passphrase_identity = age::scrypt::Identity::new(SecretString::from(passphrase.expose().clone()));
            decryptor.decrypt(std::iter::once(&passphrase_identity as &dyn age::Identity))
        }
    }
    .map_err(|err| match err {
        age::DecryptError::NoMatchingKeys => {
            refused("the archive was not encrypted to this identity (no matching key)")
        }
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
            refused("the archive could not be decrypted with this key or passphrase")
        }
        other => refused(format!("the archive's header is damaged or altered: {other}")),
    })?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(decrypted));
    let damaged = |err: io::Error| {
        refused(format!("the archive is truncated or was altered: it stops making sense part way through ({err})"))
    };
    let mut seen: std::collections::HashMap<String, Entry> = std::collections::HashMap::new();
    let mut manifest: Option<Manifest> = None;
    for entry in tar.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        if manifest.is_some() {
            return Err(refused(format!("the archive holds {name:?} after its manifest: it was altered")));
        }
        if entry.header().entry_type() != tar::EntryType::Regular || !allowed_entry(&name) {
            return Err(refused(format!("the archive holds an unexpected entry {name:?}: it was altered")));
        }
        if seen.contains_key(&name) {
            return Err(refused(format!("the archive holds {name:?} twice: it was altered")));
        }
        if name == MANIFEST {
            // No cap: every byte of the stream is authenticated, and the writer sets no limit.
            let mut text = Vec::new();
            entry.read_to_end(&mut text).map_err(damaged)?;
            let parsed: Manifest = serde_json::from_slice(&text)
                .map_err(|err| refused(format!("the archive's manifest cannot be read: {err}")))?;
            manifest = Some(parsed);
            continue;
        }
        let target: PathBuf = into.join(&name);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut hasher = Sha256::new();
        let mut out = BufWriter::new(private_file(&target)?);
        let mut buffer = vec![0u8; 64 * 1024];
        let mut bytes = 0u64;
        loop {
            let read = entry.read(&mut buffer).map_err(damaged)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read])?;
            bytes += read as u64;
        }
        out.flush()?;
        seen.insert(name.clone(), Entry { name, bytes, sha256: hex(&hasher.finalize()) });
    }
    // The end of the tar is not the end of the stream: read on, so age checks its last chunk.
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(damaged)?;
    let Some(manifest) = manifest else {
        return Err(refused("the archive is incomplete: it ends before its manifest"));
    };
    if manifest.format != FORMAT {
        return Err(refused(format!("the archive's format is {:?}; this Careerlog reads {FORMAT:?}", manifest.format)));
    }
    let mut listed_names = std::collections::HashSet::new();
    for listed in &manifest.entries {
        listed_names.insert(listed.name.as_str());
        match seen.get(&listed.name) {
            None => return Err(refused(format!("the archive is incomplete: {} is missing", listed.name))),
            Some(found) if found != listed => {
                return Err(refused(format!(
                    "{} does not match the manifest's size and checksum: the archive was altered",
                    listed.name
                )))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().find(|name| !listed_names.contains(name.as_str())) {
        return Err(refused(format!("the archive holds {extra} which its manifest does not list")));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (age::x25519::Identity, age::x25519::Recipient) {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        (identity, recipient)
    }

    /// Stage `files` and write them as an archive; answers the archive's path.
    fn archive_of(dir: &Path, files: &[(&str, &[u8])], recipient: age::x25519::Recipient) -> (PathBuf, Manifest) {
        let staged = dir.join("staged");
        let mut entries = Vec::new();
        for (name, bytes) in files {
            let path = staged.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
            entries.push(describe_file(name, &path).unwrap());
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            careerlog_version: "test".into(),
            created_at: "2026-12-05T00:00:00Z".into(),
            database: DatabaseInfo { kind: "sqlite".into(), version: "3".into(), tool: "test".into(), migration: 1 },
            secret_key_included: false,
            secret_key_fingerprint: None,
            entries,
        };
        let out = dir.join("archive.age");
        write(&staged, &manifest, &Sealing::Recipients(vec![recipient]), &out).unwrap();
        (out, manifest)
    }

    fn refusal(result: anyhow::Result<Manifest>) -> String {
        let err = result.expect_err("the archive is refused");
        assert!(err.is::<ArchiveRefused>(), "a refusal with a sentence, not {err:#}");
        err.to_string()
    }

    #[test]
    fn an_archive_reads_back_whole_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let (identity, recipient) = keys();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (archive, manifest) =
            archive_of(dir.path(), &[(SQLITE_ENTRY, b"db"), ("files/u/a/b.jpg", &big)], recipient);
        let out = dir.path().join("out");
        let read_back = read(&archive, &Unsealing::Identities(vec![identity]), &out).unwrap();
        assert_eq!(read_back, manifest);
        assert_eq!(std::fs::read(out.join("files/u/a/b.jpg")).unwrap(), big);
        assert_eq!(read_back.file_count(), 1);
    }

    #[test]
    fn another_key_a_truncated_or_an_altered_archive_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (identity, recipient) = keys();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i * 13 % 251) as u8).collect();
        let (archive, _) = archive_of(dir.path(), &[(SQLITE_ENTRY, &big)], recipient);
        let bytes = std::fs::read(&archive).unwrap();
        let out = dir.path().join("out");

        let stranger = Unsealing::Identities(vec![age::x25519::Identity::generate()]);
        assert!(refusal(read(&archive, &stranger, &out)).contains("not encrypted to this identity"));

        let mine = || Unsealing::Identities(vec![identity.clone()]);
        for cut in [bytes.len() - 1, bytes.len() / 2, 200] {
            let truncated = dir.path().join(format!("cut-{cut}.age"));
            std::fs::write(&truncated, &bytes[..cut]).unwrap();
            let said = refusal(read(&truncated, &mine(), &out));
            assert!(said.contains("truncated") || said.contains("incomplete") || said.contains("damaged"), "{said}");
        }
        let mut altered = bytes.clone();
        let middle = altered.len() / 2;
        altered[middle] ^= 0x40;
        let tampered = dir.path().join("tampered.age");
        std::fs::write(&tampered, &altered).unwrap();
        assert!(refusal(read(&tampered, &mine(), &out)).contains("altered"));
    }

    #[test]
    fn a_passphrase_archive_opens_with_that_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("staged");
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join(SQLITE_ENTRY), b"database").unwrap();
        let manifest = Manifest {
            format: FORMAT.into(),
            careerlog_version: "test".into(),
            created_at: "2026-12-05T00:00:00Z".into(),
            database: DatabaseInfo { kind: "sqlite".into(), version: "3".into(), tool: "test".into(), migration: 1 },
            secret_key_included: false,
            secret_key_fingerprint: None,
            entries: vec![describe_file(SQLITE_ENTRY, &staged.join(SQLITE_ENTRY)).unwrap()],
        };
        let out = dir.path().join("archive.age");
        let passphrase = |text: &str| Secret::new(text.to_owned());
        write(&staged, &manifest, &Sealing::Passphrase(passphrase("correct horse battery staple")), &out).unwrap();
        let wrong = read(&out, &Unsealing::Passphrase(passphrase("incorrect horse")), &dir.path().join("a"));
        assert!(refusal(wrong).contains("could not be decrypted"));
        let right = Unsealing::Passphrase(passphrase("correct horse battery staple"));
        assert_eq!(read(&out, &right, &dir.path().join("b")).unwrap(), manifest);
    }

    #[test]
    fn passphrases_and_identity_files_are_read() {
        let (identity, _) = keys();
        use age::secrecy::ExposeSecret;
        let text = format!("# created: today\n# public key: x\n{}\n", identity.to_string().expose_secret());
        assert_eq!(read_identity_file(&text).unwrap().len(), 1);
        assert!(read_identity_file("# nothing\n").is_err());
        assert!(read_identity_file("AGE-PLUGIN-YUBIKEY-1XYZ\n").is_err());
        assert!(parse_recipient("age1nope").is_err());
    }

    #[test]
    fn only_known_entries_are_allowed() {
        assert!(allowed_entry("files/u/0192/abc.jpg"));
        assert!(allowed_entry(MANIFEST));
        assert!(!allowed_entry("files/../secret.key"));
        assert!(!allowed_entry("/etc/passwd"));
        assert!(!allowed_entry("careerlog.db"));
    }
}
