//! Secret values that never print, the instance's master key, and the keys derived from it.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A value that must never reach a log line: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret<String> {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// The purposes keys are derived for. Each gets an independent key, so a leak of one derived
/// key (say, through a timing bug in CSRF comparison) says nothing about the others.
#[derive(Debug, Clone, Copy)]
pub enum KeyPurpose {
    /// Anonymous CSRF tokens.
    Csrf,
    /// Keyed hashes of client addresses and email addresses in throttle buckets.
    Throttle,
    /// Field-level encryption: resume imports awaiting review, OAuth tokens (later issues).
    FieldEncryption,
    /// Keyed hashes of visitors' addresses in page-view analytics.
    Analytics,
    /// The Bluesky OAuth client's signing key (a confidential client's `private_key_jwt`).
    BlueskyClientKey,
    /// The key's fingerprint, kept in the database so that an instance started with another key
    /// is refused (see [`MasterKey::fingerprint`]).
    Fingerprint,
}

impl KeyPurpose {
    fn label(self) -> &'static [u8] {
        match self {
            KeyPurpose::Csrf => b"careerlog/csrf/v1",
            KeyPurpose::Throttle => b"careerlog/throttle/v1",
            KeyPurpose::FieldEncryption => b"careerlog/field-encryption/v1",
            KeyPurpose::Analytics => b"careerlog/analytics/v1",
            KeyPurpose::BlueskyClientKey => b"careerlog/bluesky-client-key/v1",
            KeyPurpose::Fingerprint => b"careerlog/key-fingerprint/v1",
        }
    }
}

/// The instance's master key. All instances of one deployment share it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl MasterKey {
    /// Parse 64 hex characters.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("the secret key must be 64 hexadecimal characters (32 bytes)");
        }
        let mut key = [0u8; 32];
        for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
            let pair = std::str::from_utf8(chunk).expect("hex digits are ASCII");
            key[i] = u8::from_str_radix(pair, 16).expect("checked hex above");
        }
        Ok(Self(key))
    }

    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Use the configured key, or the one in `<data_dir>/secret.key`, creating it on first run
    /// with permissions that only the owner can read.
    pub fn load_or_create(configured: Option<&Secret<String>>, data_dir: &Path) -> anyhow::Result<Self> {
        match Self::load(configured, data_dir)? {
            Some(key) => Ok(key),
            None => Self::create(data_dir),
        }
    }

    /// The configured key, or the one in `<data_dir>/secret.key`; None when there is neither.
    pub fn load(configured: Option<&Secret<String>>, data_dir: &Path) -> anyhow::Result<Option<Self>> {
        if let Some(secret) = configured {
            return Self::from_hex(secret.expose()).context("CAREERLOG_SECRET_KEY").map(Some);
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(&text).with_context(|| format!("reading {}", path.display())).map(Some),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Generate a key and keep it in `<data_dir>/secret.key`, readable by the owner only.
    pub fn create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("secret.key");
        let key = Self::generate();
        write_private_file(&path, key.to_hex().as_bytes()).with_context(|| format!("writing {}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a new secret key");
        Ok(key)
    }

    /// What names this key without revealing it: 32 hex characters of a key derived for
    /// nothing else. Two instances with one fingerprint have one key.
    pub fn fingerprint(&self) -> String {
        self.derive(KeyPurpose::Fingerprint).0.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    pub fn derive(&self, purpose: KeyPurpose) -> DerivedKey {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("any key length works");
        mac.update(purpose.label());
        DerivedKey(mac.finalize().into_bytes().into())
    }
}

/// A key for one purpose, derived from the master key.
#[derive(Clone)]
pub struct DerivedKey([u8; 32]);

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey([redacted])")
    }
}

impl DerivedKey {
    /// The key's bytes, for a purpose that needs a key of its own kind (a signing key's seed).
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A keyed one-way hash of `message`, as URL-safe base64 without padding.
    pub fn mac(&self, message: &[u8]) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("any key length works");
        mac.update(message);
        crate::domain::token::encode(&mac.finalize().into_bytes())
    }

    /// Encrypt and authenticate `plaintext`, bound to `context` (say, the row it is kept in, so
    /// a sealed value copied into another row does not open). Answers nonce ‖ ciphertext.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context })
            .expect("XChaCha20-Poly1305 encrypts any length we keep");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of [`DerivedKey::seal`]'s output, or `None` when it was sealed with another
    /// key or context, or changed since.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        const NONCE: usize = 24;
        if sealed.len() < NONCE {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        cipher.decrypt(nonce.into(), Payload { msg: ciphertext, aad: context }).ok()
    }
}

/// SHA-256 of a high-entropy token, for storing tokens we must recognise but never reveal.
pub fn hash_token(token: &str) -> String {
    crate::domain::token::encode(&Sha256::digest(token.as_bytes()))
}

pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2-hunter2".to_string());
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        let key = MasterKey::generate();
        assert_ne!(key.derive(KeyPurpose::Csrf).mac(b"x"), key.derive(KeyPurpose::Throttle).mac(b"x"));
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = MasterKey::generate().derive(KeyPurpose::FieldEncryption);
        let sealed = key.seal(b"Jane Doe, engineer", b"import:1");
        assert!(!sealed.windows(4).any(|w| w == b"Jane"), "the plaintext is not in the sealed bytes");
        assert_eq!(key.open(&sealed, b"import:1").as_deref(), Some(&b"Jane Doe, engineer"[..]));
        assert_eq!(key.open(&sealed, b"import:2"), None, "another row's context");
        let other = MasterKey::generate().derive(KeyPurpose::FieldEncryption);
        assert_eq!(other.open(&sealed, b"import:1"), None, "another key");
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&changed, b"import:1"), None, "a changed byte");
        assert_eq!(key.open(b"short", b"import:1"), None);
        assert_ne!(key.seal(b"x", b"c"), key.seal(b"x", b"c"), "a fresh nonce each time");
    }

    #[test]
    fn a_fingerprint_names_one_key_and_reveals_none_of_it() {
        let key = MasterKey::generate();
        let fingerprint = key.fingerprint();
        assert_eq!(fingerprint.len(), 32);
        assert_eq!(MasterKey::from_hex(&key.to_hex()).unwrap().fingerprint(), fingerprint, "the same key");
        assert_ne!(MasterKey::generate().fingerprint(), fingerprint, "another key");
        assert!(!key.to_hex().contains(&fingerprint) && !fingerprint.contains(&key.to_hex()[..16]));
    }

    #[test]
    fn master_key_round_trips_through_hex() {
        let key = MasterKey::generate();
        let again = MasterKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(key.0, again.0);
        assert!(MasterKey::from_hex("abc").is_err());
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load_or_create(None, dir.path()).unwrap();
        let second = MasterKey::load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.0, second.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
    }
}
