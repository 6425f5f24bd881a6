//! Uploaded files: a store trait with a local-directory and an S3-compatible implementation.
