//! The directory file as served: encoded once, gzipped once, named by a hash of its content.

use std::io::Write;

use axum::body::Bytes;
use finlink_search::format::{self, FormatError, Record};
use sha2::{Digest, Sha256};

/// Hex digits of the content hash that name a version of the file.
const VERSION_LENGTH: usize = 20;

/// The encoded directory, in both representations the link API serves, and its version.
#[derive(Debug, Clone)]
pub struct DirectoryFile {
    /// The first 20 hex digits of the SHA-256 of `identity`: the same directory always has
    /// the same version, and any change makes a new one.
    pub version: String,
    /// The file as text (see [`finlink_search::format`]).
    pub identity: Bytes,
    /// `identity` gzipped at the best compression.
    pub gzip: Bytes,
}

impl DirectoryFile {
    /// Encodes `records` and compresses the result.
    pub fn encode(records: &[Record]) -> Result<DirectoryFile, FormatError> {
        let text = format::encode(records)?;
        let digest = Sha256::digest(text.as_bytes());
        let version: String = crate::secrets::hex(&digest)
            .chars()
            .take(VERSION_LENGTH)
            .collect();
        let gzip = gzip(text.as_bytes());
        Ok(DirectoryFile {
            version,
            identity: Bytes::from(text),
            gzip: Bytes::from(gzip),
        })
    }

    /// The strong entity tag of the identity representation.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }

    /// The strong entity tag of the gzip representation: another representation, so another
    /// tag (RFC 9110 §8.8.3).
    pub fn gzip_etag(&self) -> String {
        format!("\"{}-gzip\"", self.version)
    }
}

/// `bytes` gzipped. Writing to memory cannot fail; were it to, the result would be a valid
/// gzip member of nothing rather than a panic, and the tests would say so.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    if let Err(error) = encoder.write_all(bytes) {
        tracing::error!("cannot gzip the directory file: {error}");
    }
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::DirectoryFile;
    use crate::directory::Directory;

    #[test]
    fn the_gzip_representation_inflates_to_the_identity_one() {
        let directory = Directory::sandbox();
        let file = directory.file().unwrap();
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&file.gzip[..])
            .read_to_end(&mut inflated)
            .unwrap();
        assert_eq!(inflated, file.identity);
        assert!(file.gzip.len() * 3 < file.identity.len());
    }

    #[test]
    fn the_version_is_a_hash_of_the_content() {
        let records = Directory::sandbox()
            .institutions()
            .iter()
            .map(|i| i.to_record())
            .collect::<Vec<_>>();
        let a = DirectoryFile::encode(&records).unwrap();
        let b = DirectoryFile::encode(&records).unwrap();
        assert_eq!(a.version, b.version);
        assert_eq!(a.version.len(), 20);
        assert!(a.version.chars().all(|c| c.is_ascii_hexdigit()));
        let c = DirectoryFile::encode(&records[1..]).unwrap();
        assert_ne!(a.version, c.version);
        assert_eq!(a.etag(), format!("\"{}\"", a.version));
        assert_eq!(a.gzip_etag(), format!("\"{}-gzip\"", a.version));
    }
}
