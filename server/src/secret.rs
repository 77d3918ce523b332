//! Secrets handed out once (share links, API tokens) and kept only as hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 128 random bits: a share link's or an API token's secret. Only its
/// SHA-256 is stored; nobody can guess 128 random bits, so a fast hash
/// suffices (unlike for passwords).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 16]);

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        Self(bytes)
    }

    /// Exactly 22 URL-safe base64 characters (16 bytes); anything else is
    /// no token.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() != 22 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

// Never print the secret in logs or panics.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_random_bits_in_22_url_safe_characters() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a, b);
        let text = a.to_string();
        assert_eq!(text.len(), 22);
        assert!(
            text.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(Secret::parse(&text), Some(a.clone()));
        assert_eq!(format!("{a:?}"), "Secret(…)", "never logged");
    }

    #[test]
    fn only_well_formed_tokens_parse() {
        for bad in [
            "",
            "short",
            "aaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaa+/",
            "../../etc/passwd......",
        ] {
            assert_eq!(Secret::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_token_bytes() {
        let token = Secret([0u8; 16]);
        // SHA-256 of sixteen zero bytes.
        let expected = "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb";
        let hex: String = token.sha256().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
        assert_ne!(Secret::generate().sha256(), token.sha256());
    }
}
