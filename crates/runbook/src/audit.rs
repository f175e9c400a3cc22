//! The audit log: every mutating call (dry runs included, marked), as JSON lines in the state dir:
//! time, profile, region, identity, call, resources, request id, outcome. Never credentials.
//! It wraps a `CloudWrite`, so no caller can forget it.

use async_trait::async_trait;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::Timestamp;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

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

pub struct Audited {
    inner: Arc<dyn CloudWrite>,
    path: PathBuf,
    profile: Option<String>,
    identity: Mutex<Option<String>>,
    lock: Mutex<()>,
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
            lock: Mutex::new(()),
        }
    }

    pub fn set_identity(&self, arn: &str) {
        *self.identity.lock().unwrap_or_else(|p| p.into_inner()) = Some(arn.to_string());
    }

    fn record<T>(
        &self,
        call: &str,
        resources: Vec<String>,
        dry_run: bool,
        r: &CloudResult<Written<T>>,
    ) {
        let (request_id, outcome) = match r {
            Ok(w) => (w.request_id.clone(), "ok".to_string()),
            Err(e) => (
                e.request_id.clone(),
                if e.kind == ErrorKind::DryRunOk {
                    "dry-run-ok".into()
                } else {
                    format!("error: {}", e.code)
                },
            ),
        };
        let identity = self
            .identity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
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
        // The audit must not stop an operation in flight; a failure to write it is logged loudly.
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let written = (|| -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            let mut line = serde_json::to_vec(&rec).map_err(std::io::Error::other)?;
            line.push(b'\n');
            f.write_all(&line)?;
            f.sync_data()
        })();
        if let Err(e) = written {
            tracing::error!(path = %self.path.display(), error = %e, call, "could not write the audit log");
        }
    }
}

#[async_trait]
impl CloudWrite for Audited {
    fn region(&self) -> &str {
        self.inner.region()
    }

    /// Every call is recorded with what it named and, once made, what it produced (new ids).
    async fn call(&self, call: &WriteCall, dry_run: bool) -> CloudResult<Written<Produced>> {
        let r = self.inner.call(call, dry_run).await;
        let mut resources = call.resources();
        if let Ok(w) = &r {
            resources.extend(w.value.ids());
        }
        self.record(call.name(), resources, dry_run, &r);
        r
    }
}
