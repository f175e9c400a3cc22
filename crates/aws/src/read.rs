use super::AwsRegion;
use super::convert;
use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use opsdeck_core::cloud::{CloudError, CloudRead, CloudResult, MetricQuery};
use opsdeck_core::domain::*;
use std::collections::HashMap;
use std::time::Duration;

/// CloudWatch accepts at most 500 queries in one GetMetricData call.
const METRIC_QUERIES_PER_CALL: usize = 500;

pub struct AwsRead {
    r: AwsRegion,
    /// Who we are changes only when credentials do: asked at most every few minutes, not per refresh.
    identity: tokio::sync::Mutex<Option<(Identity, tokio::time::Instant)>>,
}

const IDENTITY_TTL: Duration = Duration::from_secs(300);

impl AwsRead {
    pub fn new(r: AwsRegion) -> Self {
        AwsRead {
            r,
            identity: tokio::sync::Mutex::new(None),
        }
    }

    async fn fetch_identity(&self) -> CloudResult<Identity> {
        let out = self
            .r
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        // Expiry comes from the credentials themselves (SSO, assume-role); static keys have none.
        let expires_at = match self.r.config.credentials_provider() {
            Some(p) => p
                .provide_credentials()
                .await
                .ok()
                .and_then(|c| c.expiry())
                .map(chrono::DateTime::<chrono::Utc>::from),
            None => None,
        };
        Ok(Identity {
            account: out.account().unwrap_or_default().into(),
            arn: out.arn().unwrap_or_default().into(),
            user_id: out.user_id().unwrap_or_default().into(),
            expires_at,
        })
    }
}

#[async_trait]
impl CloudRead for AwsRead {
    fn region(&self) -> &str {
        &self.r.region
    }

    async fn identity(&self) -> CloudResult<Identity> {
        let mut cached = self.identity.lock().await;
        if let Some((id, at)) = cached.as_ref()
            && at.elapsed() < IDENTITY_TTL
        {
            return Ok(id.clone());
        }
        let id = self.fetch_identity().await?;
        *cached = Some((id.clone(), tokio::time::Instant::now()));
        Ok(id)
    }

    async fn availability_zones(&self) -> CloudResult<Vec<AvailabilityZone>> {
        let out = self
            .r
            .ec2
            .describe_availability_zones()
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(out
            .availability_zones()
            .iter()
            .map(|z| convert::zone(&self.r.region, z))
            .collect())
    }

    async fn subnets(&self) -> CloudResult<Vec<Subnet>> {
        let pages = self
            .r
            .ec2
            .describe_subnets()
            .max_results(self.r.page(5, 1000))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.subnets())
            .map(|x| convert::subnet(&self.r.region, x))
            .collect())
    }

    async fn instances(&self) -> CloudResult<Vec<Instance>> {
        let region = &self.r.region;
        let (reservations, statuses) = tokio::join!(
            self.r
                .ec2
                .describe_instances()
                .max_results(self.r.page(5, 1000))
                .into_paginator()
                .send()
                .try_collect(),
            self.r
                .ec2
                .describe_instance_status()
                .include_all_instances(true)
                .max_results(self.r.page(5, 1000))
                .into_paginator()
                .send()
                .try_collect(),
        );
        let reservations = reservations.map_err(|e| self.r.sdk_error(e))?;
        let statuses = statuses.map_err(|e| self.r.sdk_error(e))?;
        let mut by_id: HashMap<String, (StatusChecks, Vec<ScheduledEvent>)> = statuses
            .iter()
            .flat_map(|p| p.instance_statuses())
            .map(|st| {
                let (id, checks, events) = convert::instance_status(region, st);
                (id, (checks, events))
            })
            .collect();
        let mut out: Vec<Instance> = reservations
            .iter()
            .flat_map(|p| p.reservations())
            .flat_map(|r| r.instances())
            .map(|x| convert::instance(region, x))
            .collect();
        for i in &mut out {
            if let Some((checks, events)) = by_id.remove(i.id.as_str()) {
                i.status_checks = checks;
                i.events = events;
            }
        }
        Ok(out)
    }

    async fn volumes(&self) -> CloudResult<Vec<Volume>> {
        let pages = self
            .r
            .ec2
            .describe_volumes()
            .max_results(self.r.page(5, 500))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.volumes())
            .map(|x| convert::volume(&self.r.region, x))
            .collect())
    }

    async fn volume_events(&self) -> CloudResult<Vec<ScheduledEvent>> {
        let pages = self
            .r
            .ec2
            .describe_volume_status()
            .max_results(self.r.page(5, 1000))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.volume_statuses())
            .flat_map(|x| convert::volume_events(&self.r.region, x))
            .collect())
    }

    async fn snapshots(&self) -> CloudResult<Vec<Snapshot>> {
        let pages = self
            .r
            .ec2
            .describe_snapshots()
            .owner_ids("self")
            .max_results(self.r.page(5, 1000))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.snapshots())
            .map(|x| convert::snapshot(&self.r.region, x))
            .collect())
    }

    async fn images(&self) -> CloudResult<Vec<Image>> {
        let pages = self
            .r
            .ec2
            .describe_images()
            .owners("self")
            .max_results(self.r.page(5, 1000))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.images())
            .map(|x| convert::image(&self.r.region, x))
            .collect())
    }

    async fn elastic_ips(&self) -> CloudResult<Vec<ElasticIp>> {
        // DescribeAddresses is not paginated: it always returns every address.
        let out = self
            .r
            .ec2
            .describe_addresses()
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(out
            .addresses()
            .iter()
            .map(|x| convert::address(&self.r.region, x))
            .collect())
    }

    async fn network_interfaces(&self) -> CloudResult<Vec<NetworkInterface>> {
        let pages = self
            .r
            .ec2
            .describe_network_interfaces()
            .max_results(self.r.page(5, 1000))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.network_interfaces())
            .map(|x| convert::eni(&self.r.region, x))
            .collect())
    }

    async fn load_balancers(&self) -> CloudResult<Vec<LoadBalancer>> {
        let pages = self
            .r
            .elb
            .describe_load_balancers()
            .page_size(self.r.page(1, 400))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.load_balancers())
            .map(|x| convert::load_balancer(&self.r.region, x))
            .collect())
    }

    async fn target_groups(&self) -> CloudResult<Vec<TargetGroup>> {
        let pages = self
            .r
            .elb
            .describe_target_groups()
            .page_size(self.r.page(1, 400))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.target_groups())
            .map(|x| convert::target_group(&self.r.region, x))
            .collect())
    }

    async fn target_health(&self, target_group_arn: &str) -> CloudResult<Vec<TargetHealth>> {
        let out = self
            .r
            .elb
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|x| convert::target_health(&self.r.region, target_group_arn, x))
            .collect())
    }

    async fn target_group_details(&self, target_group_arn: &str) -> CloudResult<TargetGroup> {
        let (groups, attrs) = tokio::join!(
            self.r
                .elb
                .describe_target_groups()
                .target_group_arns(target_group_arn)
                .send(),
            self.r
                .elb
                .describe_target_group_attributes()
                .target_group_arn(target_group_arn)
                .send(),
        );
        let groups = groups.map_err(|e| self.r.sdk_error(e))?;
        let attrs = attrs.map_err(|e| self.r.sdk_error(e))?;
        let mut tg = groups
            .target_groups()
            .first()
            .map(|x| convert::target_group(&self.r.region, x))
            .ok_or_else(|| CloudError::not_found("TargetGroupNotFound", target_group_arn))?;
        tg.deregistration_delay_seconds = attrs
            .attributes()
            .iter()
            .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
            .and_then(|a| a.value())
            .and_then(|v| v.parse().ok())
            .or(Some(300));
        Ok(tg)
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CloudResult<Vec<Listener>> {
        let pages = self
            .r
            .elb
            .describe_listeners()
            .load_balancer_arn(load_balancer_arn)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.listeners())
            .map(|x| convert::listener(&self.r.region, x))
            .collect())
    }

    async fn instance_user_data(&self, instance_id: &str) -> CloudResult<Option<String>> {
        let out = self
            .r
            .ec2
            .describe_instance_attribute()
            .instance_id(instance_id)
            .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(out
            .user_data()
            .and_then(|u| u.value())
            .filter(|v| !v.is_empty())
            .map(str::to_string))
    }

    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: Duration,
    ) -> CloudResult<Vec<MetricSeries>> {
        let end = chrono::Utc::now();
        let start =
            end - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(30));
        let mut out = Vec::with_capacity(queries.len());
        for (batch_no, batch) in queries.chunks(METRIC_QUERIES_PER_CALL).enumerate() {
            let mut req = self
                .r
                .cw
                .get_metric_data()
                .start_time(convert::to_smithy(start))
                .end_time(convert::to_smithy(end));
            for (i, q) in batch.iter().enumerate() {
                let mut metric = Metric::builder()
                    .namespace(&q.namespace)
                    .metric_name(&q.metric);
                for (name, value) in &q.dimensions {
                    metric =
                        metric.dimensions(Dimension::builder().name(name).value(value).build());
                }
                let stat = MetricStat::builder()
                    .metric(metric.build())
                    .period(60)
                    .stat(&q.stat)
                    .build();
                req = req.metric_data_queries(
                    MetricDataQuery::builder()
                        .id(format!("q{batch_no}_{i}"))
                        .metric_stat(stat)
                        .return_data(true)
                        .build(),
                );
            }
            let pages = req
                .into_paginator()
                .send()
                .try_collect()
                .await
                .map_err(|e| self.r.sdk_error(e))?;
            // A series may be split over several pages; gather points by query id.
            let mut points: HashMap<String, Vec<(Timestamp, f64)>> = HashMap::new();
            for r in pages.iter().flat_map(|p| p.metric_data_results()) {
                let entry = points
                    .entry(r.id().unwrap_or_default().to_string())
                    .or_default();
                for (t, v) in r.timestamps().iter().zip(r.values()) {
                    if let Some(t) = convert::ts(Some(t)) {
                        entry.push((t, *v));
                    }
                }
            }
            for (i, q) in batch.iter().enumerate() {
                let mut p = points
                    .remove(&format!("q{batch_no}_{i}"))
                    .unwrap_or_default();
                p.sort_by_key(|x| x.0);
                out.push(MetricSeries {
                    region: self.r.region.as_str().into(),
                    namespace: q.namespace.as_str().into(),
                    metric: q.metric.as_str().into(),
                    stat: q.stat.as_str().into(),
                    subject: q.subject.clone(),
                    points: p.into_iter().collect(),
                });
            }
        }
        Ok(out)
    }

    async fn auto_scaling_groups(&self) -> CloudResult<Vec<AutoScalingGroup>> {
        self.r.auto_scaling_groups(None).await
    }

    async fn auto_scaling_group(&self, name: &str) -> CloudResult<Option<AutoScalingGroup>> {
        Ok(self
            .r
            .auto_scaling_groups(Some(name))
            .await?
            .into_iter()
            .next())
    }

    async fn alarms(&self) -> CloudResult<Vec<Alarm>> {
        let pages = self
            .r
            .cw
            .describe_alarms()
            .max_records(self.r.page(1, 100))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.metric_alarms())
            .map(|x| convert::alarm(&self.r.region, x))
            .collect())
    }
}
