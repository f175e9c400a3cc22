//! Where a fleet's text comes from: a built-in fleet (embedded in the binary), a fleet file, or TOML
//! handed over as it is.

use super::spec::FleetSpec;
use crate::error::SimError;
use crate::options::FleetSource;

/// Built-in fleets, embedded in the binary.
pub const BUILTIN_FLEETS: &[&str] = &["default", "large", "seed"];

pub fn builtin_fleet(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(include_str!("../../../../assets/fleets/default.toml")),
        "large" => Some(include_str!("../../../../assets/fleets/large.toml")),
        "seed" => Some(include_str!("../../../../assets/fleets/seed.toml")),
        _ => None,
    }
}

/// A fleet's description, read and parsed (not built).
pub(crate) fn fleet_spec(source: &FleetSource) -> Result<FleetSpec, SimError> {
    let text = match source {
        FleetSource::NameOrPath(n) => match builtin_fleet(n) {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(n).map_err(|e| {
                SimError(format!(
                    "no built-in fleet `{n}` (built-in: {}) and no readable fleet file there: {e}",
                    BUILTIN_FLEETS.join(", ")
                ))
            })?,
        },
        FleetSource::Toml(t) => t.clone(),
    };
    FleetSpec::parse(&text)
}
