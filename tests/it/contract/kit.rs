//! What every contract behaviour gets: the two ports, which adapter is behind them (for the named
//! moto branches), lookups by tag and a polling wait that works on both clocks.

pub use crate::support::ports::{assert_dry_ok, one};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    Sim,
    Moto,
}

pub struct Cloud {
    pub read: Arc<dyn CloudRead>,
    pub write: Arc<dyn CloudWrite>,
    pub adapter: Adapter,
}

impl Cloud {
    /// The simulator on the `seed` fleet (the same fleet `seed_fleet.py` builds in moto).
    pub fn sim() -> Cloud {
        let sim = crate::support::sim::fleet("seed", 1);
        Cloud {
            read: sim.reader("us-east-1"),
            write: sim.writer("us-east-1"),
            adapter: Adapter::Sim,
        }
    }

    /// Runs `f` only on moto, where moto is known to differ from AWS (`why` says how). The sim half of
    /// such a behaviour asserts AWS; this keeps the difference visible instead of skipping silently.
    pub fn moto_quirk(&self, why: &str) -> bool {
        if self.adapter == Adapter::Moto {
            eprintln!("moto quirk (AWS behaviour asserted on the sim only): {why}");
            true
        } else {
            false
        }
    }

    pub async fn inventory(&self) -> Inventory {
        crate::support::inventory::quick(&self.read).await
    }

    /// Polls `cond` until it holds: up to `limit` of simulated time on the sim (whose transitions take
    /// AWS's time), at most 20 s on moto (where states are final at once).
    pub async fn wait<F, Fut>(&self, what: &str, limit: Duration, mut cond: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let (limit, step) = match self.adapter {
            Adapter::Sim => (limit, Duration::from_secs(1)),
            Adapter::Moto => (
                limit.min(Duration::from_secs(20)),
                Duration::from_millis(200),
            ),
        };
        let start = tokio::time::Instant::now();
        loop {
            if cond().await {
                return;
            }
            if start.elapsed() >= limit {
                panic!("{what}: not true after {limit:?} ({:?})", self.adapter);
            }
            tokio::time::sleep(step).await;
        }
    }

    pub async fn instance(&self, id: &str) -> Option<Instance> {
        self.read.instance(id).await.expect("describe instance")
    }

    pub async fn state_of(&self, id: &str) -> Option<InstanceState> {
        self.instance(id).await.map(|i| i.state)
    }

    pub async fn wait_state(&self, id: &str, want: InstanceState, limit: Duration) {
        self.wait(&format!("{id} {}", want.as_str()), limit, || async {
            self.state_of(id).await == Some(want)
        })
        .await
    }
}

pub fn is_seed(tags: &Tags) -> bool {
    tags.get("fleet") == Some("seed")
}

pub fn name_of(tags: &Tags) -> Option<&str> {
    tags.get("Name")
}

/// The seeded instance tagged `Name=name` (live ones only: a test may have terminated a clone).
pub fn seeded<'a>(inv: &'a Inventory, name: &str) -> &'a Instance {
    inv.instances
        .iter()
        .find(|i| is_seed(&i.tags) && name_of(&i.tags) == Some(name) && i.is_live())
        .unwrap_or_else(|| panic!("no live instance tagged fleet=seed, Name={name}"))
}

pub fn subnet_named<'a>(inv: &'a Inventory, name: &str) -> &'a Subnet {
    inv.subnets
        .iter()
        .find(|s| is_seed(&s.tags) && name_of(&s.tags) == Some(name))
        .unwrap_or_else(|| panic!("no subnet tagged Name={name}"))
}

pub fn volume_named<'a>(inv: &'a Inventory, name: &str) -> &'a Volume {
    inv.volumes
        .iter()
        .find(|v| is_seed(&v.tags) && name_of(&v.tags) == Some(name))
        .unwrap_or_else(|| panic!("no volume tagged Name={name}"))
}

pub fn image_named<'a>(inv: &'a Inventory, name: &str) -> &'a Image {
    inv.images
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no image {name}"))
}

pub fn eip_named<'a>(inv: &'a Inventory, name: &str) -> &'a ElasticIp {
    inv.elastic_ips
        .iter()
        .find(|a| name_of(&a.tags) == Some(name))
        .unwrap_or_else(|| panic!("no elastic IP tagged Name={name}"))
}

pub fn eni_named<'a>(inv: &'a Inventory, name: &str) -> &'a NetworkInterface {
    inv.network_interfaces
        .iter()
        .find(|n| name_of(&n.tags) == Some(name))
        .unwrap_or_else(|| panic!("no network interface tagged Name={name}"))
}

pub const MINUTE: Duration = Duration::from_secs(60);
