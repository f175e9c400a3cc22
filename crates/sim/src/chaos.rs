//! Chaos commands: the text form of fault injection, for the demo (`:chaos az-outage us-east-1a`) and
//! for scripted rehearsals. `parse` never touches the world; `Sim::chaos` parses and applies.

use opsdeck_core::domain::EventCode;
use std::time::Duration;

/// One parsed chaos command.
#[derive(Debug, Clone, PartialEq)]
pub enum ChaosCommand {
    /// Take an AZ down: zone impaired, its instances fail status checks, launches there fail.
    AzOutage(String),
    AzRestore(String),
    /// Throttle an action (`*` = every action) with this probability (0 removes the rule).
    Throttle {
        action: String,
        rate: f64,
    },
    /// Add this much latency to every call.
    Latency(Duration),
    /// Fail this fraction of calls with a 5xx.
    Errors(f64),
    /// Crash an instance (id or Name tag): its instance status check fails until a reboot.
    Crash(String),
    /// An instance dies outright (id, Name tag, or an Auto Scaling group: one of its members):
    /// terminated as if its host failed. A group replaces it.
    Kill(String),
    /// Start an instance refresh of an Auto Scaling group: it replaces its members one at a time.
    Refresh(String),
    /// Make a volume's detach hang until forced (id or Name tag).
    StuckDetach(String),
    /// Deny an action (UnauthorizedOperation / AccessDenied), dry run or not.
    Deny(String),
    Allow(String),
    /// Schedule an instance event `after` from now, with an optional reschedule deadline.
    Event {
        instance: String,
        code: EventCode,
        after: Duration,
        deadline: Option<Duration>,
    },
    /// Move the simulated clock forward.
    Skip(Duration),
    /// Remove call faults, restore every AZ, unstick every volume.
    Clear,
    /// Describe the active faults.
    Status,
    Help,
}

pub const HELP: &str = "\
chaos commands:
  az-outage AZ            take an availability zone down (instances impaired, targets unhealthy, no capacity)
  az-restore AZ           bring it back
  throttle ACTION|* RATE  throttle an API action (e.g. DescribeInstances) with probability RATE (0-1)
  latency DURATION        add latency to every call (500ms, 2s; 0 removes)
  errors RATE             fail RATE (0-1) of calls with a 5xx InternalError
  crash INSTANCE          crash an instance (id or Name): its status check fails until rebooted
  kill INSTANCE|GROUP     an instance dies (terminated); for a group, one of its members: the group replaces it
  refresh GROUP           start an instance refresh: the group replaces its members one at a time
  stuck-detach VOLUME     the volume's next detach hangs until forced (id or Name)
  deny ACTION / allow ACTION   permission policy: UnauthorizedOperation for ACTION
  event INSTANCE CODE IN [DEADLINE]   schedule e.g. `event web-1 system-reboot 10m 7d`
  skip DURATION           move the simulated clock forward (e.g. 2h, 7d)
  clear                   remove call faults, restore AZs, unstick volumes
  status                  show active faults";

/// `500ms`, `2s`, `5m`, `1h`, `7d`, `0`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("`{s}` needs a unit (ms, s, m, h, d)"))?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return Err(format!("unknown unit `{unit}` in `{s}` (ms, s, m, h, d)")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("`{s}` is not a duration"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a rate between 0 and 1"))?;
    let r = if s.ends_with('%') { r / 100.0 } else { r };
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("rate {s} is outside 0-1"))
    }
}

/// Parses one command; a leading `:chaos` or `chaos` is ignored.
pub fn parse(text: &str) -> Result<ChaosCommand, String> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if matches!(words.first(), Some(&":chaos") | Some(&"chaos")) {
        words.remove(0);
    }
    let arg = |i: usize, what: &str| -> Result<String, String> {
        words
            .get(i)
            .map(|s| s.to_string())
            .ok_or_else(|| format!("missing {what}"))
    };
    let Some(cmd) = words.first() else {
        return Err("empty chaos command (try `help`)".into());
    };
    let expect_args = |n: usize| -> Result<(), String> {
        if words.len() > n + 1 {
            Err(format!("`{cmd}` takes {n} argument(s)"))
        } else {
            Ok(())
        }
    };
    let c = match *cmd {
        "az-outage" => {
            expect_args(1)?;
            ChaosCommand::AzOutage(arg(1, "availability zone")?)
        }
        "az-restore" => {
            expect_args(1)?;
            ChaosCommand::AzRestore(arg(1, "availability zone")?)
        }
        "throttle" => {
            expect_args(2)?;
            ChaosCommand::Throttle {
                action: arg(1, "action (or *)")?,
                rate: rate(&arg(2, "rate")?)?,
            }
        }
        "latency" => {
            expect_args(1)?;
            ChaosCommand::Latency(parse_duration(&arg(1, "duration")?)?)
        }
        "errors" => {
            expect_args(1)?;
            ChaosCommand::Errors(rate(&arg(1, "rate")?)?)
        }
        "crash" => {
            expect_args(1)?;
            ChaosCommand::Crash(arg(1, "instance")?)
        }
        "kill" => {
            expect_args(1)?;
            ChaosCommand::Kill(arg(1, "instance or group")?)
        }
        "refresh" => {
            expect_args(1)?;
            ChaosCommand::Refresh(arg(1, "group")?)
        }
        "stuck-detach" => {
            expect_args(1)?;
            ChaosCommand::StuckDetach(arg(1, "volume")?)
        }
        "deny" => {
            expect_args(1)?;
            ChaosCommand::Deny(arg(1, "action")?)
        }
        "allow" => {
            expect_args(1)?;
            ChaosCommand::Allow(arg(1, "action")?)
        }
        "event" => {
            if !(4..=5).contains(&words.len()) {
                return Err("usage: event INSTANCE CODE IN [DEADLINE]".into());
            }
            let raw = arg(2, "event code")?;
            let code = EventCode::parse(&raw);
            if code == EventCode::Other {
                return Err(format!(
                    "unknown event code `{raw}` (system-reboot, instance-reboot, system-maintenance, instance-retirement, instance-stop)"
                ));
            }
            ChaosCommand::Event {
                instance: arg(1, "instance")?,
                code,
                after: parse_duration(&arg(3, "start")?)?,
                deadline: match words.get(4) {
                    Some(d) => Some(parse_duration(d)?),
                    None => None,
                },
            }
        }
        "skip" => {
            expect_args(1)?;
            ChaosCommand::Skip(parse_duration(&arg(1, "duration")?)?)
        }
        "clear" => {
            expect_args(0)?;
            ChaosCommand::Clear
        }
        "status" | "faults" => ChaosCommand::Status,
        "help" | "?" => ChaosCommand::Help,
        other => return Err(format!("unknown chaos command `{other}` (try `help`)")),
    };
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(
            parse(":chaos az-outage us-east-1a"),
            Ok(ChaosCommand::AzOutage("us-east-1a".into()))
        );
        assert_eq!(
            parse("throttle DescribeInstances 0.3"),
            Ok(ChaosCommand::Throttle {
                action: "DescribeInstances".into(),
                rate: 0.3
            })
        );
        assert_eq!(
            parse("throttle * 30%"),
            Ok(ChaosCommand::Throttle {
                action: "*".into(),
                rate: 0.3
            })
        );
        assert_eq!(
            parse("latency 500ms"),
            Ok(ChaosCommand::Latency(Duration::from_millis(500)))
        );
        assert_eq!(parse("errors 0.1"), Ok(ChaosCommand::Errors(0.1)));
        assert_eq!(
            parse("crash i-0abc"),
            Ok(ChaosCommand::Crash("i-0abc".into()))
        );
        assert_eq!(
            parse("stuck-detach vol-1"),
            Ok(ChaosCommand::StuckDetach("vol-1".into()))
        );
        assert_eq!(parse("clear"), Ok(ChaosCommand::Clear));
        assert_eq!(
            parse("event web-2 system-reboot 10m 7d"),
            Ok(ChaosCommand::Event {
                instance: "web-2".into(),
                code: EventCode::SystemReboot,
                after: Duration::from_secs(600),
                deadline: Some(Duration::from_secs(7 * 86400)),
            })
        );
        assert_eq!(
            parse("skip 2h"),
            Ok(ChaosCommand::Skip(Duration::from_secs(7200)))
        );
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        assert!(parse("").is_err());
        assert!(parse("explode everything").is_err());
        assert!(parse("throttle DescribeInstances 3").is_err());
        assert!(parse("latency fast").is_err());
        assert!(parse("az-outage").is_err());
        assert!(parse("clear now").is_err());
        assert!(parse("event web-1 meteor 10m").is_err());
    }
}
