//! Uploaded-file storage against a real S3-compatible server on loopback.
