//! The composition root: which cloud a run talks to, and whether it may write.
//! A read-only session is built without any `CloudWrite` value, so no code path can mutate.

use opsdeck_aws::{self as aws, AwsOptions};
use opsdeck_core::cloud::{CloudRead, CloudWrite};
use opsdeck_runbook::StateDir;
use opsdeck_runbook::audit::Audited;
pub use opsdeck_sim::DemoOptions;
use std::sync::Arc;

/// Where the data comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Aws(AwsOptions),
    Demo(DemoOptions),
}

/// A mistake in what the operator asked for (a region the demo fleet does not have...): the CLI
/// says so in one line and exits 2, like a usage error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub struct Session {
    pub label: String,
    pub profile: Option<String>,
    readers: Vec<Arc<dyn CloudRead>>,
    writers: Option<Vec<Arc<dyn CloudWrite>>>,
    audited: Vec<Arc<Audited>>,
    /// The simulated world behind a `--demo` session, for chaos commands.
    sim: Option<opsdeck_sim::Sim>,
}

impl Session {
    pub fn read_only(
        label: String,
        profile: Option<String>,
        readers: Vec<Arc<dyn CloudRead>>,
    ) -> Self {
        Session {
            label,
            profile,
            readers,
            writers: None,
            audited: Vec::new(),
            sim: None,
        }
    }

    pub fn read_write(
        label: String,
        profile: Option<String>,
        readers: Vec<Arc<dyn CloudRead>>,
        writers: Vec<Arc<dyn CloudWrite>>,
        state: &StateDir,
    ) -> Self {
        // Every mutating call of a session, console or runbook, goes through the audit log.
        let audited: Vec<Arc<Audited>> = writers
            .into_iter()
            .map(|w| Arc::new(Audited::new(w, state.audit_log(), profile.clone(), None)))
            .collect();
        let writers = audited
            .iter()
            .map(|a| a.clone() as Arc<dyn CloudWrite>)
            .collect();
        Session {
            label,
            profile,
            readers,
            writers: Some(writers),
            audited,
            sim: None,
        }
    }

    /// Attaches the simulator a demo session runs on.
    pub fn with_sim(mut self, sim: opsdeck_sim::Sim) -> Self {
        self.sim = Some(sim);
        self
    }

    /// Runs a chaos command (`az-outage us-east-1a`, `throttle * 0.3`...) against the demo's world.
    /// `None` outside a demo: there is no chaos to inject into a real account. Allowed in read-only
    /// demos too: it rehearses failures, it does not write to any cloud.
    pub fn chaos(&self, command: &str) -> Option<Result<String, String>> {
        self.sim
            .as_ref()
            .map(|s| s.chaos(command).map_err(|e| e.to_string()))
    }

    /// Records who we are (STS caller identity) in every later audit entry.
    pub fn note_identity(&self, arn: &str) {
        for a in &self.audited {
            a.set_identity(arn);
        }
    }

    pub fn readers(&self) -> &[Arc<dyn CloudRead>] {
        &self.readers
    }

    /// `None` in a read-only session: there is nothing to call.
    pub fn writers(&self) -> Option<&[Arc<dyn CloudWrite>]> {
        self.writers.as_deref()
    }

    pub fn writer_for(&self, region: &str) -> Option<Arc<dyn CloudWrite>> {
        self.writers
            .as_ref()?
            .iter()
            .find(|w| w.region() == region)
            .cloned()
    }

    /// The region's reader and writer, as a runbook needs both; `None` in a read-only session (it
    /// has no writer at all) or for a region the session does not read.
    pub fn ports_for(&self, region: &str) -> Option<(Arc<dyn CloudRead>, Arc<dyn CloudWrite>)> {
        let read = self
            .readers
            .iter()
            .find(|r| r.region() == region)
            .cloned()?;
        Some((read, self.writer_for(region)?))
    }

    /// The session's clock (`CloudRead::now`): the wall clock against AWS, the simulator's clock
    /// in a demo. The console's clock, its ages, times left and elapsed times all come from here.
    pub fn now(&self) -> opsdeck_core::domain::Timestamp {
        self.readers
            .first()
            .map_or_else(chrono::Utc::now, |r| r.now())
    }

    /// A `--demo` session, on the simulator.
    pub fn is_simulated(&self) -> bool {
        self.sim.is_some()
    }

    pub fn is_read_only(&self) -> bool {
        self.writers.is_none()
    }

    pub fn regions(&self) -> Vec<String> {
        self.readers
            .iter()
            .map(|r| r.region().to_string())
            .collect()
    }
}

/// Connects to the chosen source. `read_only` decides, here and only here, whether writers exist.
pub async fn connect(
    source: &Source,
    read_only: bool,
    state: &StateDir,
) -> anyhow::Result<Session> {
    match source {
        Source::Aws(opts) => {
            let regions = aws::connect(opts).await?;
            let label = match (&opts.endpoint_url, &opts.profile) {
                (Some(url), _) => format!("endpoint {url}"),
                (None, Some(p)) => format!("profile {p}"),
                (None, None) => "default profile".to_string(),
            };
            let readers = aws::readers(&regions);
            if read_only {
                Ok(Session::read_only(label, opts.profile.clone(), readers))
            } else {
                Ok(Session::read_write(
                    label,
                    opts.profile.clone(),
                    readers,
                    aws::writers(&regions),
                    state,
                ))
            }
        }
        Source::Demo(opts) => {
            // The simulated fleet: no credentials, no network. Same rule: read-only builds no writer.
            let sim = opsdeck_sim::Sim::from_demo(opts)?;
            // `--region` picks among the fleet's regions, as it does against AWS.
            let regions = sim
                .select_regions(&opts.regions)
                .map_err(|e| UsageError(e.to_string()))?;
            let label = format!("demo: simulated fleet `{}`", sim.fleet_name());
            let readers = regions.iter().map(|r| sim.reader(r)).collect();
            let session = if read_only {
                Session::read_only(label, None, readers)
            } else {
                let writers = regions.iter().map(|r| sim.writer(r)).collect();
                Session::read_write(label, None, readers, writers, state)
            };
            Ok(session.with_sim(sim))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_core::cloud::{FetchOptions, fetch_inventory};

    /// A state dir of the test's own: a read-write session audits into it.
    fn scratch() -> StateDir {
        StateDir::new(
            std::env::temp_dir().join(format!("opsdeck-session-test-{}", std::process::id())),
        )
    }

    #[tokio::test]
    async fn a_read_only_demo_has_no_writer_but_takes_chaos() {
        let demo = Source::Demo(DemoOptions {
            fleet: None,
            speed: 1.0,
            seed: 1,
            regions: Vec::new(),
        });
        let s = connect(&demo, true, &scratch())
            .await
            .expect("demo session");
        assert!(s.is_read_only() && s.writers().is_none());
        let said = s.chaos("az-outage us-east-1a").expect("a demo takes chaos");
        assert!(said.is_ok(), "{said:?}");
        let inv = fetch_inventory(s.readers(), &FetchOptions::default()).await;
        assert_eq!(
            inv.zone_state("us-east-1a"),
            opsdeck_core::domain::ZoneState::Impaired
        );
        assert!(
            s.chaos("nonsense").is_some_and(|r| r.is_err()),
            "bad chaos is an error, not a crash"
        );
    }

    #[tokio::test]
    async fn a_demo_reads_and_writes_only_the_regions_asked_for() {
        let demo = |regions: &[&str]| {
            Source::Demo(DemoOptions {
                fleet: None,
                speed: 1.0,
                seed: 1,
                regions: regions.iter().map(|r| r.to_string()).collect(),
            })
        };
        let all = connect(&demo(&[]), false, &scratch())
            .await
            .expect("demo session");
        assert_eq!(all.regions(), vec!["us-east-1", "eu-west-1"]);
        let eu = connect(&demo(&["eu-west-1"]), false, &scratch())
            .await
            .expect("demo session");
        assert_eq!(eu.regions(), vec!["eu-west-1"]);
        assert!(eu.writer_for("eu-west-1").is_some());
        assert!(
            eu.writer_for("us-east-1").is_none(),
            "no writer outside --region"
        );
        let inv = fetch_inventory(eu.readers(), &FetchOptions::default()).await;
        assert!(!inv.instances.is_empty());
        assert!(inv.instances.iter().all(|i| i.region == "eu-west-1"));

        let err = match connect(&demo(&["us-east-1", "mars-north-1"]), true, &scratch()).await {
            Ok(_) => panic!("an unknown region is refused"),
            Err(e) => e,
        };
        assert!(err.downcast_ref::<UsageError>().is_some(), "{err:#}");
        let msg = format!("{err:#}");
        assert!(
            msg.contains("mars-north-1") && msg.contains("us-east-1, eu-west-1"),
            "{msg}"
        );
    }

    #[test]
    fn a_real_session_refuses_chaos() {
        let s = Session::read_only("aws".into(), None, Vec::new());
        assert!(s.chaos("az-outage us-east-1a").is_none());
    }
}
