//! CloudWatch series computed from what happened in the world (instance timelines, target health at
//! each minute), and alarms that evaluate on them.
//!
//! Series: `AWS/EC2` CPUUtilization and StatusCheckFailed (+ `_System`, `_Instance`) by InstanceId;
//! `AWS/ApplicationELB` (or `AWS/NetworkELB`) HealthyHostCount, UnHealthyHostCount, RequestCount and
//! RequestCountPerTarget by TargetGroup (+ LoadBalancer, + AvailabilityZone). A group's requests are
//! spread over its healthy targets only, and each request costs its target a little CPU.

use super::model::*;
use super::world::World;
use opsdeck_core::cloud::{CloudResult, MetricQuery};
use opsdeck_core::domain::*;
use std::collections::HashMap;
use std::time::Duration;

/// CPU percent a target spends per request per minute.
const CPU_PER_REQUEST: f64 = 0.02;

/// A deterministic, gentle wave so series look alive and the same minute always has the same value.
fn wave(t: Timestamp, key: &str, amplitude: f64, period_minutes: f64) -> f64 {
    let k = key
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32))
        % 628;
    let minutes = t.timestamp() as f64 / 60.0;
    1.0 + amplitude * (minutes / period_minutes + k as f64 / 100.0).sin()
}

fn floor_minute(t: Timestamp) -> Timestamp {
    let s = t.timestamp();
    chrono::DateTime::from_timestamp(s - s.rem_euclid(60), 0).unwrap_or(t)
}

/// Healthy targets of one group at one minute (id, AZ), and unhealthy counts per AZ.
#[derive(Debug, Clone, Default)]
struct GroupMinute {
    healthy: Vec<(String, String)>,
    unhealthy: Vec<String>,
}

/// Per-call memo: a group's state at a minute is needed by several series.
struct Ctx<'a> {
    r: &'a Region,
    groups: HashMap<(&'a str, i64), GroupMinute>,
    groups_of_instance: Option<HashMap<&'a str, Vec<&'a TgRec>>>,
}

impl<'a> Ctx<'a> {
    fn new(r: &'a Region) -> Self {
        Ctx {
            r,
            groups: HashMap::new(),
            groups_of_instance: None,
        }
    }

    fn group(&mut self, tg: &'a TgRec, t: Timestamp) -> &GroupMinute {
        let r = self.r;
        self.groups
            .entry((tg.tg.arn.as_str(), t.timestamp()))
            .or_insert_with(|| {
                let mut g = GroupMinute::default();
                for (reg, e) in r.targets_at(tg, t) {
                    let az = r
                        .instances
                        .get(&reg.target_id)
                        .map(|i| i.inst.az.clone())
                        .unwrap_or_default();
                    match e.state {
                        TargetState::Healthy => {
                            g.healthy.push((reg.target_id.clone(), az.to_string()))
                        }
                        TargetState::Unhealthy => g.unhealthy.push(az.to_string()),
                        _ => {}
                    }
                }
                g
            })
    }

    fn rpm(tg: &TgRec, t: Timestamp) -> f64 {
        tg.requests_per_minute * wave(t, &tg.tg.arn, 0.15, 9.0)
    }

    fn tg_by_dimension(&self, dims: &[(String, String)]) -> Option<&'a TgRec> {
        let v = dims.iter().find(|(k, _)| k == "TargetGroup")?.1.as_str();
        self.r
            .tgs
            .values()
            .find(|t| t.tg.arn.ends_with(&format!(":{v}")))
    }

    fn cpu(&mut self, rec: &'a InstanceRec, t: Timestamp) -> Option<f64> {
        match rec.phase_at(t)? {
            Phase::Up => {}
            Phase::Booting => return Some(3.0),
            _ => return None,
        }
        let r = self.r;
        let groups = self
            .groups_of_instance
            .get_or_insert_with(|| {
                let mut m: HashMap<&str, Vec<&TgRec>> = HashMap::new();
                for tg in r.tgs.values() {
                    for reg in &tg.regs {
                        let e = m.entry(reg.target_id.as_str()).or_default();
                        if !e.iter().any(|x| x.tg.arn == tg.tg.arn) {
                            e.push(tg);
                        }
                    }
                }
                m
            })
            .get(rec.inst.id.as_str())
            .cloned()
            .unwrap_or_default();
        let mut load = 0.0;
        for tg in groups {
            let rpm = Self::rpm(tg, t);
            let g = self.group(tg, t);
            if g.healthy.iter().any(|(id, _)| *id == rec.inst.id) {
                load += rpm / g.healthy.len().max(1) as f64 * CPU_PER_REQUEST;
            }
        }
        let v = rec.cpu_base * wave(t, &rec.inst.id, 0.08, 4.0) + load;
        Some((v * 100.0).round().clamp(0.0, 10_000.0) / 100.0)
    }

    /// The value of one metric at one minute, if CloudWatch would have a datapoint.
    fn value(
        &mut self,
        namespace: &str,
        metric: &str,
        dims: &[(String, String)],
        t: Timestamp,
    ) -> Option<f64> {
        let dim = |k: &str| dims.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        match namespace {
            "AWS/EC2" => {
                let rec = self.r.instances.get(dim("InstanceId")?)?;
                match metric {
                    "CPUUtilization" => self.cpu(rec, t),
                    "StatusCheckFailed"
                    | "StatusCheckFailed_System"
                    | "StatusCheckFailed_Instance" => match rec.phase_at(t)? {
                        Phase::Up | Phase::Booting => Some(0.0),
                        // A crashed guest fails the instance check only.
                        Phase::Impaired => Some(match metric {
                            "StatusCheckFailed_System" => 0.0,
                            _ => 1.0,
                        }),
                        // An unreachable host fails both.
                        Phase::HostDown => Some(1.0),
                        _ => None,
                    },
                    _ => None,
                }
            }
            "AWS/ApplicationELB" | "AWS/NetworkELB" => {
                let tg = self.tg_by_dimension(dims)?;
                let az = dim("AvailabilityZone").map(str::to_string);
                let rpm = Self::rpm(tg, t);
                let g = self.group(tg, t);
                let in_az = |a: &String| az.as_ref().is_none_or(|z| z == a);
                let healthy_here = g.healthy.iter().filter(|(_, a)| in_az(a)).count() as f64;
                let healthy_all = g.healthy.len() as f64;
                match metric {
                    "HealthyHostCount" => Some(healthy_here),
                    "UnHealthyHostCount" => {
                        Some(g.unhealthy.iter().filter(|a| in_az(a)).count() as f64)
                    }
                    "RequestCount" if healthy_all > 0.0 => {
                        Some((rpm * healthy_here / healthy_all).round())
                    }
                    "RequestCount" => Some(0.0),
                    "RequestCountPerTarget" if healthy_all > 0.0 => {
                        Some((rpm / healthy_all).round())
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn series(
        &mut self,
        namespace: &str,
        metric: &str,
        dims: &[(String, String)],
        start: Timestamp,
        end: Timestamp,
    ) -> Vec<(Timestamp, f64)> {
        let mut out = Vec::new();
        let mut t = floor_minute(start);
        if t < start {
            t += chrono::Duration::minutes(1);
        }
        while t <= end {
            if let Some(v) = self.value(namespace, metric, dims, t) {
                out.push((t, v));
            }
            t += chrono::Duration::minutes(1);
        }
        out
    }
}

fn aggregate(stat: &str, values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(match stat {
        "Maximum" => values.iter().copied().fold(f64::MIN, f64::max),
        "Minimum" => values.iter().copied().fold(f64::MAX, f64::min),
        "Sum" => values.iter().sum(),
        "SampleCount" => values.len() as f64,
        _ => values.iter().sum::<f64>() / values.len() as f64,
    })
}

fn breaches(comparison: &str, v: f64, threshold: f64) -> bool {
    match comparison {
        "GreaterThanOrEqualToThreshold" => v >= threshold,
        "LessThanThreshold" => v < threshold,
        "LessThanOrEqualToThreshold" => v <= threshold,
        _ => v > threshold,
    }
}

fn comparison_words(comparison: &str) -> &'static str {
    match comparison {
        "GreaterThanOrEqualToThreshold" => "greater than or equal to",
        "LessThanThreshold" => "less than",
        "LessThanOrEqualToThreshold" => "less than or equal to",
        _ => "greater than",
    }
}

impl World {
    pub(crate) fn metric_series(
        &self,
        region: &str,
        queries: &[MetricQuery],
        window: Duration,
    ) -> CloudResult<Vec<MetricSeries>> {
        let r = self.region(region)?;
        let end = self.now;
        let start =
            end - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(30));
        let mut ctx = Ctx::new(r);
        Ok(queries
            .iter()
            .map(|q| MetricSeries {
                region: region.into(),
                namespace: q.namespace.as_str().into(),
                metric: q.metric.as_str().into(),
                stat: q.stat.as_str().into(),
                subject: q.subject.clone(),
                points: ctx
                    .series(&q.namespace, &q.metric, &q.dimensions, start, end)
                    .into_iter()
                    .collect(),
            })
            .collect())
    }

    /// Evaluates every alarm of a region on its series (M = N out of the evaluation periods).
    pub(crate) fn evaluate_alarms(&mut self, region: &str) -> CloudResult<()> {
        let now = self.now;
        let r = self.region(region)?;
        let mut ctx = Ctx::new(r);
        let mut verdicts = Vec::new();
        for (name, a) in &r.alarms {
            let period = chrono::Duration::seconds(a.period_seconds.max(60));
            let n = a.evaluation_periods.max(1);
            let end = floor_minute(now);
            let start = end - period * n as i32;
            let (Some(ns), Some(metric)) = (&a.alarm.namespace, &a.alarm.metric) else {
                continue;
            };
            let points = ctx.series(ns, metric, &a.alarm.dimensions, start, end);
            let mut buckets = Vec::new();
            for k in 0..n {
                let b_start = start + period * k as i32;
                let b_end = b_start + period;
                let vals: Vec<f64> = points
                    .iter()
                    .filter(|(t, _)| *t > b_start && *t <= b_end)
                    .map(|(_, v)| *v)
                    .collect();
                if let Some(v) = aggregate(&a.stat, &vals) {
                    buckets.push((b_end, v));
                }
            }
            let threshold = a.alarm.threshold.unwrap_or(0.0);
            let cmp = a.alarm.comparison.clone().unwrap_or_default();
            let (state, reason) = if buckets.is_empty() {
                (
                    AlarmState::InsufficientData,
                    format!("Insufficient Data: {n} datapoints were unknown."),
                )
            } else {
                let shown: Vec<String> = buckets
                    .iter()
                    .map(|(t, v)| format!("{v:.2} ({})", t.format("%d/%m/%y %H:%M:%S")))
                    .collect();
                let all = buckets.iter().all(|(_, v)| breaches(&cmp, *v, threshold));
                let words = comparison_words(&cmp);
                if all && buckets.len() as i64 == n {
                    (
                        AlarmState::Alarm,
                        format!(
                            "Threshold Crossed: {} datapoint{} [{}] {} {words} the threshold ({threshold:.1}).",
                            buckets.len(),
                            if buckets.len() == 1 { "" } else { "s" },
                            shown.join(", "),
                            if buckets.len() == 1 { "was" } else { "were" },
                        ),
                    )
                } else {
                    (
                        AlarmState::Ok,
                        format!(
                            "Threshold Crossed: {} datapoint{} [{}] {} not {words} the threshold ({threshold:.1}).",
                            buckets.len(),
                            if buckets.len() == 1 { "" } else { "s" },
                            shown.join(", "),
                            if buckets.len() == 1 { "was" } else { "were" },
                        ),
                    )
                }
            };
            verdicts.push((name.clone(), state, reason));
        }
        let r = self.region_mut(region)?;
        for (name, state, reason) in verdicts {
            if let Some(a) = r.alarms.get_mut(&name)
                && (a.alarm.state != state || a.alarm.updated.is_none())
            {
                a.alarm.state = state;
                a.alarm.updated = Some(now);
                a.alarm.reason = Some(reason.into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_and_comparisons() {
        assert_eq!(aggregate("Average", &[1.0, 3.0]), Some(2.0));
        assert_eq!(aggregate("Maximum", &[1.0, 3.0]), Some(3.0));
        assert_eq!(aggregate("Minimum", &[1.0, 3.0]), Some(1.0));
        assert_eq!(aggregate("Sum", &[1.0, 3.0]), Some(4.0));
        assert_eq!(aggregate("Sum", &[]), None);
        assert!(breaches("GreaterThanThreshold", 81.0, 80.0));
        assert!(!breaches("GreaterThanThreshold", 80.0, 80.0));
        assert!(breaches("LessThanThreshold", 0.0, 1.0));
    }

    #[test]
    fn waves_are_deterministic_and_gentle() {
        let t = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(wave(t, "i-1", 0.08, 4.0), wave(t, "i-1", 0.08, 4.0));
        let w = wave(t, "i-1", 0.08, 4.0);
        assert!((0.92..=1.08).contains(&w));
    }
}
