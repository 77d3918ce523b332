//! The colour theme: chosen by anyone for their browser (a cookie, so the
//! server renders every page in it before any script runs), and kept in a
//! signed-in user's account, so each browser they sign in on gets it.

use leptos::prelude::*;

use super::ApiError;
#[cfg(feature = "ssr")]
use crate::domain::Theme;

/// The cookie naming this browser's theme; absent means `system`.
pub const THEME_COOKIE: &str = "kanri-theme";

/// Chooses the theme for this browser and, for a browser session's user,
/// for their account. Anyone may choose (the sign-in page has colours
/// too); an API token's owner gets no cookie worth keeping, so nothing of
/// theirs changes.
#[server(prefix = "/api/fn", endpoint = "set_theme")]
pub async fn set_theme(theme: String) -> Result<(), ApiError> {
    use super::Credential;
    super::functions::reply(
        async {
            let theme =
                Theme::parse(&theme).map_err(|e| ApiError::invalid("theme", e.to_string()))?;
            match super::functions::signed_in_user().await {
                Ok((backend, user, Credential::Session(_))) => {
                    backend.set_theme(user, theme).await?
                }
                Ok(_) | Err(ApiError::Unauthorized) | Err(ApiError::Rejected(_)) => {}
                Err(e) => return Err(e),
            }
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.append_header(http::header::SET_COOKIE, theme_cookie(theme));
            }
            Ok(())
        }
        .await,
    )
}

/// `Set-Cookie` for `theme`: a year for light or dark, removed for system.
#[cfg(feature = "ssr")]
pub fn theme_cookie(theme: Theme) -> http::HeaderValue {
    let age = if theme == Theme::System {
        0
    } else {
        31_536_000
    };
    let cookie = format!("{THEME_COOKIE}={theme}; Path=/; Max-Age={age}; SameSite=Lax; HttpOnly");
    http::HeaderValue::from_str(&cookie).expect("a theme's name is a valid header value")
}

/// The theme a request's cookies name; `System` without one, or with a
/// value that is no theme (a hand-edited cookie changes nothing).
#[cfg(feature = "ssr")]
pub fn theme_of(headers: &http::HeaderMap) -> Theme {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == THEME_COOKIE)
        .and_then(|(_, value)| Theme::parse(value).ok())
        .unwrap_or_default()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn cookies(raw: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, raw.parse().unwrap());
        headers
    }

    #[test]
    fn the_theme_is_read_from_its_cookie_among_others_and_anything_else_is_system() {
        assert_eq!(
            theme_of(&cookies("id=abc; kanri-theme=dark; x=1")),
            Theme::Dark
        );
        assert_eq!(theme_of(&cookies("kanri-theme=light")), Theme::Light);
        assert_eq!(theme_of(&cookies("kanri-theme=\"><script>")), Theme::System);
        assert_eq!(theme_of(&cookies("other-kanri-theme=dark")), Theme::System);
        assert_eq!(theme_of(&http::HeaderMap::new()), Theme::System);
    }

    #[test]
    fn choosing_system_removes_the_cookie() {
        assert!(
            theme_cookie(Theme::System)
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert!(
            theme_cookie(Theme::Dark)
                .to_str()
                .unwrap()
                .starts_with("kanri-theme=dark;")
        );
    }
}
