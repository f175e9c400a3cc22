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

/// A series' datapoints, oldest first, 8 bytes each: seconds from the first point and an `f32`.
///
/// `(Timestamp, f64)` pairs take 24 bytes; a large fleet's inventory holds over a million points
/// (CPU and status checks per instance, host counts per target group and AZ, each minute of the
/// metrics window), so this is a third of that. An `f32` keeps ~7 significant digits: more than a
/// sparkline or a host count needs. Serialized as `[[time, value], ...]`, as the pairs were.
#[derive(Debug, Clone, Default)]
pub struct Points {
    /// Unix seconds of the first point.
    base: i64,
    data: Vec<(i32, f32)>,
}

impl Points {
    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Appends a point. Points are kept oldest first: one older than the last is placed in order.
    pub fn push(&mut self, at: Timestamp, value: f64) {
        if self.data.is_empty() {
            self.base = at.timestamp();
        }
        // A metrics window spans hours; an offset outside ±68 years cannot come from AWS.
        let offset = (at.timestamp() - self.base).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        let at = self.data.partition_point(|(o, _)| *o <= offset);
        self.data.insert(at, (offset, value as f32));
    }

    fn point(&self, (offset, v): (i32, f32)) -> (Timestamp, f64) {
        let at = chrono::DateTime::from_timestamp(self.base + offset as i64, 0).unwrap_or_default();
        // Through the shortest decimal that round-trips the f32, so 42.17 reads back as 42.17
        // rather than 42.16999816894531.
        let value = v.to_string().parse::<f64>().unwrap_or(v as f64);
        (at, value)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Timestamp, f64)> + ExactSizeIterator {
        self.data.iter().map(|p| self.point(*p))
    }

    /// The values alone, oldest first (what a sparkline draws).
    pub fn values(&self) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }

    pub fn last(&self) -> Option<(Timestamp, f64)> {
        self.data.last().map(|p| self.point(*p))
    }
}

/// The same points, whichever point the offsets count from.
impl PartialEq for Points {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl FromIterator<(Timestamp, f64)> for Points {
    fn from_iter<I: IntoIterator<Item = (Timestamp, f64)>>(iter: I) -> Self {
        let mut p = Points::default();
        for (at, v) in iter {
            p.push(at, v);
        }
        p.data.shrink_to_fit();
        p
    }
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
        assert_eq!(p.values().collect::<Vec<_>>(), [42.17, 0.5, 3.0]);
        let json = serde_json::to_string(&p).expect("serializes");
        assert!(json.contains("42.17,") || json.contains("42.17]"), "{json}");
        let back: Points = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, p);
    }

    #[test]
    fn an_empty_series_has_no_latest_value() {
        let p = Points::default();
        assert!(p.is_empty());
        assert_eq!(p.last(), None);
    }
}
