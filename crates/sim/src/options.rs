//! What a simulator is built from: a fleet, a seed, the clock's speed and epoch (`SimOptions`), or
//! what `--demo` asks for (`DemoOptions`).

use opsdeck_core::domain::Timestamp;

/// Which fleet to load.
#[derive(Debug, Clone)]
pub enum FleetSource {
    /// A built-in fleet (`default`, `large`, `seed`) or a path to a fleet file.
    NameOrPath(String),
    /// Fleet TOML text.
    Toml(String),
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub fleet: FleetSource,
    /// Same seed, same calls → same ids, addresses, durations and fault dice.
    pub seed: u64,
    /// Simulated seconds per real (tokio) second.
    pub speed: f64,
    /// The fleet's "now" (its relative times are measured from it); default: the wall clock.
    pub epoch: Option<Timestamp>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            fleet: FleetSource::NameOrPath("default".into()),
            seed: 1,
            speed: 1.0,
            epoch: None,
        }
    }
}

impl SimOptions {
    pub fn fleet(name_or_path: &str) -> Self {
        SimOptions {
            fleet: FleetSource::NameOrPath(name_or_path.into()),
            ..SimOptions::default()
        }
    }
}

/// What `--demo` asks for: which fleet, how fast its clock runs, its seed and its regions.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// A built-in fleet name (`default`, `large`) or a path to a fleet file.
    pub fleet: Option<String>,
    /// How many simulated seconds pass per real second.
    pub speed: f64,
    pub seed: u64,
    /// `--region`: only these of the fleet's regions (empty: all of them).
    pub regions: Vec<String>,
}

/// The fleet a demo runs (`default` unless it names one).
pub(crate) fn demo_fleet(opts: &DemoOptions) -> FleetSource {
    FleetSource::NameOrPath(opts.fleet.clone().unwrap_or_else(|| "default".into()))
}
