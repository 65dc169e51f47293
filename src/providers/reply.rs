//! Reading vendor replies, shared by every adapter: the one mapping from HTTP status to
//! an error kind, the failure a refused or unreadable reply is, and lookups in a vendor's
//! JSON. Pure functions; what the outcome leaves unsure is worded later, by the command.

use crate::error::{Failure, Kind};
use crate::redact;
use crate::request::{describe, snippet, Reply};
use serde_json::Value;
use std::time::SystemTime;

/// The error kind an HTTP status means.
pub fn status_kind(status: u16) -> Kind {
    match status {
        401 | 403 | 407 => Kind::Auth,
        402 => Kind::InsufficientFunds,
        404 | 410 => Kind::NotFound,
        429 => Kind::RateLimited,
        300..=399 => Kind::RefusedRedirect,
        500..=599 => Kind::Server,
        _ => Kind::InvalidRequest,
    }
}

/// A failure for an HTTP reply the vendor did not accept, with the vendor's message
/// (sanitized) and code when it gave them. 5xx and 3xx mean the outcome is unknown.
pub fn http_failure(
    provider: &str,
    reply: &Reply,
    kind: Option<Kind>,
    message: Option<String>,
    code: Option<String>,
) -> Failure {
    let status = reply.status;
    let kind = kind.unwrap_or_else(|| status_kind(status));
    let what = match &message {
        Some(m) if !m.is_empty() => redact::vendor_text(m),
        _ => describe(reply),
    };
    let code = code.map(|c| redact::vendor_text(&c));
    let f = if (200..300).contains(&status) || (400..500).contains(&status) {
        Failure::rejected(
            kind,
            format!("{provider} rejected the request (HTTP {status}): {what}"),
        )
    } else {
        Failure::unknown(kind, format!("{provider} answered HTTP {status}: {what}"))
            .unsure()
            .next_step()
    };
    // A vendor asking us to slow down says when it will listen again (`Retry-After`).
    let f = match f.kind {
        Kind::RateLimited => f.retry_after(reply.retry_after),
        _ => f,
    };
    f.status(status).code(code).detail(snippet(reply))
}

/// The reply's JSON, or the failure that a non-JSON reply is: a rejection for a 4xx
/// (the vendor refused it whatever the page says), `unknown` for anything else.
pub fn reply_json(provider: &str, reply: &Reply) -> Result<Value, Failure> {
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) if v.is_object() || v.is_array() => Ok(v),
        _ if (400..500).contains(&reply.status) => {
            Err(http_failure(provider, reply, None, None, None))
        }
        _ => Err(Failure::unknown(
            if reply.status >= 500 {
                Kind::Server
            } else {
                Kind::BadResponse
            },
            format!("{provider}: {}", describe(reply)),
        )
        .status(reply.status)
        .detail(snippet(reply))
        .unsure()
        .next_step()),
    }
}

/// A string at `path` (keys separated by '.'), accepting numbers as strings too:
/// vendors are not consistent about either.
pub fn text_at(v: &Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of several message-like fields a vendor uses for its error text.
pub fn vendor_message(v: &Value) -> Option<String> {
    for path in [
        "error.message",
        "message",
        "description",
        "error_description",
        "errorMessage",
        "msg",
        "error",
        "detail",
    ] {
        if let Some(s) = text_at(v, path) {
            if !s.trim().is_empty() {
                return Some(s);
            }
        }
    }
    None
}

/// Parse an RFC 3339 / ISO 8601 time a vendor gives (`2026-11-22T08:35:00Z`, with or
/// without fraction or offset `+01:00`, or the space-separated form). A time without an
/// offset is read as UTC, which is what the vendors that omit it mean.
pub fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let at = match s.parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(_) => s
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| jiff::tz::Offset::UTC.to_timestamp(dt).ok())?,
    };
    // Only times that can be written back as RFC 3339 (1970 to year 9999) are taken; a
    // date past that is ignored like an unreadable one, and the caller falls back to
    // its own expiry (the README).
    let secs = at.as_second();
    if !(0..=LAST_WRITABLE_SECOND).contains(&secs) {
        return None;
    }
    SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs.unsigned_abs()))
}

/// 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
const LAST_WRITABLE_SECOND: i64 = 253_402_300_799;

/// The failure when a vendor says yes but the handle we need is missing.
pub fn missing_field(provider: &str, field: &str, reply: &Reply) -> Failure {
    Failure::unknown(
        Kind::BadResponse,
        format!(
            "{provider} answered HTTP {} without `{field}`",
            reply.status
        ),
    )
    .unsure()
    .status(reply.status)
    .detail(snippet(reply))
}

/// Outcome of a reply for callers that only need to know it was accepted.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_carries_its_retry_after_and_nothing_else_does() {
        let r = Reply {
            status: 429,
            content_type: None,
            body: Vec::new(),
            retry_after: Some(17),
        };
        let f = http_failure("termii", &r, None, None, None);
        assert_eq!((f.kind, f.retry_after), (Kind::RateLimited, Some(17)));
        let f = http_failure("termii", &Reply { status: 503, ..r }, None, None, None);
        assert_eq!(f.retry_after, None);
    }

    #[test]
    fn times_parse_with_offsets() {
        let z = parse_time("2026-11-22T08:35:00Z").unwrap();
        assert_eq!(parse_time("2026-11-22T09:35:00+01:00"), Some(z));
        assert_eq!(parse_time("2026-11-22 08:35:00"), Some(z));
        assert_eq!(parse_time("2026-11-22T08:35:00.000Z"), Some(z));
        assert_eq!(parse_time("nonsense"), None);
    }

    #[test]
    fn times_past_year_9999_or_before_1970_are_ignored() {
        assert_eq!(parse_time("9999-12-31T23:59:59-23:59"), None);
        assert_eq!(parse_time("1969-12-31T23:59:59Z"), None);
        let late = parse_time("9999-12-30T00:00:00Z").unwrap();
        assert_eq!(
            humantime::format_rfc3339_seconds(late).to_string(),
            "9999-12-30T00:00:00Z"
        );
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
        fn vendor_times_parse_within_what_can_be_written(
            year in prop_oneof![Just(0i64), Just(1969), Just(1970), Just(9999), Just(10000), -99999i64..99999],
            month in 0u8..14, day in 0u8..33, h in 0u8..25, m in 0u8..61, sec in 0u8..61,
            offset in prop_oneof![Just("Z".to_string()), Just("-23:59".to_string()), Just("+25:59".to_string()), "[+-][0-9]{2}:[0-9]{2}", Just(String::new())],
            sep in prop_oneof![Just('T'), Just(' ')],
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}{sep}{h:02}:{m:02}:{sec:02}{offset}");
            if let Some(t) = parse_time(&text) {
                prop_assert!(t >= SystemTime::UNIX_EPOCH && t <= SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(LAST_WRITABLE_SECOND as u64), "{text}");
                let shown = humantime::format_rfc3339_seconds(t).to_string();
                prop_assert!(shown.ends_with('Z'), "{shown}");
            }
            let _ = parse_time(&format!("{text}.{}", "9".repeat(usize::from(sec))));
        }
    }

    #[test]
    fn non_json_replies_are_described_not_dumped() {
        let r = Reply {
            status: 502,
            content_type: Some("text/html; charset=utf-8".into()),
            body: b"<html>secret page</html>".to_vec(),
            retry_after: None,
        };
        let f = reply_json("termii", &r).unwrap_err();
        assert_eq!(f.outcome, crate::error::Outcome::Unknown);
        assert!(f
            .message
            .contains("unexpected reply (HTTP 502, text/html, 24 bytes)"));
        let r = Reply { status: 401, ..r };
        let f = reply_json("termii", &r).unwrap_err();
        assert_eq!(f.kind, Kind::Auth);
        assert_eq!(f.exit_code(), 4);
    }
}
