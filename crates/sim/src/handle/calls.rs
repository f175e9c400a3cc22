//! The path every port call takes through the handle: the injected latency (awaited without the
//! lock), then under the lock the world's advance, the fault dice, the permission policy, the call
//! itself and its entry in the call log.

use super::Sim;
use crate::call_record::CallRecord;
use crate::world::{World, no_region};
use opsdeck_core::cloud::{CloudResult, Written};

fn is_mutating(action: &str) -> bool {
    !(action.starts_with("Describe") || action.starts_with("Get") || action.starts_with("List"))
}

impl Sim {
    /// Every call answered so far, oldest first: the newest
    /// [`CALL_LOG_LIMIT`](crate::CALL_LOG_LIMIT) of them.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.lock().calls.iter().cloned().collect()
    }

    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    async fn delay(&self) {
        let latency = self.lock().faults.latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }

    /// One call: latency, then (under the lock, never across an await) advance the world, roll the
    /// fault dice for each underlying AWS action, check the permission policy, run `f`, log it.
    fn answer<T>(
        &self,
        region: &str,
        actions: &[&'static str],
        dry_run: Option<bool>,
        f: impl FnOnce(&mut World) -> CloudResult<T>,
    ) -> (CloudResult<T>, String) {
        let mut w = self.lock();
        w.advance();
        let rid = w.request_id();
        let primary = actions.first().copied().unwrap_or("Unknown");
        let refused = actions
            .iter()
            .find_map(|a| w.injected_fault(a).or_else(|| w.check_permission(a).err()));
        let result = match refused {
            Some(e) => Err(e),
            None if !w.regions.contains_key(region) => Err(no_region(region)),
            None => f(&mut w),
        };
        let result = result.map_err(|e| e.with_request_id(Some(rid.clone())));
        let rec = CallRecord {
            at: w.now,
            region: region.to_string(),
            action: primary,
            mutating: is_mutating(primary),
            dry_run: dry_run.unwrap_or(false),
            error: result.as_ref().err().map(|e| e.code.clone()),
            request_id: Some(rid.clone()),
        };
        w.log_call(rec);
        (result, rid)
    }

    pub(crate) async fn call<T>(
        &self,
        region: &str,
        actions: &[&'static str],
        dry_run: Option<bool>,
        f: impl FnOnce(&mut World) -> CloudResult<T> + Send,
    ) -> CloudResult<T> {
        self.delay().await;
        self.answer(region, actions, dry_run, f).0
    }

    pub(crate) async fn write<T>(
        &self,
        region: &str,
        action: &'static str,
        dry_run: bool,
        f: impl FnOnce(&mut World) -> CloudResult<T> + Send,
    ) -> CloudResult<Written<T>> {
        self.delay().await;
        let (r, rid) = self.answer(region, &[action], Some(dry_run), f);
        r.map(|v| Written::new(v, Some(rid)))
    }
}
