//! Sidecars and status events read from the bucket. Everything in the
//! bucket is hostile: each field is checked for its type and size, and a
//! bad object is reported by name rather than failing the whole index.

use serde_json::Value;

/// Largest sidecar or status event read (carevault writes a few KiB).
pub const MAX_OBJECT: u64 = 64 * 1024;
/// Longest text field kept from an object.
const MAX_TEXT: usize = 256;

/// What the index keeps of a sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidecar {
    pub backup: String,
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// Creation time of the backup, seconds since the epoch.
    pub made: i64,
    pub signed_by: Option<String>,
}

/// What the index keeps of a status event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub backup: String,
    pub size: u64,
    pub made: i64,
    pub verified: i64,
    pub uploaded: i64,
    /// The audit trail's head at the time of the copy: (seq, hash).
    pub audit_head: Option<(u64, String)>,
}

fn text<'a>(v: &'a Value, path: &str) -> Result<&'a str, String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur
            .get(part)
            .ok_or_else(|| format!("it has no `{path}` field"))?;
    }
    let s = cur
        .as_str()
        .ok_or_else(|| format!("its `{path}` field is not text"))?;
    if s.is_empty() || s.len() > MAX_TEXT || s.chars().any(char::is_control) {
        return Err(format!(
            "its `{path}` field is empty, longer than {MAX_TEXT} bytes or holds control characters"
        ));
    }
    Ok(s)
}

fn number(v: &Value, field: &str) -> Result<u64, String> {
    v.get(field)
        .ok_or_else(|| format!("it has no `{field}` field"))?
        .as_u64()
        .ok_or_else(|| format!("its `{field}` field is not a whole number of 0 or more"))
}

fn time(v: &Value, path: &str) -> Result<i64, String> {
    let s = text(v, path)?;
    s.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| format!("its `{path}` field is not an RFC 3339 time"))
}

fn object(bytes: &[u8]) -> Result<Value, String> {
    if bytes.len() as u64 > MAX_OBJECT {
        return Err(format!(
            "it is larger than {MAX_OBJECT} bytes (carevault writes a few KiB)"
        ));
    }
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("it is not valid JSON ({e})"))?;
    if !v.is_object() {
        return Err("it is not a JSON object".into());
    }
    Ok(v)
}

/// Parses the sidecar `bytes` of the backup file `file`.
pub fn sidecar(bytes: &[u8], file: &str) -> Result<Sidecar, String> {
    let v = object(bytes)?;
    let named = text(&v, "file")?;
    if named != file {
        return Err(format!(
            "it names the file {:?}, not the one beside it",
            carevault_core::audit::printable(named)
        ));
    }
    let sha256 = text(&v, "sha256")?;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("its `sha256` field is not 64 hex digits".into());
    }
    let signed_by = match v.get("signed_by") {
        None | Some(Value::Null) => None,
        Some(Value::String(_)) => Some(text(&v, "signed_by")?.to_string()),
        Some(_) => return Err("its `signed_by` field is neither text nor null".into()),
    };
    if !v.get("metadata").is_some_and(Value::is_object) {
        return Err("its `metadata` field is not an object".into());
    }
    Ok(Sidecar {
        backup: text(&v, "metadata.id")?.to_string(),
        file: named.to_string(),
        size: number(&v, "size")?,
        sha256: sha256.to_ascii_lowercase(),
        made: time(&v, "metadata.created_at")?,
        signed_by,
    })
}

/// Parses a status event.
pub fn event(bytes: &[u8]) -> Result<StatusEvent, String> {
    let v = object(bytes)?;
    if text(&v, "event")? != "offsite-copy" {
        return Err("its `event` field is not \"offsite-copy\"".into());
    }
    let audit_head = match v.get("audit_head") {
        None | Some(Value::Null) => None,
        Some(h @ Value::Object(_)) => {
            let seq = number(h, "seq").map_err(|e| format!("audit_head: {e}"))?;
            let hash = text(h, "hash").map_err(|e| format!("audit_head: {e}"))?;
            Some((seq, hash.to_string()))
        }
        Some(_) => return Err("its `audit_head` field is neither an object nor null".into()),
    };
    Ok(StatusEvent {
        backup: text(&v, "backup")?.to_string(),
        size: number(&v, "size")?,
        made: time(&v, "made")?,
        verified: time(&v, "verified")?,
        uploaded: time(&v, "uploaded")?,
        audit_head,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_objects_are_refused_with_the_reason() {
        assert!(sidecar(b"[1,2]", "B.bin")
            .unwrap_err()
            .contains("not a JSON object"));
        assert!(sidecar(b"{", "B.bin")
            .unwrap_err()
            .contains("not valid JSON"));
        let big = vec![b' '; MAX_OBJECT as usize + 1];
        assert!(sidecar(&big, "B.bin").unwrap_err().contains("larger"));
        let wrong = br#"{"file":"B.bin","size":"12","sha256":"00","metadata":{}}"#;
        assert!(sidecar(wrong, "B.bin").is_err());
        let ok = format!(
            r#"{{"file":"B.bin","size":12,"sha256":"{}","signed_by":null,"metadata":{{"id":"x1","created_at":"2026-11-01T10:00:00Z"}}}}"#,
            "ab".repeat(32)
        );
        let s = sidecar(ok.as_bytes(), "B.bin").unwrap();
        assert_eq!((s.size, s.backup.as_str()), (12, "x1"));
        assert!(sidecar(ok.as_bytes(), "C.bin")
            .unwrap_err()
            .contains("names the file"));
        let ev = br#"{"event":"offsite-copy","backup":"x1","size":12,"made":"2026-11-01T10:00:00Z","verified":"2026-11-01T10:00:01Z","uploaded":"2026-11-01T10:00:02Z","audit_head":{"seq":-1,"hash":"h"}}"#;
        assert!(event(ev).unwrap_err().contains("audit_head"));
    }
}
