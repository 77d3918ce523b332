//! One HTTP request of a delivery, to an address the [`Targets`] allow.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use super::failure::Failure;
use super::resolve::{CheckedResolver, literal_refused};
use super::targets::Targets;

/// A receiver that has not answered by then has failed this attempt.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client of deliveries and the addresses it may reach.
#[derive(Clone)]
pub struct Courier {
    client: reqwest::Client,
    targets: Targets,
}

/// A request to send: where, and what.
pub struct Request<'a> {
    pub url: &'a str,
    pub headers: [(&'static str, String); 3],
    pub body: String,
}

impl Courier {
    pub fn new(targets: Targets) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirect would lead to a target nobody checked.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve and connect on its own, unchecked.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver { targets }))
            .user_agent("Kanri-Webhooks/1")
            .build()?;
        Ok(Self { client, targets })
    }

    /// POSTs the request: the receiver's status, and why it failed if it did.
    pub async fn send(&self, request: Request<'_>) -> (Option<StatusCode>, Option<Failure>) {
        let Ok(url) = reqwest::Url::parse(request.url) else {
            return (None, Some(Failure::Other));
        };
        // A literal address does not go through the resolver.
        if let Some(why) = literal_refused(&url, self.targets) {
            tracing::warn!(%why, "webhook delivery refused: not a public address");
            return (None, Some(Failure::Refused(why)));
        }
        let https = url.scheme() == "https";
        let mut post = self
            .client
            .post(url)
            .header("content-type", "application/json");
        for (name, value) in request.headers {
            post = post.header(name, value);
        }
        match post.body(request.body).send().await {
            Ok(res) if res.status().is_success() => (Some(res.status()), None),
            Ok(res) => (Some(res.status()), Some(Failure::Http(res.status()))),
            Err(e) => {
                let failure = Failure::of(&e, https);
                // The raw error is for the operator's log only.
                tracing::info!(error = %e.without_url(), "webhook attempt failed");
                (None, Some(failure))
            }
        }
    }
}
