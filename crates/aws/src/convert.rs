//! SDK shapes → domain types. Pure functions, one per resource kind.

use aws_sdk_ec2::types as ec2;
use aws_sdk_elasticloadbalancingv2::types as elb;
use opsdeck_core::domain::*;

pub(crate) fn ts(t: Option<&aws_sdk_ec2::primitives::DateTime>) -> Option<Timestamp> {
    t.and_then(|d| chrono::DateTime::from_timestamp(d.secs(), d.subsec_nanos()))
}

pub(crate) fn to_smithy(t: Timestamp) -> aws_sdk_ec2::primitives::DateTime {
    aws_sdk_ec2::primitives::DateTime::from_millis(t.timestamp_millis())
}

fn s(o: Option<&str>) -> CompactString {
    o.unwrap_or_default().into()
}

fn o(v: Option<&str>) -> Option<CompactString> {
    v.filter(|x| !x.is_empty()).map(CompactString::from)
}

pub(crate) fn ec2_tags(tags: &[ec2::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
        .collect()
}

pub(crate) fn zone(region: &str, z: &ec2::AvailabilityZone) -> AvailabilityZone {
    AvailabilityZone {
        region: region.into(),
        name: s(z.zone_name()),
        zone_id: o(z.zone_id()),
        state: ZoneState::parse(z.state().map(|x| x.as_str()).unwrap_or("unknown")),
        messages: z
            .messages()
            .iter()
            .filter_map(|m| m.message().map(CompactString::from))
            .collect(),
    }
}

pub(crate) fn subnet(region: &str, x: &ec2::Subnet) -> Subnet {
    Subnet {
        region: region.into(),
        id: s(x.subnet_id()),
        vpc_id: s(x.vpc_id()),
        az: s(x.availability_zone()),
        cidr: s(x.cidr_block()),
        available_ips: x.available_ip_address_count().unwrap_or(0),
        default_for_az: x.default_for_az().unwrap_or(false),
        tags: ec2_tags(x.tags()),
    }
}

pub(crate) fn instance(region: &str, x: &ec2::Instance) -> Instance {
    let tags = ec2_tags(x.tags());
    Instance {
        region: region.into(),
        id: s(x.instance_id()),
        name: name_tag(&tags).map(CompactString::from),
        instance_type: x
            .instance_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default()
            .into(),
        state: InstanceState::parse(
            x.state()
                .and_then(|st| st.name())
                .map(|n| n.as_str())
                .unwrap_or("unknown"),
        ),
        az: s(x.placement().and_then(|p| p.availability_zone())),
        subnet_id: o(x.subnet_id()),
        vpc_id: o(x.vpc_id()),
        private_ip: o(x.private_ip_address()),
        public_ip: o(x.public_ip_address()),
        network_interface_ids: x
            .network_interfaces()
            .iter()
            .filter_map(|n| n.network_interface_id().map(CompactString::from))
            .collect(),
        security_group_ids: x
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(CompactString::from))
            .collect(),
        key_name: o(x.key_name()),
        iam_instance_profile_arn: o(x.iam_instance_profile().and_then(|p| p.arn())),
        image_id: o(x.image_id()),
        launch_time: ts(x.launch_time()),
        root_device_name: o(x.root_device_name()),
        block_devices: x
            .block_device_mappings()
            .iter()
            .filter_map(|b| {
                let ebs = b.ebs()?;
                Some(BlockDevice {
                    device_name: s(b.device_name()),
                    volume_id: s(ebs.volume_id()),
                    delete_on_termination: ebs.delete_on_termination().unwrap_or(false),
                    status: ebs
                        .status()
                        .map(|st| st.as_str().to_string())
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect(),
        status_checks: StatusChecks::not_applicable(),
        events: Vec::new(),
        tags,
    }
}

/// Status checks and events of one instance, from DescribeInstanceStatus.
pub(crate) fn instance_status(
    region: &str,
    x: &ec2::InstanceStatus,
) -> (String, StatusChecks, Vec<ScheduledEvent>) {
    let id = s(x.instance_id());
    let check = |sum: Option<&ec2::InstanceStatusSummary>| {
        CheckStatus::parse(
            sum.and_then(|s| s.status())
                .map(|st| st.as_str())
                .unwrap_or("not-applicable"),
        )
    };
    let impaired_since = x
        .system_status()
        .into_iter()
        .chain(x.instance_status())
        .flat_map(|sum| sum.details())
        .filter_map(|d| ts(d.impaired_since()))
        .min();
    let checks = StatusChecks {
        system: check(x.system_status()),
        instance: check(x.instance_status()),
        impaired_since,
    };
    let events = x
        .events()
        .iter()
        .map(|e| {
            let raw = e.code().map(|c| c.as_str().to_string()).unwrap_or_default();
            ScheduledEvent {
                region: region.into(),
                target: EventTarget::Instance,
                resource_id: id.clone(),
                event_id: o(e.instance_event_id()),
                code: EventCode::parse(&raw),
                raw_code: raw.into(),
                description: s(e.description()),
                not_before: ts(e.not_before()),
                not_after: ts(e.not_after()),
                not_before_deadline: ts(e.not_before_deadline()),
            }
        })
        .collect();
    (id.to_string(), checks, events)
}

pub(crate) fn volume(region: &str, x: &ec2::Volume) -> Volume {
    let tags = ec2_tags(x.tags());
    Volume {
        region: region.into(),
        id: s(x.volume_id()),
        name: name_tag(&tags).map(CompactString::from),
        az: s(x.availability_zone()),
        size_gib: x.size().unwrap_or(0),
        volume_type: x
            .volume_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default()
            .into(),
        iops: x.iops(),
        state: VolumeState::parse(x.state().map(|st| st.as_str()).unwrap_or("error")),
        attachments: x
            .attachments()
            .iter()
            .map(|a| VolumeAttachment {
                instance_id: s(a.instance_id()),
                device: s(a.device()),
                state: AttachmentState::parse(
                    a.state().map(|st| st.as_str()).unwrap_or("detached"),
                ),
                delete_on_termination: a.delete_on_termination().unwrap_or(false),
                attach_time: ts(a.attach_time()),
            })
            .collect(),
        snapshot_id: o(x.snapshot_id()),
        encrypted: x.encrypted().unwrap_or(false),
        create_time: ts(x.create_time()),
        tags,
    }
}

pub(crate) fn volume_events(region: &str, x: &ec2::VolumeStatusItem) -> Vec<ScheduledEvent> {
    let id = s(x.volume_id());
    x.events()
        .iter()
        .map(|e| {
            let raw = s(e.event_type());
            ScheduledEvent {
                region: region.into(),
                target: EventTarget::Volume,
                resource_id: id.clone(),
                event_id: o(e.event_id()),
                code: EventCode::parse(&raw),
                raw_code: raw,
                description: s(e.description()),
                not_before: ts(e.not_before()),
                not_after: ts(e.not_after()),
                not_before_deadline: None,
            }
        })
        .collect()
}

pub(crate) fn snapshot(region: &str, x: &ec2::Snapshot) -> Snapshot {
    let tags = ec2_tags(x.tags());
    Snapshot {
        region: region.into(),
        id: s(x.snapshot_id()),
        name: name_tag(&tags).map(CompactString::from),
        // EC2 reports `vol-ffffffff` for snapshots copied from elsewhere.
        volume_id: o(x.volume_id()).filter(|v| v != "vol-ffffffff"),
        volume_size_gib: x.volume_size().unwrap_or(0),
        state: SnapshotState::parse(x.state().map(|st| st.as_str()).unwrap_or("error")),
        progress: parse_progress(x.progress().unwrap_or("0%")),
        start_time: ts(x.start_time()),
        description: s(x.description()),
        tags,
    }
}

pub(crate) fn image(region: &str, x: &ec2::Image) -> Image {
    Image {
        region: region.into(),
        id: s(x.image_id()),
        name: s(x.name()),
        description: o(x.description()),
        state: ImageState::parse(x.state().map(|st| st.as_str()).unwrap_or("other")),
        creation_date: x
            .creation_date()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&chrono::Utc)),
        root_device_name: o(x.root_device_name()),
        snapshot_ids: x
            .block_device_mappings()
            .iter()
            .filter_map(|b| {
                b.ebs()
                    .and_then(|e| e.snapshot_id())
                    .map(CompactString::from)
            })
            .collect(),
        tags: ec2_tags(x.tags()),
    }
}

pub(crate) fn address(region: &str, x: &ec2::Address) -> ElasticIp {
    ElasticIp {
        region: region.into(),
        allocation_id: s(x.allocation_id()),
        public_ip: s(x.public_ip()),
        association_id: o(x.association_id()),
        instance_id: o(x.instance_id()),
        network_interface_id: o(x.network_interface_id()),
        private_ip: o(x.private_ip_address()),
        tags: ec2_tags(x.tags()),
    }
}

pub(crate) fn eni(region: &str, x: &ec2::NetworkInterface) -> NetworkInterface {
    NetworkInterface {
        region: region.into(),
        id: s(x.network_interface_id()),
        az: s(x.availability_zone()),
        subnet_id: s(x.subnet_id()),
        vpc_id: s(x.vpc_id()),
        status: x
            .status()
            .map(|st| st.as_str().to_string())
            .unwrap_or_default()
            .into(),
        description: s(x.description()),
        private_ips: x
            .private_ip_addresses()
            .iter()
            .map(|p| PrivateIp {
                address: s(p.private_ip_address()),
                primary: p.primary().unwrap_or(false),
                public_ip: o(p.association().and_then(|a| a.public_ip())),
            })
            .collect(),
        attachment: x.attachment().map(|a| EniAttachment {
            attachment_id: s(a.attachment_id()),
            instance_id: o(a.instance_id()),
            device_index: a.device_index().unwrap_or(0),
            status: a
                .status()
                .map(|st| st.as_str().to_string())
                .unwrap_or_default()
                .into(),
            delete_on_termination: a.delete_on_termination().unwrap_or(false),
        }),
        security_groups: x
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(CompactString::from))
            .collect(),
        tags: ec2_tags(x.tag_set()),
    }
}

pub(crate) fn load_balancer(region: &str, x: &elb::LoadBalancer) -> LoadBalancer {
    LoadBalancer {
        region: region.into(),
        arn: s(x.load_balancer_arn()),
        name: s(x.load_balancer_name()),
        lb_type: x
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default()
            .into(),
        scheme: x
            .scheme()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default()
            .into(),
        state: x
            .state()
            .and_then(|st| st.code())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
            .into(),
        dns_name: s(x.dns_name()),
        vpc_id: o(x.vpc_id()),
        zones: x
            .availability_zones()
            .iter()
            .map(|z| LbZone {
                az: s(z.zone_name()),
                subnet_id: o(z.subnet_id()),
            })
            .collect(),
        created_time: ts(x.created_time()),
    }
}

pub(crate) fn target_group(region: &str, x: &elb::TargetGroup) -> TargetGroup {
    let d = HealthCheck::default();
    TargetGroup {
        region: region.into(),
        arn: s(x.target_group_arn()),
        name: s(x.target_group_name()),
        protocol: x.protocol().map(|p| p.as_str().into()),
        port: x.port(),
        target_type: x
            .target_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "instance".into())
            .into(),
        vpc_id: o(x.vpc_id()),
        load_balancer_arns: x.load_balancer_arns().iter().map(Into::into).collect(),
        health_check: HealthCheck {
            protocol: x.health_check_protocol().map(|p| p.as_str().into()),
            port: o(x.health_check_port()),
            path: o(x.health_check_path()),
            interval_seconds: x
                .health_check_interval_seconds()
                .unwrap_or(d.interval_seconds),
            timeout_seconds: x
                .health_check_timeout_seconds()
                .unwrap_or(d.timeout_seconds),
            healthy_threshold: x.healthy_threshold_count().unwrap_or(d.healthy_threshold),
            unhealthy_threshold: x
                .unhealthy_threshold_count()
                .unwrap_or(d.unhealthy_threshold),
            matcher: x
                .matcher()
                .and_then(|m| m.http_code())
                .map(CompactString::from),
        },
        deregistration_delay_seconds: None,
    }
}

pub(crate) fn target_health(
    region: &str,
    tg_arn: &str,
    x: &elb::TargetHealthDescription,
) -> TargetHealth {
    let target = x.target();
    let health = x.target_health();
    TargetHealth {
        region: region.into(),
        target_group_arn: tg_arn.into(),
        target_id: s(target.and_then(|t| t.id())),
        port: target.and_then(|t| t.port()),
        // ELB reports `all` for targets outside the VPC; that is not an AZ.
        az: o(target.and_then(|t| t.availability_zone())).filter(|z| z != "all"),
        state: TargetState::parse(
            health
                .and_then(|h| h.state())
                .map(|st| st.as_str())
                .unwrap_or("unavailable"),
        ),
        reason: health.and_then(|h| h.reason()).map(|r| r.as_str().into()),
        description: o(health.and_then(|h| h.description())),
    }
}

pub(crate) fn listener(region: &str, x: &elb::Listener) -> Listener {
    let mut tgs: Vec<String> = Vec::new();
    for a in x.default_actions() {
        if let Some(t) = a.target_group_arn() {
            tgs.push(t.to_string());
        }
        if let Some(fc) = a.forward_config() {
            tgs.extend(
                fc.target_groups()
                    .iter()
                    .filter_map(|t| t.target_group_arn().map(str::to_string)),
            );
        }
    }
    tgs.sort();
    tgs.dedup();
    Listener {
        region: region.into(),
        arn: s(x.listener_arn()),
        load_balancer_arn: s(x.load_balancer_arn()),
        protocol: x.protocol().map(|p| p.as_str().into()),
        port: x.port(),
        target_group_arns: tgs.into_iter().map(Into::into).collect(),
    }
}

pub(crate) fn alarm(region: &str, x: &aws_sdk_cloudwatch::types::MetricAlarm) -> Alarm {
    Alarm {
        region: region.into(),
        name: s(x.alarm_name()),
        arn: o(x.alarm_arn()),
        state: AlarmState::parse(
            x.state_value()
                .map(|v| v.as_str())
                .unwrap_or("INSUFFICIENT_DATA"),
        ),
        reason: o(x.state_reason()),
        namespace: o(x.namespace()),
        metric: o(x.metric_name()),
        dimensions: x
            .dimensions()
            .iter()
            .map(|d| (s(d.name()).into(), s(d.value()).into()))
            .collect(),
        threshold: x.threshold(),
        comparison: x.comparison_operator().map(|c| c.as_str().into()),
        updated: ts(x.state_updated_timestamp()),
    }
}
