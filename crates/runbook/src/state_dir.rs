//! Where a session keeps its runs and its audit log. The binary decides the directory (the platform
//! state dir, or `OPSDECK_STATE_DIR`) and passes it down; nothing in this crate looks it up, so a
//! test that builds a read-write session writes to its own temporary dir, never the developer's.

use super::durable;
use anyhow::Context;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        StateDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One journal (and lock) per run.
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Every mutating call, as JSON lines.
    pub fn audit_log(&self) -> PathBuf {
        self.root.join("audit.jsonl")
    }

    /// One lock file per leased resource or capacity pool (`leases::LocalLeases`).
    pub fn leases(&self) -> PathBuf {
        self.root.join("leases")
    }

    /// Where the console's exports go unless the config names a dir.
    pub fn exports(&self) -> PathBuf {
        self.root.join("exports")
    }

    /// Whether a run can keep its records here: the dir, `runs/` and `leases/` exist (created
    /// private) and take a new file (made and removed again), and the audit log, if there is one,
    /// opens for appending. Checked before a run
    /// (or an abandon) starts, so an unwritable or missing disk refuses it up front, naming the path
    /// and the OS error, instead of failing halfway. A full disk may still pass (creating an empty
    /// file takes no space): the journal and the audit log fail cleanly then, naming their file.
    pub fn check_writable(&self) -> anyhow::Result<()> {
        let not_writable =
            |what: &Path| format!("the state dir {} is not writable", what.display());
        for dir in [self.root.clone(), self.runs(), self.leases()] {
            durable::private_dir(&dir).with_context(|| not_writable(&self.root))?;
            let probe = dir.join(format!(".write-check-{}", std::process::id()));
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&probe)
                .with_context(|| format!("cannot create a file in {}", dir.display()))
                .with_context(|| not_writable(&self.root))?;
            // Nothing of ours is left behind; a probe that cannot be removed is harmless.
            let _ = std::fs::remove_file(&probe);
        }
        // An audit log that is there must take appends (it is made by the first record otherwise).
        let audit = self.audit_log();
        if audit.exists() {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&audit)
                .with_context(|| format!("cannot open {}", audit.display()))
                .with_context(|| not_writable(&self.root))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writable_state_dir_passes_and_keeps_nothing_of_the_check() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::new(tmp.path().join("state"));
        state.check_writable().unwrap();
        for dir in [state.runs(), state.leases()] {
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{dir:?}");
        }
        assert!(
            !state.audit_log().exists(),
            "made by the first record, not the check"
        );
    }

    /// A regular file where a directory should be stops root as well as anyone.
    #[test]
    fn an_unusable_state_dir_is_refused_naming_it_and_the_os_error() {
        let tmp = tempfile::tempdir().unwrap();
        let blocker = tmp.path().join("blocker");
        std::fs::write(&blocker, "").unwrap();
        let state = StateDir::new(blocker.join("state"));
        let e = format!("{:#}", state.check_writable().unwrap_err());
        assert!(
            e.contains(&blocker.join("state").display().to_string()),
            "{e}"
        );
        assert!(e.contains("os error 20"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}
