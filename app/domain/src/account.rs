//! Accounts as the domain sees them: the parsed inputs of sign-up and
//! sign-in, and the public profile shown beside a user's work. Hashing,
//! sessions and storage are the server's; nothing here does I/O.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::error::ParseError;
use super::ids::{DisplayName, UserName, string_form};

/// An e-mail address: trimmed, one `@` with text on both sides, a dot in the
/// domain, no spaces, at most 254 characters. Compared ignoring ASCII case.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        let bad = || ParseError::Email(raw.chars().take(80).collect());
        let (local, domain) = raw.split_once('@').ok_or_else(bad)?;
        let well_formed = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && raw.chars().count() <= Self::MAX_CHARS
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        well_formed
            .then(|| Self(raw.to_ascii_lowercase()))
            .ok_or_else(bad)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn canonical(&self) -> String {
        self.0.clone()
    }
}
string_form!(Email);

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

/// A password as typed: 10–1,000 characters, kept verbatim (spaces count).
/// Its `Debug` never shows it, so it cannot leak into a log line.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1_000;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let len = raw.chars().count();
        if (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&len) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::PasswordLength {
                min: Self::MIN_CHARS,
                max: Self::MAX_CHARS,
                len,
            })
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// What others see of a user: never the e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: UserName,
    pub display_name: DisplayName,
    /// A CSS colour for the avatar, chosen from the name.
    pub colour: String,
}

/// Avatar colours with white text readable on each (at least 4.6:1, WCAG
/// AA for text of any size).
const COLOURS: [&str; 8] = [
    "#1f6feb", "#8250df", "#bf3989", "#cf222e", "#bc4c00", "#1a7f37", "#0969da", "#57606a",
];

/// The avatar colour of `name`, wherever the user is shown.
pub fn avatar_colour(name: &UserName) -> &'static str {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let hash = name.as_str().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    COLOURS[hash as usize % COLOURS.len()]
}

impl Profile {
    pub fn new(name: UserName, display_name: DisplayName) -> Self {
        let colour = avatar_colour(&name).to_string();
        Self {
            name,
            display_name,
            colour,
        }
    }

    /// Up to two letters: the first of the first and last words of the
    /// display name, upper-cased ("Ada Lovelace" → "AL", "carol" → "C").
    pub fn initials(&self) -> String {
        let words: Vec<&str> = self.display_name.as_str().split_whitespace().collect();
        let first = |w: &&str| w.chars().next();
        let mut initials: String = words.first().and_then(first).into_iter().collect();
        if words.len() > 1 {
            initials.extend(words.last().and_then(first));
        }
        initials.to_uppercase()
    }
}

/// Where to go after signing in: `next` if it is a path on this site, else
/// `/`. Browsers and proxies read a `Location` leniently (they drop tabs and
/// newlines, treat `\` as `/`, some decode `%2F`), so anything that could
/// reach another host under any of those readings is refused outright,
/// and so is anything a `Location` header cannot carry verbatim.
pub fn safe_next(next: &str) -> &str {
    if is_same_site_path(next) { next } else { "/" }
}

/// Longest `next` kept; real paths of this app are far shorter.
pub const MAX_NEXT: usize = 2_048;

fn is_same_site_path(next: &str) -> bool {
    if next.len() > MAX_NEXT || !next.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    // Each percent-decoding must still be a plain local path: some hops
    // decode once more than they should.
    let mut current = next.to_owned();
    for _ in 0..4 {
        if !looks_local(&current) {
            return false;
        }
        match percent_decode(&current) {
            Some(decoded) if decoded == current => return true,
            Some(decoded) => current = decoded,
            None => return false,
        }
    }
    false
}

/// Starts with one `/` and holds no backslash or control character.
fn looks_local(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// `%XX` escapes decoded; `None` if the result is not UTF-8. A `%` not
/// followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_parse_to_lower_case_and_bad_ones_are_refused() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@c.de",
            "ada@.com",
            "ada@example.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_have_bounds_and_never_show_in_debug() {
        assert!(Password::parse("short").is_err());
        assert_eq!(
            Password::parse("short").unwrap_err().to_string(),
            "a password is 10–1000 characters (got 5)"
        );
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(p.expose(), "correct horse battery");
        assert!(!format!("{p:?}").contains("horse"));
        assert!(Password::parse(&"x".repeat(1_001)).is_err());
    }

    #[test]
    fn initials_and_colour_come_from_the_profile() {
        let p = |name: &str, display: &str| {
            Profile::new(
                UserName::parse(name).unwrap(),
                DisplayName::parse(display).unwrap(),
            )
        };
        assert_eq!(p("ada", "Ada King Lovelace").initials(), "AL");
        assert_eq!(p("carol", "carol").initials(), "C");
        assert_eq!(p("zoe", "Zoë Ünal").initials(), "ZÜ");
        assert_eq!(p("ada", "Ada").colour, p("ada", "Someone Else").colour);
        assert!(COLOURS.contains(&p("bob", "Bob").colour.as_str()));
    }

    #[test]
    fn next_keeps_same_site_paths_and_sends_everything_else_home() {
        for good in [
            "/",
            "/p/KEY/board?x=1",
            "/p/ABC/issues/ABC-12#comment-3",
            "/search?q=a%20b",
            "/signup",
        ] {
            assert_eq!(safe_next(good), good, "{good:?} is a local path");
        }
        let long = format!("/{}", "a".repeat(10 * 1024));
        for evil in [
            "",
            "p/KEY/board",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/x\\y",
            "https://evil.example",
            "javascript:alert(1)",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%0a/evil.example",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252F%25252F",
            "/a b",
            "/caf\u{e9}",
            "/%ff",
            "/\u{0}",
            "/x\u{7f}",
            long.as_str(),
        ] {
            assert_eq!(safe_next(evil), "/", "{evil:?} must not be followed");
        }
    }
}
