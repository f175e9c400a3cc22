//! A run's elapsed times are on the session's clock, as its expected durations are: in a demo at
//! `--demo-speed 30`, simulated seconds, not the real ones (`0:05 / 5m` for a five-minute step).

use super::*;
use opsdeck_app::runbook_screen::StepState;
use opsdeck_sim::FleetSource;

#[tokio::test(start_paused = true)]
async fn a_steps_elapsed_time_in_a_sped_up_demo_is_simulated_time() {
    let sim = sim::build(opsdeck_sim::SimOptions {
        speed: 30.0,
        ..sim::options(FleetSource::NameOrPath("default".into()), 1, None)
    });
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
    let (real0, sim0) = (tokio::time::Instant::now(), sim.now());
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    let real = tokio::time::Instant::now().duration_since(real0).as_secs();
    let simulated = (sim.now() - sim0).num_seconds() as u64;
    assert!(
        simulated >= 30 * real,
        "{simulated}s simulated, {real}s real"
    );

    let ui = h.state.runbook.as_ref().expect("runbook");
    let secs: Vec<u64> = ui
        .steps
        .iter()
        .map(|v| match v.state {
            StepState::Done { secs } => secs,
            ref other => panic!("every step done, got {other:?}"),
        })
        .collect();
    let total: u64 = secs.iter().sum();
    // On the simulated clock: the steps together took about the run's simulated time (rounding
    // each down), far more than its real time.
    assert!(
        total + secs.len() as u64 >= simulated / 2 && total <= simulated,
        "steps {secs:?} = {total}s against {simulated}s simulated ({real}s real)"
    );
    assert!(
        total > 3 * real + 60,
        "steps {secs:?} counted real seconds ({real}s)"
    );
    // The image step (minutes of simulated time) reads in minutes next to its expected minutes.
    let plan = ui.plan.as_ref().expect("plan");
    let image = plan
        .steps
        .iter()
        .position(|st| st.action_name() == "create_image")
        .expect("an image step");
    assert!(
        secs[image] >= 60,
        "the image step took {}s of simulated time (expected {}s)",
        secs[image],
        plan.steps[image].expected_secs
    );
}
