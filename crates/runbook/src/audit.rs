//! The audit log: every mutating call (dry runs included, marked), as sealed JSON lines in the state
//! dir (`durable`): time, profile, region, identity, call, resources, request id, outcome. Never
//! credentials. It wraps a `CloudWrite`, so no caller can forget it.
//!
//! An audit log is never silently incomplete: before a real call its intent is recorded (outcome
//! `calling`), and the call is refused if that record cannot be written; after the call its outcome
//! is recorded, and if that fails every later call is refused, naming the file and the OS error.

use super::durable;
use async_trait::async_trait;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::Timestamp;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Serialize)]
struct Record<'a> {
    at: Timestamp,
    profile: Option<&'a str>,
    region: &'a str,
    identity: Option<&'a str>,
    call: &'a str,
    resources: Vec<String>,
    dry_run: bool,
    request_id: Option<String>,
    outcome: String,
}

/// The outcome of a call about to be made (its intent record).
pub const CALLING: &str = "calling";
/// The error code of a call refused because the audit log cannot be written.
pub const UNWRITABLE: &str = "AuditLogUnwritable";

pub struct Audited {
    inner: Arc<dyn CloudWrite>,
    path: PathBuf,
    profile: Option<String>,
    identity: Mutex<Option<String>>,
    /// Serialises appends; holds why the log cannot be written once a write failed.
    broken: Mutex<Option<String>>,
}

impl Audited {
    pub fn new(
        inner: Arc<dyn CloudWrite>,
        path: PathBuf,
        profile: Option<String>,
        identity: Option<String>,
    ) -> Self {
        Audited {
            inner,
            path,
            profile,
            identity: Mutex::new(identity),
            broken: Mutex::new(None),
        }
    }

    pub fn set_identity(&self, arn: &str) {
        *self.identity.lock().unwrap_or_else(PoisonError::into_inner) = Some(arn.to_string());
    }

    /// Why the log cannot be written (then every real call is refused), if it cannot.
    pub fn broken(&self) -> Option<String> {
        self.broken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn unwritable(why: String) -> CloudError {
        CloudError::new(ErrorKind::Other, UNWRITABLE, why)
    }

    /// Appends one record; a failure is kept (and logged): every later real call is refused.
    fn write(
        &self,
        call: &str,
        resources: Vec<String>,
        dry_run: bool,
        request_id: Option<String>,
        outcome: String,
    ) -> Result<(), String> {
        let identity = self
            .identity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let rec = Record {
            at: chrono::Utc::now(),
            profile: self.profile.as_deref(),
            region: self.inner.region(),
            identity: identity.as_deref(),
            call,
            resources,
            dry_run,
            request_id,
            outcome,
        };
        let mut broken = self.broken.lock().unwrap_or_else(PoisonError::into_inner);
        let written = (|| -> anyhow::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            }
            let json = serde_json::to_vec(&rec)?;
            durable::append(&self.path, &durable::seal(&json)?)
        })();
        match written {
            Ok(()) => Ok(()),
            Err(e) => {
                let why =
                    format!("the audit log cannot be written ({e:#}): no further call is made");
                tracing::error!(path = %self.path.display(), error = %format!("{e:#}"), call, "audit log write failed");
                *broken = Some(why.clone());
                Err(why)
            }
        }
    }
}

fn outcome_of(r: &CloudResult<Written<Produced>>) -> (Option<String>, String) {
    match r {
        Ok(w) => (w.request_id.clone(), "ok".to_string()),
        Err(e) if e.kind == ErrorKind::DryRunOk => (e.request_id.clone(), "dry-run-ok".into()),
        Err(e) => (e.request_id.clone(), format!("error: {}", e.code)),
    }
}

#[async_trait]
impl CloudWrite for Audited {
    fn region(&self) -> &str {
        self.inner.region()
    }

    /// Every call is recorded with what it named and, once made, what it produced (new ids).
    async fn call(&self, call: &WriteCall, dry_run: bool) -> CloudResult<Written<Produced>> {
        if !dry_run {
            if let Some(why) = self.broken() {
                return Err(Self::unwritable(why));
            }
            self.write(call.name(), call.resources(), false, None, CALLING.into())
                .map_err(Self::unwritable)?;
        }
        let r = self.inner.call(call, dry_run).await;
        let mut resources = call.resources();
        if let Ok(w) = &r {
            resources.extend(w.value.ids());
        }
        let (request_id, outcome) = outcome_of(&r);
        // The call happened: its result stands, but a lost record stops the next call.
        let _ = self.write(call.name(), resources, dry_run, request_id, outcome);
        r
    }
}

/// One record of the audit log, as read back (for `runs --team`-style readers and tests).
pub fn read(path: &std::path::Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| match durable::open(l) {
            durable::Line::Sealed(b) => serde_json::from_str(&b).ok(),
            durable::Line::Legacy(b) => serde_json::from_str(b).ok(),
            durable::Line::Torn => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that counts the calls that reach it.
    struct Counting(std::sync::atomic::AtomicUsize);

    #[async_trait]
    impl CloudWrite for Counting {
        fn region(&self) -> &str {
            "r"
        }
        async fn call(&self, _: &WriteCall, _: bool) -> CloudResult<Written<Produced>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Written::new(Produced::Nothing, Some("req-1".into())))
        }
    }

    fn reboot() -> WriteCall {
        WriteCall::RebootInstances {
            ids: vec!["i-1".into()],
        }
    }

    #[tokio::test]
    async fn every_call_has_its_intent_then_its_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let inner = Arc::new(Counting(Default::default()));
        let a = Audited::new(inner.clone(), path.clone(), Some("prod".into()), None);
        a.call(&reboot(), false).await.unwrap();
        let recs = read(&path).unwrap();
        let outcomes: Vec<&str> = recs.iter().filter_map(|r| r["outcome"].as_str()).collect();
        assert_eq!(outcomes, vec![CALLING, "ok"]);
        assert_eq!(recs[1]["request_id"], "req-1");
        assert_eq!(recs[0]["call"], "RebootInstances");
    }

    /// An unwritable log refuses the call before it reaches the cloud, naming the file.
    #[tokio::test]
    async fn a_call_that_cannot_be_audited_is_not_made() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the log file should be: every append fails.
        let path = dir.path().join("audit.jsonl");
        std::fs::create_dir_all(&path).unwrap();
        let inner = Arc::new(Counting(Default::default()));
        let a = Audited::new(inner.clone(), path.clone(), None, None);
        let e = a.call(&reboot(), false).await.unwrap_err();
        assert_eq!(e.code, UNWRITABLE);
        assert!(e.message.contains("audit.jsonl"), "{e}");
        assert_eq!(inner.0.load(std::sync::atomic::Ordering::SeqCst), 0);
        let again = a.call(&reboot(), false).await.unwrap_err();
        assert_eq!(again.code, UNWRITABLE, "still refused");
        assert_eq!(inner.0.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
