//! Keeping a Redis URL's credentials out of logs, pages and error texts.
//!
//! A Redis URL carries its password in one of two places: the user-info (`redis://user:pass@host`)
//! or, for Unix sockets, the query string (`redis+unix:///tmp/r.sock?pass=…`, also `password=`).
//! Redacting the first alone leaks the second, so both are handled, and a [`Redactor`] remembers
//! the secret values themselves (as written and percent-decoded, which is how the Redis client
//! sends them) so that any text that might echo them — a Redis error, a log line — can be cleaned
//! too.

use percent_encoding::percent_decode_str;

const REDACTED: &str = "[redacted]";
/// Query parameters that hold a password (redis-rs reads `pass`; `password` is a common mistake
/// that must not leak either).
const SECRET_PARAMETERS: [&str; 2] = ["pass", "password"];

/// A Redis URL fit for display, and the secrets it must never show.
#[derive(Clone)]
pub struct Redactor {
    original: String,
    shown: String,
    /// Longest first, so that a secret containing another is replaced whole.
    secrets: Vec<String>,
}

impl Redactor {
    pub fn of(url: &str) -> Self {
        let mut secrets = Vec::new();
        let shown = redact(url, &mut secrets);
        let mut decoded: Vec<String> = secrets
            .iter()
            .flat_map(|raw| {
                let plus_as_space = raw.replace('+', " ");
                [
                    percent_decode_str(raw).decode_utf8_lossy().into_owned(),
                    percent_decode_str(&plus_as_space)
                        .decode_utf8_lossy()
                        .into_owned(),
                ]
            })
            .collect();
        secrets.append(&mut decoded);
        secrets.retain(|secret| !secret.is_empty());
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Redactor {
            original: url.to_owned(),
            shown,
            secrets,
        }
    }

    /// One redactor for several URLs (a cluster's seed nodes), shown comma-separated.
    pub fn of_each(urls: &[String]) -> Self {
        let each: Vec<Redactor> = urls.iter().map(|url| Redactor::of(url)).collect();
        let mut secrets: Vec<String> = each.iter().flat_map(|r| r.secrets.clone()).collect();
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Redactor {
            original: urls.join(","),
            shown: each
                .iter()
                .map(|r| r.shown.as_str())
                .collect::<Vec<_>>()
                .join(","),
            secrets,
        }
    }

    /// The URL with every credential replaced by `[redacted]`.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// `text` with the URL shown redacted and every secret of it replaced.
    pub fn text(&self, text: &str) -> String {
        let mut clean = text.replace(&self.original, &self.shown);
        for secret in &self.secrets {
            clean = clean.replace(secret.as_str(), REDACTED);
        }
        clean
    }
}

/// `redis://user:pass@host:6379/0` → `redis://[redacted]@host:6379/0`;
/// `redis+unix:///tmp/r.sock?pass=x` → `redis+unix:///tmp/r.sock?pass=[redacted]`.
pub fn redact_url(url: &str) -> String {
    Redactor::of(url).shown
}

/// The redacted URL; the raw secrets found are pushed onto `secrets`.
fn redact(url: &str, secrets: &mut Vec<String>) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (url, None),
    };
    let mut shown = match before_query.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => {
                    let user_info = &rest[..at];
                    secrets.push(user_info.to_owned());
                    if let Some((_, password)) = user_info.split_once(':') {
                        secrets.push(password.to_owned());
                    }
                    format!("{scheme}://{REDACTED}{}", &rest[at..])
                }
                None => before_query.to_owned(),
            }
        }
        None => before_query.to_owned(),
    };
    if let Some(query) = query {
        let (query, fragment) = match query.split_once('#') {
            Some((query, fragment)) => (query, Some(fragment)),
            None => (query, None),
        };
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if is_secret_parameter(name) => {
                    secrets.push(value.to_owned());
                    format!("{name}={REDACTED}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
        if let Some(fragment) = fragment {
            shown.push('#');
            shown.push_str(fragment);
        }
    }
    shown
}

fn is_secret_parameter(name: &str) -> bool {
    let name = percent_decode_str(name).decode_utf8_lossy();
    SECRET_PARAMETERS
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_credentials_is_shown_as_it_is() {
        let url = "redis://127.0.0.1:6379/2?protocol=resp3";

        let shown = redact_url(url);

        assert_eq!(shown, url);
    }

    #[test]
    fn user_and_password_in_the_user_info_are_redacted() {
        let shown = redact_url("redis://user:s3cret@cache:6379/0");

        assert_eq!(shown, "redis://[redacted]@cache:6379/0");
    }

    #[test]
    fn a_password_without_a_user_is_redacted() {
        let shown = redact_url("rediss://:s3cret@cache:6380");

        assert_eq!(shown, "rediss://[redacted]@cache:6380");
    }

    #[test]
    fn a_pass_query_parameter_is_redacted() {
        let shown = redact_url("redis+unix:///tmp/r.sock?pass=s3cret");

        assert_eq!(shown, "redis+unix:///tmp/r.sock?pass=[redacted]");
    }

    #[test]
    fn a_password_query_parameter_is_redacted_and_the_others_kept() {
        let shown = redact_url("unix:///tmp/r.sock?db=1&PASSWORD=s3cret&user=app");

        assert_eq!(
            shown,
            "unix:///tmp/r.sock?db=1&PASSWORD=[redacted]&user=app"
        );
    }

    #[test]
    fn both_places_at_once_are_redacted() {
        let shown = redact_url("redis://app:one@cache:6379/0?pass=two");

        assert!(!shown.contains("one") && !shown.contains("two"), "{shown}");
    }

    #[test]
    fn an_error_text_loses_the_url_and_every_form_of_the_secret() {
        let redactor = Redactor::of("redis+unix:///tmp/r.sock?pass=s%33cr+et");
        let text = "connecting to redis+unix:///tmp/r.sock?pass=s%33cr+et failed; \
                    AUTH s3cr et refused; raw s%33cr+et; half s3cr+et";

        let clean = redactor.text(text);

        assert!(!clean.contains("s3cr"), "{clean}");
        assert!(!clean.contains("s%33cr"), "{clean}");
        assert!(
            clean.contains("redis+unix:///tmp/r.sock?pass=[redacted]"),
            "{clean}"
        );
    }

    #[test]
    fn every_seed_of_a_cluster_loses_its_password() {
        let seeds = [
            "redis://:one@10.0.0.1:7000".to_owned(),
            "redis://10.0.0.2:7000".to_owned(),
            "redis://app:two@10.0.0.3:7000".to_owned(),
        ];
        let redactor = Redactor::of_each(&seeds);

        let clean = redactor.text(&format!("{} refused one, then two", seeds.join(",")));

        assert_eq!(
            redactor.url(),
            "redis://[redacted]@10.0.0.1:7000,redis://10.0.0.2:7000,redis://[redacted]@10.0.0.3:7000"
        );
        assert!(!clean.contains("one") && !clean.contains("two"), "{clean}");
    }

    #[test]
    fn an_error_text_loses_a_user_info_password() {
        let redactor = Redactor::of("redis://app:hunter2@cache:6379");

        let clean = redactor.text("WRONGPASS for app:hunter2 (hunter2)");

        assert!(!clean.contains("hunter2"), "{clean}");
    }
}
