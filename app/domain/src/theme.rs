//! A user's choice of colours. `System` follows the device's
//! `prefers-color-scheme`; `Light` and `Dark` override it. The choice is an
//! account setting (not an event: it changes nothing anyone else sees).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// Exactly one of the three names, as stored and as sent (`system`,
    /// `light`, `dark`); anything else is refused, so nothing but these
    /// three ever reaches a cookie or the page's markup.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw)
            .ok_or_else(|| ParseError::Theme(raw.chars().take(40).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// How a person would name it in a menu.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Same as the device",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_theme_parses_from_its_own_name_and_nothing_else_does() {
        for theme in Theme::ALL {
            assert_eq!(Theme::parse(theme.as_str()), Ok(theme));
        }
        for bad in ["", "Dark", " dark", "dark;", "blue", "dark\"><script>"] {
            assert_eq!(
                Theme::parse(bad),
                Err(ParseError::Theme(bad.to_owned())),
                "{bad:?}"
            );
        }
    }
}
