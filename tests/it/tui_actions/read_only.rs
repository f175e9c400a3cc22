//! A read-only session: every mutating key on every view refused in words, runbooks shown as a
//! plan only, no mutating call; and the export, which it may still do.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_never_mutates() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    // Every table, then the AZ map, the runbook chooser and the runs: a mutating key is refused
    // the same way on each, never opening a dialog.
    let mut views: Vec<&str> = ResourceKind::VIEWS
        .iter()
        .map(|k| k.commands()[0])
        .collect();
    views.extend(["az", "runbooks", "runs"]);
    let mut refused = 0;
    for view in views {
        h.command(view).await;
        for row in 0..3 {
            for (k, label) in MUTATING {
                h.text(k).await;
                assert!(
                    h.state.dialog.is_none(),
                    ":{view} row {row}: {k} opened a dialog"
                );
                assert_eq!(
                    h.status(),
                    format!("read-only session: {label} is not available"),
                    ":{view} row {row}: {k}"
                );
                refused += 1;
                // Whatever a dialog would want: the id typed, enter, then esc.
                h.text("i-").await;
                h.key(Key::plain(KeyCode::Enter)).await;
                h.key(Key::plain(KeyCode::Esc)).await;
                h.command(view).await;
                for _ in 0..row {
                    h.text("j").await;
                }
            }
            h.text("j").await;
        }
    }
    assert_eq!(
        refused,
        (ResourceKind::VIEWS.len() + 3) * 3 * MUTATING.len()
    );

    // Runbooks show their plan only: `y` is refused, from a finding and from an instance.
    h.command("findings").await;
    h.text("/single-az").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.text("r").await;
    assert_read_only_plan(&mut h, "a finding's fix").await;
    h.command("instances").await;
    h.text("r").await;
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbooks(_)),
        "r on an instance offers its runbooks"
    );
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_read_only_plan(&mut h, "an instance's runbook").await;

    h.key(Key::ctrl('r')).await;
    let calls = sim.calls();
    assert!(!calls.is_empty(), "the console did read");
    let mutating = calls::mutating(&sim);
    assert!(
        mutating.is_empty(),
        "a read-only console made mutating calls: {mutating:?}"
    );
}

/// The runbook screen shows a plan that cannot run: `y` (approve) is refused in words.
async fn assert_read_only_plan(h: &mut Harness, what: &str) {
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbook(_)),
        "{what}: the runbook screen"
    );
    let phase = h.state.runbook.as_ref().map(|u| u.phase.clone());
    assert!(
        matches!(phase, Some(app::runbook_screen::Phase::ReadOnly)),
        "{what}: {phase:?}"
    );
    h.text("y").await;
    assert_eq!(
        h.status(),
        "read-only session: this plan cannot run here (it has no writer)",
        "{what}"
    );
    h.key(Key::plain(KeyCode::Esc)).await;
}

/// Export writes the view as shown (filtered) to a file in the export dir, through the runner's
/// export task: CSV with its header row, JSON as an array of objects; the status line names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_the_filtered_view_to_a_file() {
    let mut h = Harness::start(sim::demo(), true).await;
    let out = tempfile::tempdir().expect("export dir");
    h.state.prefs.export_dir = out.path().to_path_buf();
    h.command("instances").await;
    h.text("/web").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    for (k, ext) in [("E", "csv"), ("J", "json")] {
        h.text(k).await;
        h.pump_until("the export task answers", |s| {
            s.status
                .as_ref()
                .is_some_and(|m| m.text.starts_with("exported") || m.text.contains("failed"))
        })
        .await;
        let said = h.status();
        assert!(said.starts_with("exported 2 rows to "), "{said}");
        let path = std::path::PathBuf::from(said.trim_start_matches("exported 2 rows to "));
        assert_eq!(path.parent(), Some(out.path()), "{said}");
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some(ext));
        let text = std::fs::read_to_string(&path).expect("the export file exists");
        assert!(
            text.contains("web-1") && text.contains("web-2") && !text.contains("db-1"),
            "only the filtered rows:\n{text}"
        );
        if ext == "csv" {
            assert!(text.starts_with("ID,NAME,STATE"), "{text}");
            assert_eq!(text.lines().count(), 3, "header and two rows:\n{text}");
        } else {
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(v.as_array().map(Vec::len), Some(2), "{text}");
        }
        // The next export's status must not be mistaken for this one's.
        h.state.status = None;
    }
}
