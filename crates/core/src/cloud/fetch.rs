//! One inventory refresh: every region concurrently, every list of a region concurrently, then one
//! DescribeTargetHealth per target group and batched metrics. A failing region (or list) is recorded
//! in `RegionStatus::error` and never fails the others.

use super::{CloudError, CloudRead, MetricQuery};
use crate::domain::*;
use futures::{StreamExt, stream};
use std::sync::Arc;
use std::time::Duration;

/// What a refresh includes beyond the resource lists.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Fetch CPU/status and per-AZ host-count series (one batched GetMetricData per ≤500 series).
    pub metrics: bool,
    pub metrics_window: Duration,
    pub alarms: bool,
    /// How many DescribeTargetHealth calls run at once.
    pub target_health_concurrency: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            metrics: true,
            metrics_window: Duration::from_secs(30 * 60),
            alarms: true,
            target_health_concurrency: 8,
        }
    }
}

/// Fetches every region and merges them (the identity is asked of the first region).
pub async fn fetch_inventory(regions: &[Arc<dyn CloudRead>], opts: &FetchOptions) -> Inventory {
    let started = std::time::Instant::now();
    let per_region =
        futures::future::join_all(regions.iter().map(|r| fetch_region(r.as_ref(), opts))).await;
    let mut inv = Inventory::default();
    for region_inv in per_region {
        inv.merge(region_inv);
    }
    if let Some(first) = regions.first() {
        inv.identity = first.identity().await.ok();
    }
    inv.fill_derived();
    let inv = inv.compacted();
    tracing::debug!(
        regions = regions.len(),
        resources = inv.resource_count(),
        failed = inv.regions.iter().filter(|r| r.error.is_some()).count(),
        ms = started.elapsed().as_millis() as u64,
        "inventory fetched"
    );
    inv
}

/// Fetches one region. Errors are collected into the region's status; what could be read is kept.
pub async fn fetch_region(cloud: &dyn CloudRead, opts: &FetchOptions) -> Inventory {
    let region = cloud.region().to_string();
    // (plain words, the inventory's key, the error) of every call that failed.
    let mut errors: Vec<(&'static str, &'static str, CloudError)> = Vec::new();
    let mut keep = |what: &'static str, key: &'static str, e: CloudError| {
        tracing::warn!(region = %region, what, error = %e, "list failed");
        errors.push((what, key, e));
    };

    let (
        azs,
        subnets,
        instances,
        volumes,
        volume_events,
        snapshots,
        images,
        eips,
        enis,
        lbs,
        tgs,
        groups,
        alarms,
    ) = tokio::join!(
        cloud.availability_zones(),
        cloud.subnets(),
        cloud.instances(),
        cloud.volumes(),
        cloud.volume_events(),
        cloud.snapshots(),
        cloud.images(),
        cloud.elastic_ips(),
        cloud.network_interfaces(),
        cloud.load_balancers(),
        cloud.target_groups(),
        cloud.auto_scaling_groups(),
        async {
            if opts.alarms {
                cloud.alarms().await
            } else {
                Ok(Vec::new())
            }
        },
    );

    let mut inv = Inventory::default();
    macro_rules! take {
        ($field:ident, $res:expr, $what:literal) => {
            match $res {
                Ok(v) => inv.$field = v,
                Err(e) => keep($what, stringify!($field), e),
            }
        };
    }
    take!(availability_zones, azs, "availability zones");
    take!(subnets, subnets, "subnets");
    take!(instances, instances, "instances");
    take!(volumes, volumes, "volumes");
    take!(volume_events, volume_events, "volume events");
    take!(snapshots, snapshots, "snapshots");
    take!(images, images, "images");
    take!(elastic_ips, eips, "elastic IPs");
    take!(network_interfaces, enis, "network interfaces");
    take!(load_balancers, lbs, "load balancers");
    take!(target_groups, tgs, "target groups");
    take!(auto_scaling_groups, groups, "auto scaling groups");
    take!(alarms, alarms, "alarms");

    let arns: Vec<String> = inv
        .target_groups
        .iter()
        .map(|t| t.arn.clone())
        .map(Into::into)
        .collect();
    let healths: Vec<_> = stream::iter(arns.iter())
        .map(|arn| async move { (arn, cloud.target_health(arn).await) })
        .buffer_unordered(opts.target_health_concurrency.max(1))
        .collect()
        .await;
    for (arn, res) in healths {
        match res {
            Ok(mut t) => inv.target_health.append(&mut t),
            Err(e) => keep(
                "target health",
                "target_health",
                CloudError {
                    message: format!("{arn}: {}", e.message),
                    ..e
                },
            ),
        }
    }
    // buffer_unordered returns in completion order; keep the output stable.
    inv.target_health.sort_by(|a, b| {
        (&a.target_group_arn, &a.target_id).cmp(&(&b.target_group_arn, &b.target_id))
    });

    if opts.metrics {
        let queries = standard_metric_queries(&inv);
        if !queries.is_empty() {
            match cloud.metrics(&queries, opts.metrics_window).await {
                Ok(m) => inv.metrics = m,
                Err(e) => keep("metrics", "metrics", e),
            }
        }
    }

    inv.regions.push(RegionStatus {
        region: cloud.region().to_string(),
        fetched_at: Some(cloud.now()),
        error: summarize(&errors),
        unread: unread(&errors),
    });
    inv
}

/// Every kind that could not be read, once each, in the order the calls were made.
fn unread(errors: &[(&str, &str, CloudError)]) -> Vec<UnreadKind> {
    let mut kinds: Vec<UnreadKind> = Vec::new();
    for (_, key, e) in errors {
        match kinds.iter_mut().find(|k| k.kind == *key) {
            Some(k) => k.failed_calls += 1,
            None => kinds.push(UnreadKind {
                kind: key.to_string(),
                call: e.call.clone(),
                code: e.code.clone(),
                http_status: e.http_status,
                error: e.to_string(),
                failed_calls: 1,
            }),
        }
    }
    kinds
}

/// One line for a region's failures. When every failed call failed the same way (no credentials,
/// endpoint down, access denied), say it once instead of once per list.
fn summarize(errors: &[(&str, &str, CloudError)]) -> Option<String> {
    let (_, _, first) = errors.first()?;
    let same = errors
        .iter()
        .all(|(_, _, e)| e.kind == first.kind && e.code == first.code);
    if same && errors.len() > 1 {
        Some(format!("{first} ({} calls failed)", errors.len()))
    } else {
        Some(
            errors
                .iter()
                .map(|(what, _, e)| format!("{what}: {e}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

/// The series the console shows inline: CPU and failed status checks per live instance, healthy and
/// unhealthy host counts per target group and AZ (only for groups behind a load balancer: CloudWatch
/// keys them by both).
pub fn standard_metric_queries(inv: &Inventory) -> Vec<MetricQuery> {
    let mut q = Vec::new();
    for i in inv
        .instances
        .iter()
        .filter(|i| i.state == InstanceState::Running)
    {
        for (metric, stat) in [
            ("CPUUtilization", "Average"),
            ("StatusCheckFailed", "Maximum"),
        ] {
            q.push(MetricQuery {
                subject: MetricSubject::Instance {
                    instance_id: i.id.clone(),
                },
                namespace: "AWS/EC2".into(),
                metric: metric.into(),
                stat: stat.into(),
                dimensions: vec![("InstanceId".into(), i.id.to_string())],
            });
        }
    }
    for tg in &inv.target_groups {
        let Some(lb_arn) = tg.load_balancer_arns.first() else {
            continue;
        };
        let Some(lb) = inv.load_balancers.iter().find(|l| l.arn == lb_arn) else {
            continue;
        };
        let (Some(tg_dim), Some(lb_dim)) = (
            arn_dimension(&tg.arn, "targetgroup/"),
            lb_arn_dimension(&lb.arn),
        ) else {
            continue;
        };
        let namespace = if lb.lb_type == "network" {
            "AWS/NetworkELB"
        } else {
            "AWS/ApplicationELB"
        };
        for zone in &lb.zones {
            for metric in ["HealthyHostCount", "UnHealthyHostCount"] {
                q.push(MetricQuery {
                    subject: MetricSubject::TargetGroup {
                        target_group_arn: tg.arn.clone(),
                        load_balancer_arn: lb.arn.clone(),
                        az: Some(zone.az.clone()),
                    },
                    namespace: namespace.into(),
                    metric: metric.into(),
                    stat: "Minimum".into(),
                    dimensions: vec![
                        ("TargetGroup".into(), tg_dim.clone()),
                        ("LoadBalancer".into(), lb_dim.clone()),
                        ("AvailabilityZone".into(), zone.az.to_string()),
                    ],
                });
            }
        }
    }
    q
}

/// `arn:...:targetgroup/name/id` → `targetgroup/name/id` (CloudWatch's dimension value).
fn arn_dimension(arn: &str, marker: &str) -> Option<String> {
    arn.find(marker).map(|i| arn[i..].to_string())
}

/// `arn:...:loadbalancer/app/name/id` → `app/name/id`.
fn lb_arn_dimension(arn: &str) -> Option<String> {
    arn.find("loadbalancer/")
        .map(|i| arn[i + "loadbalancer/".len()..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_are_cut_from_arns() {
        let tg = "arn:aws:elasticloadbalancing:us-east-1:123:targetgroup/web/abc123";
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/shop/def456";
        assert_eq!(
            arn_dimension(tg, "targetgroup/").as_deref(),
            Some("targetgroup/web/abc123")
        );
        assert_eq!(lb_arn_dimension(lb).as_deref(), Some("app/shop/def456"));
        assert_eq!(lb_arn_dimension("nonsense"), None);
    }

    #[test]
    fn every_unread_kind_is_named_once_with_its_call_and_code() {
        let denied = |call: &str| {
            CloudError::new(
                super::super::ErrorKind::Unauthorized,
                "UnauthorizedOperation",
                "You are not authorized",
            )
            .with_call(call)
            .with_http_status(403)
        };
        let errors = [
            (
                "volume events",
                "volume_events",
                denied("ec2:DescribeVolumeStatus"),
            ),
            (
                "target health",
                "target_health",
                denied("elasticloadbalancing:DescribeTargetHealth"),
            ),
            (
                "target health",
                "target_health",
                denied("elasticloadbalancing:DescribeTargetHealth"),
            ),
            ("metrics", "metrics", denied("cloudwatch:GetMetricData")),
        ];
        let kinds = unread(&errors);
        let names: Vec<_> = kinds
            .iter()
            .map(|k| {
                (
                    k.kind.as_str(),
                    k.call.as_deref(),
                    k.code.as_str(),
                    k.http_status,
                    k.failed_calls,
                )
            })
            .collect();
        let code = "UnauthorizedOperation";
        assert_eq!(
            names,
            [
                (
                    "volume_events",
                    Some("ec2:DescribeVolumeStatus"),
                    code,
                    Some(403),
                    1
                ),
                (
                    "target_health",
                    Some("elasticloadbalancing:DescribeTargetHealth"),
                    code,
                    Some(403),
                    2
                ),
                (
                    "metrics",
                    Some("cloudwatch:GetMetricData"),
                    code,
                    Some(403),
                    1
                ),
            ]
        );
        assert!(
            kinds[0].error.contains("HTTP 403 UnauthorizedOperation"),
            "{}",
            kinds[0].error
        );
        // The one-line summary says it once: every call failed the same way.
        assert_eq!(
            summarize(&errors).map(|s| s.ends_with("(4 calls failed)")),
            Some(true)
        );
        assert!(unread(&[]).is_empty() && summarize(&[]).is_none());
    }
}
