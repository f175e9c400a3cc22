//! Local leases: one advisory lock file per lease key under `<state>/leases/`, held (flock, exclusive)
//! by the running process for the run's life and released by the OS if it dies, so two processes on
//! this machine cannot both take capacity from the same pool. The file holds its holder's record
//! (run id, runbook, host, pid, since), which is how a refused run names who holds it.

use super::durable;
use async_trait::async_trait;
use opsdeck_core::cloud::{Holder, LeaseError, LeaseGuard, LeaseKey, Leases};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub struct LocalLeases {
    dir: PathBuf,
}

impl LocalLeases {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalLeases { dir: dir.into() }
    }

    /// A file name for a key: readable, and unique (ARNs have `:` and `/`).
    fn path(&self, key: &LeaseKey) -> PathBuf {
        let readable: String = key
            .0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let tail: String = readable
            .chars()
            .rev()
            .take(48)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let d = Sha256::digest(key.0.as_bytes());
        let hash: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{tail}-{hash}.lock"))
    }

    fn open(path: &Path) -> std::io::Result<File> {
        durable::open_private(path, true)
    }
}

fn read_holder(f: &mut File) -> Option<Holder> {
    let mut s = String::new();
    f.seek(SeekFrom::Start(0)).ok()?;
    f.read_to_string(&mut s).ok()?;
    serde_json::from_str(&s).ok()
}

/// How long a refused run waits for the holder's record to be written (50 × 20 ms = 1 s).
const HOLDER_WAIT_TRIES: usize = 50;
const HOLDER_WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(20);

struct FileGuard {
    held: Vec<(LeaseKey, File)>,
}

impl LeaseGuard for FileGuard {
    fn keys(&self) -> Vec<LeaseKey> {
        self.held.iter().map(|(k, _)| k.clone()).collect()
    }
}

#[async_trait]
impl Leases for LocalLeases {
    async fn acquire(
        &self,
        keys: &[LeaseKey],
        holder: &Holder,
    ) -> Result<Box<dyn LeaseGuard>, LeaseError> {
        let store = |key: &LeaseKey, why: String| LeaseError::Store {
            key: key.clone(),
            why,
        };
        let mut sorted: Vec<&LeaseKey> = keys.iter().collect();
        sorted.sort();
        sorted.dedup();
        if let Some(k) = sorted.first() {
            durable::private_dir(&self.dir).map_err(|e| store(k, format!("{e:#}")))?;
        }
        let record = serde_json::to_vec(holder).unwrap_or_default();
        let mut held = Vec::new();
        for key in sorted {
            let path = self.path(key);
            let mut f = Self::open(&path)
                .map_err(|e| store(key, format!("cannot open {}: {e}", path.display())))?;
            match f.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    // Everything taken so far is let go when `held` drops: all or nothing. A
                    // holder that has just locked writes its record a moment later: wait a little
                    // for it, so the refusal can name the run.
                    let mut named = read_holder(&mut f);
                    for _ in 0..HOLDER_WAIT_TRIES {
                        if named.is_some() {
                            break;
                        }
                        tokio::time::sleep(HOLDER_WAIT_STEP).await;
                        named = read_holder(&mut f);
                    }
                    return Err(match named {
                        Some(holder) => LeaseError::Held {
                            key: key.clone(),
                            holder,
                        },
                        None => LeaseError::HeldUnknown { key: key.clone() },
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(store(key, format!("cannot lock {}: {e}", path.display())));
                }
            }
            f.set_len(0)
                .and_then(|()| f.seek(SeekFrom::Start(0)).map(|_| ()))
                .and_then(|()| f.write_all(&record))
                .and_then(|()| f.sync_data())
                .map_err(|e| store(key, format!("cannot write {}: {e}", path.display())))?;
            held.push((key.clone(), f));
        }
        Ok(Box::new(FileGuard { held }))
    }

    async fn holders(&self, keys: &[LeaseKey]) -> Vec<(LeaseKey, Holder)> {
        let mut out = Vec::new();
        for key in keys {
            let path = self.path(key);
            if !path.exists() {
                continue;
            }
            let Ok(mut f) = Self::open(&path) else {
                continue;
            };
            if let Err(std::fs::TryLockError::WouldBlock) = f.try_lock()
                && let Some(h) = read_holder(&mut f)
            {
                out.push((key.clone(), h));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(run: &str) -> Holder {
        Holder {
            run_id: run.into(),
            runbook: "rolling-maintenance".into(),
            host: "bastion".into(),
            pid: 42,
            since: "2030-01-01T00:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn a_held_pool_refuses_a_second_run_naming_the_holder_then_frees() {
        let dir = tempfile::tempdir().unwrap();
        let leases = LocalLeases::new(dir.path().join("leases"));
        let tg = LeaseKey::target_group("arn:aws:elasticloadbalancing:r:1:targetgroup/web/abc");
        let other = LeaseKey::resource("r", "i-1");
        let first = leases
            .acquire(&[tg.clone(), other.clone()], &holder("run-a"))
            .await
            .unwrap();
        assert_eq!(first.keys().len(), 2);
        let refused = leases
            .acquire(
                &[LeaseKey::resource("r", "i-2"), tg.clone()],
                &holder("run-b"),
            )
            .await
            .err()
            .unwrap();
        match &refused {
            LeaseError::Held { key, holder } => {
                assert_eq!(key, &tg);
                assert_eq!(holder.run_id, "run-a");
            }
            other => panic!("{other:?}"),
        }
        // All or nothing: run-b holds nothing.
        assert!(
            leases
                .acquire(&[LeaseKey::resource("r", "i-2")], &holder("run-c"))
                .await
                .is_ok()
        );
        assert_eq!(leases.holders(std::slice::from_ref(&tg)).await.len(), 1);
        drop(first);
        assert!(leases.holders(std::slice::from_ref(&tg)).await.is_empty());
        assert!(leases.acquire(&[tg], &holder("run-b")).await.is_ok());
    }
}
