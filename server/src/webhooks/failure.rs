//! Why a delivery attempt failed, as the delivery log tells the project's
//! admins: a class and a short sentence, never raw network error text
//! (which can name the server's internals and means little to a reader).

use std::error::Error as StdError;
use std::io;

use super::resolve::ResolveError;
use super::targets::Blocked;

/// The class of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The target is not a public address; nothing was sent.
    Refused(Blocked),
    /// The host name could not be resolved.
    Dns,
    /// No connection: refused, reset, or no route to the host.
    Unreachable,
    /// No answer within the delivery timeout.
    TimedOut,
    /// The secure connection failed (certificate, handshake, not TLS).
    Tls,
    /// The receiver answered with a status other than 2xx.
    Http(http::StatusCode),
    /// Anything else that stopped the request.
    Other,
}

impl Failure {
    /// The stable class stored and served (`last_failure`).
    pub fn class(self) -> &'static str {
        match self {
            Self::Refused(_) => "refused",
            Self::Dns => "dns",
            Self::Unreachable => "unreachable",
            Self::TimedOut => "timeout",
            Self::Tls => "tls",
            Self::Http(_) => "http",
            Self::Other => "error",
        }
    }

    /// The short sentence shown in the delivery log (`last_error`).
    pub fn describe(self) -> String {
        match self {
            Self::Refused(why) => format!(
                "refused (private address): the host is {why}, which webhooks may not reach"
            ),
            Self::Dns => "DNS: the host name could not be resolved".into(),
            Self::Unreachable => {
                "unreachable: the connection was refused or the host could not be reached".into()
            }
            Self::TimedOut => format!(
                "timed out: no answer within {} s",
                super::delivery::TIMEOUT.as_secs()
            ),
            Self::Tls => "TLS: the secure connection failed (certificate or handshake)".into(),
            Self::Http(status) => format!("HTTP {status}"),
            Self::Other => "failed: the request could not be sent".into(),
        }
    }

    /// The class of a failed request to a URL with `https` or not.
    pub fn of(error: &reqwest::Error, https: bool) -> Self {
        if error.is_timeout() {
            return Self::TimedOut;
        }
        if let Some(status) = error.status() {
            return Self::Http(status);
        }
        match Self::of_cause(error, https) {
            // Resolving and connecting are classified by their causes; what
            // else fails while connecting to an https URL is the handshake.
            Self::Other if https && error.is_connect() => Self::Tls,
            class => class,
        }
    }

    /// Walks the chain of causes for one that says what went wrong.
    fn of_cause(error: &(dyn StdError + 'static), https: bool) -> Self {
        let mut cause = Some(error);
        while let Some(e) = cause {
            if let Some(resolve) = e.downcast_ref::<ResolveError>() {
                return match resolve {
                    ResolveError::Refused { why, .. } => Self::Refused(*why),
                    ResolveError::Lookup { .. } | ResolveError::NoAddress { .. } => Self::Dns,
                };
            }
            if let Some(io) = e.downcast_ref::<io::Error>() {
                use io::ErrorKind::*;
                match io.kind() {
                    TimedOut => return Self::TimedOut,
                    ConnectionRefused | ConnectionReset | ConnectionAborted | HostUnreachable
                    | NetworkUnreachable | AddrNotAvailable | NotConnected | BrokenPipe => {
                        return Self::Unreachable;
                    }
                    // rustls reports a failed handshake or certificate as
                    // invalid data on the connection.
                    InvalidData if https => return Self::Tls,
                    _ => {}
                }
            }
            cause = e.source();
        }
        Self::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error the way the HTTP stack wraps it: a message over its cause.
    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Wrapped(#[source] Box<dyn StdError + Send + Sync>);

    fn wrapped(cause: impl StdError + Send + Sync + 'static) -> Wrapped {
        Wrapped(Box::new(Wrapped(Box::new(cause))))
    }

    #[test]
    fn causes_deep_in_the_chain_give_the_class() {
        let refused = ResolveError::Refused {
            host: "localhost".into(),
            why: Blocked::Loopback,
        };
        let lookup = ResolveError::Lookup {
            host: "nowhere.invalid".into(),
            source: io::Error::other("failed to lookup address information"),
        };
        let cases: Vec<(Wrapped, bool, Failure)> = vec![
            (wrapped(refused), false, Failure::Refused(Blocked::Loopback)),
            (wrapped(lookup), false, Failure::Dns),
            (
                wrapped(io::Error::from(io::ErrorKind::ConnectionRefused)),
                false,
                Failure::Unreachable,
            ),
            (
                wrapped(io::Error::from(io::ErrorKind::TimedOut)),
                false,
                Failure::TimedOut,
            ),
            (
                wrapped(io::Error::new(io::ErrorKind::InvalidData, "bad cert")),
                true,
                Failure::Tls,
            ),
            (
                wrapped(io::Error::new(io::ErrorKind::InvalidData, "bad cert")),
                false,
                Failure::Other,
            ),
            (wrapped(io::Error::other("???")), true, Failure::Other),
        ];
        for (error, https, expected) in cases {
            assert_eq!(Failure::of_cause(&error, https), expected, "{error:?}");
        }
    }

    #[test]
    fn the_log_text_names_the_class_not_the_raw_error() {
        let refused = Failure::Refused(Blocked::Loopback);
        assert_eq!(refused.class(), "refused");
        assert!(
            refused
                .describe()
                .starts_with("refused (private address): the host is a loopback address")
        );
        let http = Failure::Http(http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(http.class(), "http");
        assert_eq!(http.describe(), "HTTP 500 Internal Server Error");
        assert!(Failure::TimedOut.describe().starts_with("timed out"));
    }
}
