//! Console sessions against moto, through the AWS adapter. A scripted `--read-only` one: every
//! mutating key pressed on every view, and the endpoint's request log shows reads only. A
//! read-write one: a stop confirmed with the id typed reaches moto as a dry run and then the call.
//! And the console's resilience to a cloud it cannot use: credentials expiring mid-session, none at
//! all, an endpoint that refuses connections.

use crate::support;

use support::calls;
use support::moto;
use support::tmux::{ConsoleDirs, Tmux, shell_quote};

/// The real console on moto's endpoint (us-east-1), with `args`, in a private tmux server; its
/// own state, config and home dirs, so no profile or credential of the machine's is read.
fn console_on_moto(args: &str) -> Tmux {
    console_at(
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
        &moto::url(),
        args,
    )
}

/// The real console against `url` with `credentials` (environment assignments, or `-u` unsets),
/// in a private tmux server, its own state, config and home dirs; `EXITED rc=N` when it ends.
fn console_at(credentials: &str, url: &str, args: &str) -> Tmux {
    let dirs = ConsoleDirs::new(None);
    let home = dirs.root().to_path_buf();
    let none = shell_quote(&home.join("none"));
    let cmd = format!(
        "env {credentials} AWS_EC2_METADATA_DISABLED=true \
         AWS_CONFIG_FILE={none} AWS_SHARED_CREDENTIALS_FILE={none} HOME={home} \
         {console} --region us-east-1 --endpoint-url {url}; echo EXITED rc=$?; sleep 30",
        home = shell_quote(&home),
        console = dirs.command(args),
    );
    dirs.start_shell(&cmd, 160, 40).0
}

#[tokio::test]
async fn a_read_only_console_session_sends_no_mutating_request() {
    let (_g, _seed) = moto::seeded().await;
    moto::clear_requests();
    let t = console_on_moto("--read-only");
    t.wait_for("web-1", "the instances from moto");
    t.wait_for("READ-ONLY", "the read-only badge");

    // Every view; on each, every mutating key is refused in words (and whatever a dialog would
    // want is answered: a dialog that opened anyway would send its call).
    let mutating = support::MUTATING_KEYS;
    let views = [
        ":instances",
        ":volumes",
        ":snapshots",
        ":amis",
        ":lb",
        ":tg",
        ":targets",
        ":eip",
        ":eni",
        ":events",
        ":alarms",
        ":findings",
        ":az",
    ];
    let mut screen = String::new();
    for view in views {
        t.type_text(view);
        t.keys(&["Enter"]);
        for (k, label) in mutating {
            t.type_text(k);
            // The status line holds only the latest message: the previous key's was another.
            screen = t.wait_for(
                &format!("read-only session: {label} is not available"),
                &format!("{view}: {k} is refused"),
            );
            assert!(
                !screen.contains("Confirm:"),
                "{view}: {k} opened a dialog:\n{screen}"
            );
            t.keys(&["y", "Enter", "Escape"]);
            t.type_text(view);
            t.keys(&["Enter"]);
        }
    }
    // A runbook shows its plan only, and `y` (approve) is refused.
    t.type_text(":instances");
    t.keys(&["Enter"]);
    t.type_text("r");
    t.wait_for("Runbooks for instance", "r offers the instance's runbooks");
    t.keys(&["Enter"]);
    t.wait_for(
        "this is the plan only; it cannot run here",
        "a read-only session only shows the plan",
    );
    t.type_text("y");
    t.wait_for(
        "this plan cannot run here (it has no writer)",
        "approving is refused",
    );
    t.keys(&["Escape"]);
    // The refresh runs as a task: wait until its reads reached moto before quitting (quitting
    // cancels whatever is still in flight).
    let before = calls::moto("DescribeInstances");
    t.keys(&["C-r"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while calls::moto("DescribeInstances") <= before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    t.type_text("q");
    std::thread::sleep(std::time::Duration::from_millis(500));

    let log = moto::requests();
    let reads =
        |a: &str| a.starts_with("Describe") || a.starts_with("Get") || a.starts_with("List");
    let writes: Vec<&str> = log
        .iter()
        .map(|r| r.action.as_str())
        .filter(|a| !reads(a))
        .collect();
    assert!(
        writes.is_empty(),
        "a read-only session sent mutating calls: {writes:?}\nscreen:\n{screen}"
    );
    assert!(
        log.iter()
            .filter(|r| r.action == "DescribeInstances")
            .count()
            >= 2,
        "it really talked to moto (initial load and ctrl-r)"
    );
}

/// A read-write console against moto: stop on an instance, the id typed, enter after the dry run
/// answered; moto receives `StopInstances` twice (the dry run, then the call) and nothing else
/// that writes, and the refreshed table shows the instance stopped.
#[tokio::test]
async fn a_console_stop_reaches_moto_as_dry_run_then_call() {
    let (_g, seed) = moto::seeded().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    moto::clear_requests();
    let t = console_on_moto("");
    t.wait_for("web-1", "the instances from moto");
    t.type_text(&format!("/{web1}"));
    t.keys(&["Enter"]);
    t.wait_for("Instances (1", "the filter leaves web-1");
    t.type_text("O");
    t.wait_for("Confirm: ec2:StopInstances", "stop asks for confirmation");
    t.wait_for("dry run: would succeed", "moto answers the dry run");
    // Enter before the id is typed does nothing; typed, it stops.
    t.keys(&["Enter"]);
    assert_eq!(
        calls::moto("StopInstances"),
        1,
        "only the dry run before the id is typed:\n{}",
        t.capture()
    );
    t.type_text(&web1);
    t.keys(&["Enter"]);
    t.wait_for(
        &format!("stop requested for {web1}"),
        "the status line says it was done",
    );
    t.wait_until("stopped", "the refreshed table shows it stopped", |s| {
        s.lines()
            .any(|l| l.contains(web1.as_str()) && (l.contains("stopped") || l.contains("stopping")))
    });
    t.type_text("q");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let reads =
        |a: &str| a.starts_with("Describe") || a.starts_with("Get") || a.starts_with("List");
    let writes: Vec<(String, bool)> = moto::requests()
        .into_iter()
        .filter(|r| !reads(&r.action))
        .map(|r| (r.action, r.dry_run))
        .collect();
    assert_eq!(
        writes,
        [
            ("StopInstances".into(), true),
            ("StopInstances".into(), false)
        ],
        "the dry run, then the call, and nothing else"
    );
}

/// Credentials expire mid-session (moto answers every call `ExpiredToken`): the console says so in
/// a banner with the code, keeps the rows it had, and recovers on the next refresh once they work.
#[tokio::test]
async fn expired_credentials_mid_session_keep_the_data_and_recover() {
    let (_g, seed) = moto::seeded().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let t = console_on_moto("");
    t.wait_for("web-1", "the instances from moto");
    moto::set_faults(serde_json::json!([
        { "service": "*", "action": "*", "error_code": "ExpiredToken", "status": 400 }
    ]));
    t.keys(&["C-r"]);
    let screen = t.wait_for(
        "credentials missing, invalid or expired",
        "the banner says what is wrong",
    );
    moto::clear_faults();
    assert!(
        screen.contains("HTTP 400 ExpiredToken"),
        "with the HTTP status and AWS's code:\n{screen}"
    );
    assert!(
        screen.contains("showing data from"),
        "the banner says the rows shown are the earlier ones:\n{screen}"
    );
    assert!(
        screen.contains(&web1),
        "the rows it had are kept:\n{screen}"
    );
    t.keys(&["C-r"]);
    let back = t.wait_until(
        "the banner gone",
        "a refresh with working credentials",
        |s| !s.contains("credentials missing") && s.contains("data <1m old"),
    );
    assert!(back.contains(&web1), "{back}");
    t.type_text("q");
    t.wait_for("EXITED rc=0", "q quits with status 0");
}

/// No credentials anywhere, or an endpoint that refuses connections: a banner that says which, the
/// console keeps answering keys (views, help), and `q` quits normally. Never an exit or a freeze.
#[test]
fn no_credentials_or_an_unreachable_endpoint_get_a_banner_and_a_working_console() {
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| format!("http://127.0.0.1:{}", a.port()))
        .expect("a free port");
    let cases = [
        (
            "-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE",
            "credentials missing, invalid or expired",
        ),
        (
            "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
            "endpoint unreachable",
        ),
    ];
    for (credentials, words) in cases {
        let t = console_at(credentials, &closed, "");
        // The SDK's own retries (with backoff) come first: an unreachable endpoint took ~17 s.
        let screen = t.wait_within(
            std::time::Duration::from_secs(90),
            &format!("`{words}` never appeared"),
            "the banner says what is wrong",
            |s| s.contains(words),
        );
        assert!(screen.contains("no data yet"), "{screen}");
        assert!(
            screen.contains("next retry"),
            "a retry is scheduled:\n{screen}"
        );
        t.type_text(":volumes");
        t.keys(&["Enter"]);
        t.wait_for("Volumes (0)", "views still switch");
        t.type_text("?");
        t.wait_for("Help", "help still opens");
        t.keys(&["Escape"]);
        // Typed together, ESC and q would read as alt-q: wait for the help to close first.
        t.wait_until("the help stayed open", "esc closes the help", |s| {
            !s.contains("Help — keys")
        });
        t.type_text("q");
        t.wait_for("EXITED rc=0", "q quits with status 0");
    }
}
