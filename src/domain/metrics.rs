use super::Timestamp;
use serde::{Deserialize, Serialize};

/// What a metric series is about, so the console can place it next to its resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetricSubject {
    Instance {
        instance_id: String,
    },
    /// A target group, optionally narrowed to one AZ (HealthyHostCount is reported per AZ).
    TargetGroup {
        target_group_arn: String,
        load_balancer_arn: String,
        az: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub region: String,
    pub namespace: String,
    pub metric: String,
    pub stat: String,
    pub subject: MetricSubject,
    /// Oldest first.
    pub points: Vec<(Timestamp, f64)>,
}

impl MetricSeries {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|(_, v)| *v)
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
    pub region: String,
    pub name: String,
    pub arn: Option<String>,
    pub state: AlarmState,
    pub reason: Option<String>,
    pub namespace: Option<String>,
    pub metric: Option<String>,
    /// `(name, value)` dimension pairs; an `InstanceId` one ties the alarm to an instance.
    pub dimensions: Vec<(String, String)>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub updated: Option<Timestamp>,
}
