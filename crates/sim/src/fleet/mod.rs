//! Fleet files: a TOML description of regions and their resources, loaded into the world.
//!
//! Times are relative to the sim's epoch ("now" when it starts): `launched = "-40d"`,
//! `starts = "7d"`, so a demo always looks current. An RFC 3339 timestamp works too. See
//! `assets/fleets/default.toml` for every field in use.
//!
//! `source` finds a fleet's text, `spec` parses it and `build` turns it into the world: region by
//! region, each resource family in its own file (`network`, `instances` with their `events`,
//! `storage`, `load_balancers`, `alarms`), or procedurally (`generate`, the `large` fleet).

mod alarms;
mod build;
mod elb_names;
mod events;
mod generate;
mod instances;
mod load_balancers;
mod names;
mod network;
mod region;
mod source;
mod spec;
mod storage;
mod tags;
mod times;

pub use source::{BUILTIN_FLEETS, builtin_fleet};
pub use spec::FleetSpec;

pub(crate) use build::load;
pub(crate) use events::default_event_description;
pub(crate) use source::fleet_spec;

#[cfg(test)]
mod tests {
    use super::region::region_code;
    use super::times::at;
    use super::*;

    #[test]
    fn relative_times() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(at(now, "-2d").ok(), Some(now - chrono::Duration::days(2)));
        assert_eq!(at(now, "7d").ok(), Some(now + chrono::Duration::days(7)));
        assert_eq!(
            at(now, "+90m").ok(),
            Some(now + chrono::Duration::minutes(90))
        );
        assert_eq!(at(now, "0").ok(), Some(now));
        assert!(at(now, "soon").is_err());
        assert_eq!(region_code("us-east-1"), "use1");
        assert_eq!(region_code("ap-southeast-2"), "apse2");
    }

    #[test]
    fn builtin_fleets_parse() {
        for name in BUILTIN_FLEETS {
            let text = builtin_fleet(name).unwrap_or_default();
            let spec = FleetSpec::parse(text);
            assert!(spec.is_ok(), "{name}: {spec:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = FleetSpec::parse("name = \"x\"\nbogus = 1\n");
        assert!(e.is_err());
    }
}
