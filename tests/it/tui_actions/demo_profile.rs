//! A demo has no profiles: `:profile` keeps its simulated world.

use super::*;

/// `:profile X` in a demo keeps its simulated world: no reconnect (which would build a new world
/// and lose every chaos and change), a warning that says why and what to do instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_keeps_its_world_when_a_profile_is_asked_for() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let before = h.state.session.info.clone().expect("connected");
    assert!(before.simulated, "the harness is a demo session");
    h.command("profile prod").await;
    let status = h.status();
    assert!(
        status.contains("a demo has no profiles") && status.contains("--profile prod"),
        "{status}"
    );
    assert!(!h.state.session.connecting, "no reconnect");
    assert_eq!(h.state.session.profile, None, "the profile is unchanged");
    assert_eq!(
        h.state.session.info.as_ref().map(|i| i.label.clone()),
        Some(before.label)
    );
}
