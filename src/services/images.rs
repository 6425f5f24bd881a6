//! Uploaded images: type from the bytes, decoded with limits, re-encoded without metadata.
