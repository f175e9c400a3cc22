use super::Timestamp;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// What a metric series is about, so the console can place it next to its resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetricSubject {
    Instance {
        instance_id: CompactString,
    },
    /// A target group, optionally narrowed to one AZ (HealthyHostCount is reported per AZ).
    TargetGroup {
        target_group_arn: CompactString,
        load_balancer_arn: CompactString,
        az: Option<CompactString>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub region: CompactString,
    pub namespace: CompactString,
    pub metric: CompactString,
    pub stat: CompactString,
    pub subject: MetricSubject,
    /// Oldest first.
    pub points: Points,
}

impl MetricSeries {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|(_, v)| v)
    }
}

/// A series' datapoints, oldest first: the values as `f32` on a time grid.
///
/// A large fleet's inventory holds over a million points (CPU and status checks per instance,
/// host counts per target group and AZ, each minute of the metrics window). CloudWatch answers on
/// its period's grid, so a series is stored as its first time, the step and 4 bytes per value (a
/// missing minute is a NaN slot); `(Timestamp, f64)` pairs took 24 bytes a point. An `f32` keeps
/// ~7 significant digits: more than a sparkline or a host count needs. Points off any grid (not
/// from CloudWatch) keep an offset each. Serialized as `[[time, value], ...]`, as the pairs were.
#[derive(Debug, Clone, Default)]
pub struct Points {
    /// Unix seconds of the first point.
    base: i64,
    /// Seconds between slots of `values` (0 when `offsets` says where each value is).
    step: u32,
    values: Box<[f32]>,
    /// Seconds from `base` of each value, for points that lie on no grid.
    offsets: Option<Box<[i32]>>,
}

impl Points {
    /// How many datapoints (empty grid slots are not points).
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| !v.is_nan()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn point(&self, slot: usize, v: f32) -> (Timestamp, f64) {
        let offset = match &self.offsets {
            Some(o) => o.get(slot).copied().unwrap_or_default() as i64,
            None => slot as i64 * self.step as i64,
        };
        let at = chrono::DateTime::from_timestamp(self.base + offset, 0).unwrap_or_default();
        // Through the shortest decimal that round-trips the f32, so 42.17 reads back as 42.17
        // rather than 42.16999816894531.
        let value = v.to_string().parse::<f64>().unwrap_or(v as f64);
        (at, value)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Timestamp, f64)> {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(|(slot, v)| self.point(slot, *v))
    }

    /// The values alone, oldest first, for drawing (a sparkline, its scale): each `f32` widened
    /// as is. Not through its shortest decimal as `iter` reads them: the instances table draws a
    /// sparkline per row, and formatting every point made building 100,000 rows 0.3 s slower.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = f64> {
        self.values
            .iter()
            .filter(|v| !v.is_nan())
            .map(|v| f64::from(*v))
    }

    pub fn last(&self) -> Option<(Timestamp, f64)> {
        self.iter().next_back()
    }
}

/// The same points, however they are laid out.
impl PartialEq for Points {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl FromIterator<(Timestamp, f64)> for Points {
    fn from_iter<I: IntoIterator<Item = (Timestamp, f64)>>(iter: I) -> Self {
        let mut pts: Vec<(i64, f32)> = iter
            .into_iter()
            .filter(|(_, v)| !v.is_nan())
            .map(|(at, v)| (at.timestamp(), v as f32))
            .collect();
        pts.sort_by_key(|p| p.0);
        let (Some(&(base, _)), Some(&(end, _))) = (pts.first(), pts.last()) else {
            return Points::default();
        };
        // The grid: the largest step every point lies on; used unless it would leave more empty
        // slots than points (then an offset per point is smaller).
        let step = pts.iter().fold(0u64, |g, p| gcd(g, (p.0 - base) as u64));
        let slot_of = |at: i64| ((at - base) as u64).checked_div(step).unwrap_or(0) as usize;
        let slots = slot_of(end) + 1;
        let distinct = pts.windows(2).all(|w| w[0].0 < w[1].0);
        if distinct && step <= u32::MAX as u64 && slots <= pts.len() * 2 {
            let mut values = vec![f32::NAN; slots];
            for (at, v) in &pts {
                if let Some(slot) = values.get_mut(slot_of(*at)) {
                    *slot = *v;
                }
            }
            return Points {
                base,
                step: step as u32,
                values: values.into_boxed_slice(),
                offsets: None,
            };
        }
        // A metrics window spans hours; an offset outside ±68 years cannot come from AWS.
        let offsets = pts
            .iter()
            .map(|p| (p.0 - base).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
            .collect();
        Points {
            base,
            step: 0,
            values: pts.iter().map(|p| p.1).collect(),
            offsets: Some(offsets),
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<(Timestamp, f64)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn parse(s: &str) -> Self {
        match s {
            "OK" => Self::Ok,
            "ALARM" => Self::Alarm,
            _ => Self::InsufficientData,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub region: CompactString,
    pub name: CompactString,
    pub arn: Option<CompactString>,
    pub state: AlarmState,
    pub reason: Option<CompactString>,
    pub namespace: Option<CompactString>,
    pub metric: Option<CompactString>,
    /// `(name, value)` dimension pairs; an `InstanceId` one ties the alarm to an instance.
    pub dimensions: Vec<(String, String)>,
    pub threshold: Option<f64>,
    pub comparison: Option<CompactString>,
    pub updated: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_767_225_600 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn points_keep_time_order_and_readable_values() {
        let p: Points = [(at(120), 3.0), (at(0), 42.17), (at(60), 0.5)]
            .into_iter()
            .collect();
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [(at(0), 42.17), (at(60), 0.5), (at(120), 3.0)]
        );
        assert_eq!(p.last(), Some((at(120), 3.0)));
        assert_eq!(
            p.values().collect::<Vec<_>>(),
            [f64::from(42.17f32), 0.5, 3.0],
            "for drawing: the f32 as stored"
        );
        let json = serde_json::to_string(&p).expect("serializes");
        assert!(json.contains("42.17,") || json.contains("42.17]"), "{json}");
        let back: Points = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, p);
    }

    #[test]
    fn a_missing_minute_is_no_point_and_off_grid_points_keep_their_times() {
        // CloudWatch's grid with a gap: 4 points, not 5.
        let gappy: Points = [(at(0), 1.0), (at(60), 2.0), (at(180), 4.0), (at(240), 5.0)]
            .into_iter()
            .collect();
        assert_eq!(gappy.len(), 4);
        assert_eq!(
            gappy.iter().map(|(t, _)| t).collect::<Vec<_>>(),
            [at(0), at(60), at(180), at(240)]
        );
        // Times on no useful grid (a gcd of 1 s over an hour) and a repeated time are kept as given.
        let odd: Points = [(at(3600), 9.0), (at(0), 1.0), (at(7), 2.0), (at(7), 3.0)]
            .into_iter()
            .collect();
        assert_eq!(
            odd.iter().collect::<Vec<_>>(),
            [(at(0), 1.0), (at(7), 2.0), (at(7), 3.0), (at(3600), 9.0)]
        );
        assert_eq!(odd.last(), Some((at(3600), 9.0)));
        let back: Points = serde_json::from_str(&serde_json::to_string(&odd).expect("serializes"))
            .expect("parses");
        assert_eq!(back, odd);
    }

    #[test]
    fn an_empty_series_has_no_latest_value() {
        let p = Points::default();
        assert!(p.is_empty());
        assert_eq!(p.last(), None);
    }
}
