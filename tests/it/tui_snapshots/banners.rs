//! Banners: a failing region (its rows kept, with their age), more banners than room, and a
//! background refresh that changes nothing on screen.

use super::*;

#[tokio::test(start_paused = true)]
async fn failing_region_banner_keeps_data() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = demo_with_failed_region().await;
        let text = screen(&mut s, w, h, &color());
        let lines: Vec<&str> = text.lines().collect();
        // The header's age is the failed region's (its rows are 5 minutes old), not the refresh's.
        assert!(lines[0].contains("data 5m old"), "{w}x{h}: {}", lines[0]);
        // Region, AWS code, data age and next retry come first: they fit even at 80 columns.
        let banner = lines[1];
        assert!(
            banner.contains(
                "eu-west-1 [ExpiredToken] · showing data from 5m ago · next retry 00:05:05"
            ),
            "{w}x{h}: {banner}"
        );
        if w >= 160 {
            assert!(
                banner.contains(
                    "instances: credentials missing, invalid or expired (+1 more failed)"
                ),
                "{banner}"
            );
        }
        assert!(
            !banner.contains("request"),
            "request ids stay in the log: {banner}"
        );
        snap!(format!("region_failed_{w}x{h}"), text);
    }
}

/// Auto-refresh on, nothing changing: a background refresh, from its start to its answer, leaves
/// every cell as it was (so the terminal gets no bytes); one the operator asks for shows.
#[tokio::test(start_paused = true)]
async fn a_background_refresh_changes_nothing_on_screen() {
    let mut s = demo(false).await;
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut draw = |s: &mut AppState| {
        t.draw(|f| render::draw(f, s, &color())).unwrap();
        t.backend().buffer().clone()
    };
    let due = s.data.next_refresh.expect("auto-refresh is on by default");
    app::update(&mut s, Input::tick(due - chrono::Duration::seconds(1)));
    let before = draw(&mut s);
    s.dirty = false; // as the loop does after a frame
    let fx = app::update(&mut s, Input::tick(due));
    let generation = match fx.first() {
        Some(app::Effect::Fetch { generation, .. }) => *generation,
        other => panic!("the auto-refresh starts: {other:?}"),
    };
    assert!(!s.dirty, "nothing to redraw when it starts");
    assert_eq!(draw(&mut s), before, "a refresh in flight changes no cell");
    answer_fetch(&mut s, generation, demo_inventory().await);
    assert_eq!(
        draw(&mut s),
        before,
        "the same data answered: no cell changed"
    );
    // ctrl-r is the operator's: the header says it runs.
    app::update(&mut s, Input::Key(Key::ctrl('r')));
    let after = draw(&mut s);
    let header: String = (0..160)
        .map(|x| after[(x, 0)].symbol().to_string())
        .collect();
    assert!(header.contains("· refreshing…"), "{header}");
}

#[tokio::test(start_paused = true)]
async fn more_banners_than_room_are_counted_not_dropped() {
    let regions = ["us-east-1", "eu-west-1", "ap-south-1", "eu-central-1"];
    let mut inv = opsdeck_app::sample::inventory(8, &regions[..1], epoch());
    for r in &regions[1..] {
        inv.regions.push(opsdeck_core::domain::RegionStatus {
            region: r.to_string(),
            fetched_at: Some(epoch()),
            error: Some(
                "AWS is throttling requests [Throttling]: Rate exceeded (12 calls failed)".into(),
            ),
            unread: Vec::new(),
        });
    }
    let names: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
    let mut s = state_with(inv, session(&names, false, None));
    one_unfinished_run(&mut s);
    let text = screen(&mut s, 80, 24, &color());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains("unfinished run"), "{text}");
    assert!(
        lines[2].contains("eu-west-1 [Throttling] · no data yet · next retry"),
        "{text}"
    );
    assert!(
        lines[3].contains("+2 more: ap-south-1 [Throttling] · eu-central-1 [Throttling]"),
        "{text}"
    );
    let text = screen(&mut s, 160, 48, &color());
    assert!(text.contains("(12 calls)"), "{text}");
}

/// A region some of whose lists could not be read on any refresh yet: the banner names every kind
/// with its call and AWS's code (not the first and "+1 more"), and the header says the rows are
/// partial data, with their age, rather than "no good data yet" over a full table.
#[tokio::test(start_paused = true)]
async fn every_unread_kind_is_named_and_the_data_is_called_partial() {
    let mut inv = opsdeck_app::sample::inventory(18, &["us-east-1"], epoch());
    let unread =
        |kind: &str, call: &str, code: &str, status: u16| opsdeck_core::domain::UnreadKind {
            kind: kind.into(),
            call: Some(call.into()),
            code: code.into(),
            http_status: Some(status),
            error: format!("{call}: HTTP {status} {code}: denied"),
            failed_calls: 1,
        };
    inv.regions[0].error = Some(
        "metrics: not permitted [AccessDenied]; volume_events: not permitted [UnauthorizedOperation]"
            .into(),
    );
    inv.regions[0].unread = vec![
        unread("metrics", "cloudwatch:GetMetricData", "AccessDenied", 403),
        unread(
            "volume_events",
            "ec2:DescribeVolumeStatus",
            "UnauthorizedOperation",
            403,
        ),
    ];
    let mut s = state_with(inv, session(&["us-east-1".to_string()], false, None));
    let text = screen(&mut s, 240, 30, &color());
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("partial data") && !lines[0].contains("no good data yet"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(
            "metrics: not permitted · could not read metrics (cloudwatch:GetMetricData \
             AccessDenied), volume_events (ec2:DescribeVolumeStatus UnauthorizedOperation)"
        ),
        "{}",
        lines[1]
    );
}
