//! Crash-safe JSON lines, for the run journal and the audit log: each record carries a checksum of
//! its own bytes (`"sum"`, the last field), so a line torn by a kill is recognised and never read as
//! a record; a new record after a torn tail starts on a fresh line, never glued to the fragment; and
//! every append is synced before it returns. Errors name the file.

use anyhow::Context;
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

const SUM_KEY: &str = ",\"sum\":\"";
/// Hex digits of the SHA-256 kept per record: enough to tell a torn line from a whole one.
const SUM_LEN: usize = 16;

fn sum(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect::<String>()[..SUM_LEN].to_string()
}

/// One record as a line: the object's JSON with `"sum"` appended as its last field, and `\n`.
pub fn seal(object_json: &[u8]) -> anyhow::Result<Vec<u8>> {
    let Some((&b'}', body)) = object_json.split_last() else {
        anyhow::bail!("a record must be a JSON object");
    };
    let mut line = body.to_vec();
    line.extend_from_slice(SUM_KEY.as_bytes());
    line.extend_from_slice(sum(object_json).as_bytes());
    line.extend_from_slice(b"\"}\n");
    Ok(line)
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// A whole record (its JSON without the sum).
    Sealed(String),
    /// A line written before records were sealed: taken as it is.
    Legacy(&'a str),
    /// A record cut short (or damaged): its sum is missing or does not match.
    Torn,
}

/// Reads one line (without its `\n`).
pub fn open(line: &str) -> Line<'_> {
    let Some(at) = line.rfind(SUM_KEY) else {
        // No sum at all: an old unsealed record, or the start of a sealed one torn before its sum.
        // Only a whole JSON object counts as a record.
        return if line.trim_end().ends_with('}') {
            Line::Legacy(line)
        } else {
            Line::Torn
        };
    };
    let rest = &line[at + SUM_KEY.len()..];
    let Some(given) = rest.strip_suffix("\"}") else {
        return Line::Torn;
    };
    let mut body = line[..at].to_string();
    body.push('}');
    if given.len() == SUM_LEN && given == sum(body.as_bytes()) {
        Line::Sealed(body)
    } else {
        Line::Torn
    }
}

/// Creates `dir` (and its parents) private to the user (0700), as the AWS CLI keeps its caches: on a
/// shared bastion, journals, audit logs and leases are nobody else's to read.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Opens (creating, 0600) a file for reading and writing; `append` or not.
pub fn open_private(path: &Path, rw: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.create(true).read(true).mode(0o600);
    if rw {
        o.write(true).truncate(false);
    } else {
        o.append(true);
    }
    o.open(path)
}

/// Creates a new, empty private file (0600); fails if anything, a link included, is already there.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Appends `line` (from [`seal`]) to `path` and syncs it. A file whose last record was torn (no
/// final `\n`) gets one first, so the new record starts on a line of its own.
pub fn append(path: &Path, line: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let mut f =
        open_private(path, false).with_context(|| format!("cannot open {}", path.display()))?;
    let len = f
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let mut out = Vec::with_capacity(line.len() + 1);
    if len > 0 {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::End(-1))
            .and_then(|_| f.read_exact(&mut last))
            .with_context(|| format!("cannot read {}", path.display()))?;
        if last[0] != b'\n' {
            out.push(b'\n');
        }
    }
    out.extend_from_slice(line);
    f.write_all(&out)
        .and_then(|()| f.sync_data())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_record_reads_back_and_any_cut_of_it_is_torn() {
        let json = br#"{"event":"step_started","at":"2030-01-01T00:00:00Z","step":3}"#;
        let line = seal(json).unwrap();
        let text = std::str::from_utf8(&line).unwrap().trim_end_matches('\n');
        assert_eq!(
            open(text),
            Line::Sealed(String::from_utf8(json.to_vec()).unwrap())
        );
        for cut in 0..text.len() {
            assert_eq!(
                open(&text[..cut]),
                Line::Torn,
                "cut at {cut}: {}",
                &text[..cut]
            );
        }
        let damaged = text.replace("\"step\":3", "\"step\":4");
        assert_eq!(open(&damaged), Line::Torn, "a changed byte fails the sum");
        assert_eq!(
            open(r#"{"event":"cancelled"}"#),
            Line::Legacy(r#"{"event":"cancelled"}"#)
        );
    }

    #[test]
    fn an_append_after_a_torn_tail_starts_on_a_fresh_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.jsonl");
        append(&p, &seal(br#"{"a":1}"#).unwrap()).unwrap();
        // A kill mid-write leaves half a record and no newline.
        let torn = seal(br#"{"a":2}"#).unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&torn[..torn.len() / 2]).unwrap();
        drop(f);
        append(&p, &seal(br#"{"a":3}"#).unwrap()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<Line> = text.lines().map(open).collect();
        assert_eq!(
            lines,
            vec![
                Line::Sealed(r#"{"a":1}"#.into()),
                Line::Torn,
                Line::Sealed(r#"{"a":3}"#.into())
            ]
        );
    }
}
