//! The audit log: every mutating call (dry runs included, marked), as JSON lines in the state dir:
//! time, profile, region, identity, call, resources, request id, outcome. Never credentials.
//! It wraps a `CloudWrite`, so no caller can forget it.

use async_trait::async_trait;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::{Tag, Timestamp};
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

fn v(xs: &[String]) -> Vec<String> {
    xs.to_vec()
}

macro_rules! audited {
    ($self:ident, $call:literal, $res:expr, $dry:expr, $fut:expr) => {{
        let r = $fut.await;
        $self.record($call, $res, $dry, &r);
        r
    }};
}

#[async_trait]
impl CloudWrite for Audited {
    fn region(&self) -> &str {
        self.inner.region()
    }
    async fn start_instances(&self, ids: &[String], d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "StartInstances",
            v(ids),
            d,
            self.inner.start_instances(ids, d)
        )
    }
    async fn stop_instances(
        &self,
        ids: &[String],
        force: bool,
        d: bool,
    ) -> CloudResult<Written<()>> {
        audited!(
            self,
            "StopInstances",
            v(ids),
            d,
            self.inner.stop_instances(ids, force, d)
        )
    }
    async fn reboot_instances(&self, ids: &[String], d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "RebootInstances",
            v(ids),
            d,
            self.inner.reboot_instances(ids, d)
        )
    }
    async fn terminate_instances(&self, ids: &[String], d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "TerminateInstances",
            v(ids),
            d,
            self.inner.terminate_instances(ids, d)
        )
    }
    async fn create_image(
        &self,
        i: &str,
        n: &str,
        desc: &str,
        nr: bool,
        t: &[Tag],
        d: bool,
    ) -> CloudResult<Written<String>> {
        audited!(
            self,
            "CreateImage",
            vec![i.into()],
            d,
            self.inner.create_image(i, n, desc, nr, t, d)
        )
    }
    async fn deregister_image(&self, id: &str, d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DeregisterImage",
            vec![id.into()],
            d,
            self.inner.deregister_image(id, d)
        )
    }
    async fn run_instances(&self, s: &LaunchSpec, d: bool) -> CloudResult<Written<Vec<String>>> {
        let r = self.inner.run_instances(s, d).await;
        let mut res = vec![s.image_id.clone(), s.subnet_id.clone()];
        if let Ok(w) = &r {
            res.extend(w.value.iter().cloned());
        }
        self.record("RunInstances", res, d, &r);
        r
    }
    async fn create_volume(&self, s: &VolumeSpec, d: bool) -> CloudResult<Written<String>> {
        let res = vec![s.az.clone(), s.snapshot_id.clone().unwrap_or_default()];
        audited!(self, "CreateVolume", res, d, self.inner.create_volume(s, d))
    }
    async fn attach_volume(
        &self,
        vol: &str,
        i: &str,
        dev: &str,
        d: bool,
    ) -> CloudResult<Written<()>> {
        audited!(
            self,
            "AttachVolume",
            vec![vol.into(), i.into()],
            d,
            self.inner.attach_volume(vol, i, dev, d)
        )
    }
    async fn detach_volume(
        &self,
        vol: &str,
        i: &str,
        f: bool,
        d: bool,
    ) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DetachVolume",
            vec![vol.into(), i.into()],
            d,
            self.inner.detach_volume(vol, i, f, d)
        )
    }
    async fn delete_volume(&self, vol: &str, d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DeleteVolume",
            vec![vol.into()],
            d,
            self.inner.delete_volume(vol, d)
        )
    }
    async fn create_snapshot(
        &self,
        vol: &str,
        desc: &str,
        t: &[Tag],
        d: bool,
    ) -> CloudResult<Written<String>> {
        audited!(
            self,
            "CreateSnapshot",
            vec![vol.into()],
            d,
            self.inner.create_snapshot(vol, desc, t, d)
        )
    }
    async fn copy_snapshot(
        &self,
        src: &str,
        id: &str,
        desc: &str,
        d: bool,
    ) -> CloudResult<Written<String>> {
        audited!(
            self,
            "CopySnapshot",
            vec![id.into()],
            d,
            self.inner.copy_snapshot(src, id, desc, d)
        )
    }
    async fn delete_snapshot(&self, id: &str, d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DeleteSnapshot",
            vec![id.into()],
            d,
            self.inner.delete_snapshot(id, d)
        )
    }
    async fn register_targets(
        &self,
        tg: &str,
        t: &[TargetRef],
        d: bool,
    ) -> CloudResult<Written<()>> {
        let res = std::iter::once(tg.to_string())
            .chain(t.iter().map(|x| x.id.clone()))
            .collect();
        audited!(
            self,
            "RegisterTargets",
            res,
            d,
            self.inner.register_targets(tg, t, d)
        )
    }
    async fn deregister_targets(
        &self,
        tg: &str,
        t: &[TargetRef],
        d: bool,
    ) -> CloudResult<Written<()>> {
        let res = std::iter::once(tg.to_string())
            .chain(t.iter().map(|x| x.id.clone()))
            .collect();
        audited!(
            self,
            "DeregisterTargets",
            res,
            d,
            self.inner.deregister_targets(tg, t, d)
        )
    }
    async fn associate_address(
        &self,
        a: &str,
        t: &AddressTarget,
        re: bool,
        d: bool,
    ) -> CloudResult<Written<String>> {
        let to = match t {
            AddressTarget::Instance(i) => i.clone(),
            AddressTarget::NetworkInterface { eni_id, .. } => eni_id.clone(),
        };
        audited!(
            self,
            "AssociateAddress",
            vec![a.into(), to],
            d,
            self.inner.associate_address(a, t, re, d)
        )
    }
    async fn disassociate_address(&self, a: &str, d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DisassociateAddress",
            vec![a.into()],
            d,
            self.inner.disassociate_address(a, d)
        )
    }
    async fn attach_network_interface(
        &self,
        e: &str,
        i: &str,
        idx: i32,
        d: bool,
    ) -> CloudResult<Written<String>> {
        audited!(
            self,
            "AttachNetworkInterface",
            vec![e.into(), i.into()],
            d,
            self.inner.attach_network_interface(e, i, idx, d)
        )
    }
    async fn detach_network_interface(
        &self,
        a: &str,
        f: bool,
        d: bool,
    ) -> CloudResult<Written<()>> {
        audited!(
            self,
            "DetachNetworkInterface",
            vec![a.into()],
            d,
            self.inner.detach_network_interface(a, f, d)
        )
    }
    async fn assign_private_ips(
        &self,
        e: &str,
        ips: &[String],
        re: bool,
        d: bool,
    ) -> CloudResult<Written<()>> {
        let res = std::iter::once(e.to_string())
            .chain(ips.iter().cloned())
            .collect();
        audited!(
            self,
            "AssignPrivateIpAddresses",
            res,
            d,
            self.inner.assign_private_ips(e, ips, re, d)
        )
    }
    async fn unassign_private_ips(
        &self,
        e: &str,
        ips: &[String],
        d: bool,
    ) -> CloudResult<Written<()>> {
        let res = std::iter::once(e.to_string())
            .chain(ips.iter().cloned())
            .collect();
        audited!(
            self,
            "UnassignPrivateIpAddresses",
            res,
            d,
            self.inner.unassign_private_ips(e, ips, d)
        )
    }
    async fn create_tags(&self, ids: &[String], t: &[Tag], d: bool) -> CloudResult<Written<()>> {
        audited!(
            self,
            "CreateTags",
            v(ids),
            d,
            self.inner.create_tags(ids, t, d)
        )
    }
    async fn reschedule_instance_event(
        &self,
        i: &str,
        e: &str,
        nb: Timestamp,
        d: bool,
    ) -> CloudResult<Written<()>> {
        audited!(
            self,
            "ModifyInstanceEventStartTime",
            vec![i.into(), e.into()],
            d,
            self.inner.reschedule_instance_event(i, e, nb, d)
        )
    }
}
