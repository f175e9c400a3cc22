//! Run ids, as an operator types them (`resume`, `rollback`, `abandon`) or a journal names them (a
//! rollback's `args.run`): checked here, in one place, before any path is built from one, so an id
//! can only ever name a file directly inside the runs dir. The headless commands and the console
//! both open journals through `Journal::open`, which checks.

/// Longer than any id opsdeck makes (`<UTC start>-<runbook>-<6 hex>`), short of any file name limit.
pub const MAX_LEN: usize = 128;

/// `Ok` for an id that can be a journal's name in the runs dir: letters, digits, `-`, `_` and `.`,
/// not starting with a dot, no `..`, at most [`MAX_LEN`] characters. The error names the id (escaped,
/// so it stays on one line) and says what is wrong with it.
pub fn check(id: &str) -> Result<(), String> {
    let why = if id.is_empty() {
        Some("it is empty")
    } else if id.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if id.contains("..") {
        Some("it contains `..`")
    } else if id.starts_with('.') {
        Some("it starts with a dot")
    } else if id.chars().count() > MAX_LEN {
        Some("it is too long")
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Some("only letters, digits, `-`, `_` and `.` are allowed")
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(format!(
            "`{}` is not a run id: {why} (run ids look like 20261207T194056-snapshot-f073be; `opsdeck runs` lists them)",
            id.escape_debug()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_opsdeck_makes_pass() {
        for id in [
            "20261207T194056-snapshot-f073be",
            "20261207T194056-rollback-of-rolling-maintenance-0a1b2c",
            "run-1",
            "rk",
            "v1.2_x",
        ] {
            assert_eq!(check(id), Ok(()), "{id}");
        }
        assert_eq!(check(&crate::journal::new_run_id("db-failover")), Ok(()));
    }

    #[test]
    fn anything_that_could_leave_the_runs_dir_is_refused_naming_the_id() {
        for (id, why) in [
            ("../../x/evil", "path separator"),
            ("a/b", "path separator"),
            ("a\\b", "path separator"),
            ("..", "`..`"),
            ("a..b", "`..`"),
            (".hidden", "starts with a dot"),
            (".", "starts with a dot"),
            ("", "empty"),
            ("a b", "only letters"),
            ("a\nb", "only letters"),
            ("a\0b", "only letters"),
            ("é", "only letters"),
        ] {
            let e = check(id).unwrap_err();
            assert!(e.contains(why), "{id:?}: {e}");
            assert!(e.contains(&id.escape_debug().to_string()), "{id:?}: {e}");
            assert_eq!(e.lines().count(), 1, "{id:?}: {e}");
        }
        assert!(check(&"a".repeat(MAX_LEN)).is_ok());
        assert!(check(&"a".repeat(MAX_LEN + 1)).is_err());
    }
}
