//! Which of a fleet's regions a session uses (`--region`): the ones asked for, checked against the
//! fleet, in the order asked and each once.

use crate::error::SimError;
use crate::fleet::fleet_spec;
use crate::options::{DemoOptions, demo_fleet};

/// `asked` among a fleet's regions `have`; see [`crate::Sim::select_regions`].
pub(crate) fn pick_regions(
    fleet: &str,
    have: &[String],
    asked: &[String],
) -> Result<Vec<String>, SimError> {
    if asked.is_empty() {
        return Ok(have.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for r in asked {
        if !have.contains(r) {
            return Err(SimError(format!(
                "region {r} is not in the demo fleet `{fleet}` (it has: {})",
                have.join(", ")
            )));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// Checks a demo's `--region`s against its fleet without building the fleet (the console does this
/// before it takes the terminal, so a typo is one line on stderr, not a banner).
pub fn check_demo_regions(opts: &DemoOptions) -> Result<Vec<String>, SimError> {
    let spec = fleet_spec(&demo_fleet(opts))?;
    let mut have: Vec<String> = spec.regions.iter().map(|r| r.name.clone()).collect();
    if let Some(g) = &spec.generate {
        have.extend(g.regions.iter().cloned());
    }
    pick_regions(&spec.name, &have, &opts.regions)
}
