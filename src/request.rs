//! A vendor request and its reply as plain values: built before anything is sent, so
//! `--dry-run`, `--verbose` and the tests read exactly what goes on the wire; masked and
//! rendered for people here, sent only by `http`.

use crate::redact;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Empty,
    Json(Value),

    Form(Vec<(String, String)>),
}

/// A request as a value: built before anything is sent, so `--dry-run`, `--verbose`
/// and the tests read exactly what would go on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    pub fn form(mut self, fields: Vec<(String, String)>) -> Request {
        self.body = Body::Form(fields);
        self
    }

    /// `--param KEY=VALUE` fields, applied last so they override what the adapter set.
    /// In a JSON body a value that reads as a JSON number, `true` or `false` is sent as
    /// that; anything else as a string.
    pub fn apply_params(&mut self, params: &[(String, String)]) {
        if params.is_empty() {
            return;
        }
        match &mut self.body {
            Body::Json(Value::Object(map)) => {
                for (k, v) in params {
                    map.insert(k.clone(), param_value(v));
                }
            }
            Body::Form(fields) => {
                for (k, v) in params {
                    fields.retain(|(name, _)| name != k);
                    fields.push((k.clone(), v.clone()));
                }
            }
            body @ Body::Empty if self.method != Method::Get => {
                let mut map = Map::new();
                for (k, v) in params {
                    map.insert(k.clone(), param_value(v));
                }
                *body = Body::Json(Value::Object(map));
            }
            _ => {}
        }
    }

    /// Whether the top-level body field `name` holds `value` (somewhere in its text).
    pub fn field_contains(&self, name: &str, value: &str) -> bool {
        match &self.body {
            Body::Json(Value::Object(m)) => m.get(name).is_some_and(|v| match v {
                Value::String(s) => s.contains(value),
                other => other.to_string().contains(value),
            }),
            Body::Form(fields) => fields.iter().any(|(k, v)| k == name && v.contains(value)),
            _ => false,
        }
    }

    /// A copy for printing: secret-named fields, query parameters and credential
    /// headers masked by name, and every value masked by value. The method, the URL's
    /// path and the field and header names are the tool's own and stay as built, so a
    /// secret equal to a common word (`sms`) cannot rewrite them.
    pub fn masked(&self) -> Request {
        let url = match reqwest::Url::parse(&self.url) {
            Ok(mut u) if u.query().is_some() => {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if redact::is_secret_field(&k, false) {
                            redact::MASK.to_string()
                        } else {
                            redact::scrub(&v)
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
                // keep *** readable rather than percent-encoded
                u.to_string().replace("%2A%2A%2A", redact::MASK)
            }
            _ => self.url.clone(),
        };
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if redact::is_secret_header(k) {
                    redact::mask_header(v)
                } else {
                    redact::scrub(v)
                };
                (k.clone(), v)
            })
            .collect();
        let body = match &self.body {
            Body::Empty => Body::Empty,
            Body::Json(v) => Body::Json(redact::scrub_json(redact::mask_json_fields(
                v.clone(),
                false,
            ))),
            Body::Form(fields) => Body::Form(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let v = if redact::is_secret_field(k, false) {
                            redact::MASK.to_string()
                        } else {
                            redact::scrub(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
        };
        Request {
            method: self.method,
            url,
            headers,
            body,
        }
    }

    /// The request as people read it, secrets and PINs masked.
    pub fn render_text(&self) -> String {
        redact::sanitize_lines(&self.masked().render_raw())
    }

    fn render_raw(&self) -> String {
        let mut out = format!("{} {}\n", self.method.as_str(), self.url);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(ct) = self.content_type() {
            out.push_str(&format!("Content-Type: {ct}\n"));
        }
        match &self.body {
            Body::Empty => {}
            Body::Json(v) => {
                out.push('\n');
                out.push_str(&serde_json::to_string_pretty(v).unwrap_or_default());
                out.push('\n');
            }
            Body::Form(fields) => {
                out.push('\n');
                out.push_str(&form_encode(fields).replace("%2A%2A%2A", redact::MASK));
                out.push('\n');
            }
        }
        out
    }

    /// The `request` object of a JSON dry run, secrets and PINs masked.
    pub fn to_json(&self) -> Value {
        self.masked().to_json_raw()
    }

    fn to_json_raw(&self) -> Value {
        let mut headers = Map::new();
        for (k, v) in &self.headers {
            headers.insert(k.clone(), Value::String(v.clone()));
        }
        if let Some(ct) = self.content_type() {
            headers.insert("Content-Type".into(), Value::String(ct.into()));
        }
        let body = match &self.body {
            Body::Empty => Value::Null,
            Body::Json(v) => v.clone(),
            Body::Form(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        };
        let v = serde_json::json!({
            "method": self.method.as_str(),
            "url": self.url,
            "headers": headers,
            "body": body,
        });
        redact::scrub_document(v)
    }

    /// The Content-Type the body implies, unless the adapter set one itself (AWS's
    /// `application/x-amz-json-1.0`): then that header is the one sent.
    pub fn content_type(&self) -> Option<&'static str> {
        if self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            return None;
        }
        match self.body {
            Body::Empty => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
        }
    }

    /// The body bytes as sent.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Empty => Vec::new(),
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Form(fields) => form_encode(fields).into_bytes(),
        }
    }
}

fn param_value(v: &str) -> Value {
    match serde_json::from_str::<Value>(v) {
        Ok(n @ Value::Number(_)) => n,
        Ok(b @ Value::Bool(_)) => b,
        _ => Value::String(v.to_string()),
    }
}

pub fn form_encode(fields: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A vendor's reply, read through the size cap.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// An id as one URL path segment: all but RFC 3986's unreserved characters escaped, so
/// a `/` or space in it cannot change the path. An empty, `.` or `..` id would address
/// the collection or a parent path (URL parsing collapses dot segments, `%2E` included),
/// so it becomes a literal `%2E`-style text the vendor can only answer "not found" for;
/// the commands refuse such ids before this (`redact::is_printable_id`).
pub fn path_segment(id: &str) -> String {
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    match id {
        "" => "%2500".into(),
        "." => "%252E".into(),
        ".." => "%252E%252E".into(),
        _ => utf8_percent_encode(id, UNRESERVED).to_string(),
    }
}

/// Describe a reply that is not the vendor's JSON, without dumping it.
pub fn describe(reply: &Reply) -> String {
    let ct = reply
        .content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(|c| redact::vendor_text(c.trim()))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "no content type".into());
    format!(
        "unexpected reply (HTTP {}, {ct}, {} bytes)",
        reply.status,
        reply.body.len()
    )
}

/// A sanitized snippet of the body for `--verbose`.
pub fn snippet(reply: &Reply) -> Option<String> {
    if reply.body.is_empty() {
        return None;
    }
    // A JSON body is read first, so escapes (`\/`, `\u002b`) cannot hide a secret from
    // the value check, and secret-named fields are masked by name.
    let text = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) => redact::mask_json_fields(v, true).to_string(),
        Err(_) => String::from_utf8_lossy(&reply.body).into_owned(),
    };
    Some(redact::vendor_text(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_override_and_type() {
        let mut r = Request::new(Method::Post, "https://x").json(serde_json::json!({"a": "1"}));
        r.apply_params(&[
            ("a".into(), "2".into()),
            ("b".into(), "true".into()),
            ("c".into(), "x y".into()),
            ("d".into(), "1.5".into()),
        ]);
        assert_eq!(
            r.body,
            Body::Json(serde_json::json!({"a": 2, "b": true, "c": "x y", "d": 1.5}))
        );
        let mut f = Request::new(Method::Post, "https://x").form(vec![("a".into(), "1".into())]);
        f.apply_params(&[("a".into(), "2".into())]);
        assert_eq!(f.body, Body::Form(vec![("a".into(), "2".into())]));
    }
}

#[cfg(test)]
mod segment_tests {
    use super::*;

    /// Where a URL lands once parsed, dot segments resolved as a client resolves them.
    fn landed(url: &str) -> String {
        reqwest::Url::parse(url).unwrap().path().to_string()
    }

    #[test]
    fn path_segment_never_yields_a_dot_or_empty_segment() {
        for id in ["", ".", ".."] {
            let seg = path_segment(id);
            assert!(!seg.is_empty(), "{id:?}");
            let url = format!("https://h/v1/otp/{seg}");
            assert_eq!(landed(&url), format!("/v1/otp/{seg}"), "{id:?}");
        }
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(path_segment("a.b"), "a.b");
    }
}
