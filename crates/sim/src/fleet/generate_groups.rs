//! The generated fleet's Auto Scaling groups: each service behind a target group is a group of its
//! running instances, over the subnets they are in (so a single-AZ service is a single-AZ group).

use super::spec::FleetSpec;
use crate::error::SimError;
use crate::groups::{GroupRec, MemberRec};
use crate::instances::{NewInstance, cpu_for_role};
use crate::world::World;
use opsdeck_core::domain::*;

pub(super) struct ServiceGroup {
    name: String,
    target_group: String,
    /// (instance, subnet, launched)
    members: Vec<(String, String, Timestamp)>,
}

impl ServiceGroup {
    pub(super) fn new(name: &str, target_group: &str) -> Self {
        ServiceGroup {
            name: name.to_string(),
            target_group: target_group.to_string(),
            members: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, id: &str, subnet: &str, launched: Timestamp) {
        self.members
            .push((id.to_string(), subnet.to_string(), launched));
    }

    pub(super) fn build(
        self,
        w: &mut World,
        fleet: &FleetSpec,
        region: &str,
        image: &str,
    ) -> Result<(), SimError> {
        let r = w
            .region_mut(region)
            .map_err(|e| SimError(format!("{region}: {e}")))?;
        let mut subnets: Vec<String> = self.members.iter().map(|(_, s, _)| s.clone()).collect();
        subnets.sort();
        subnets.dedup();
        let members = self
            .members
            .iter()
            .map(|(id, _, launched)| {
                let az = r
                    .instances
                    .get(id)
                    .map(|i| i.inst.az.to_string())
                    .unwrap_or_default();
                (
                    id.clone(),
                    MemberRec {
                        state: LifecycleState::InService,
                        healthy: true,
                        az,
                        launched: *launched,
                        wait_until: None,
                        version: 1,
                    },
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>();
        let size = members.len() as i32;
        let role = self
            .members
            .first()
            .and_then(|(id, _, _)| r.instances.get(id))
            .and_then(|i| i.inst.tags.get("role").map(str::to_string));
        let mut tags = fleet.tags.clone();
        tags.insert("Name", self.name.clone());
        tags.insert("service", self.name.clone());
        if let Some(role) = &role {
            tags.insert("role", role.clone());
        }
        let template = NewInstance {
            instance_type: "t3.small".into(),
            subnet_id: subnets.first().cloned().unwrap_or_default(),
            image_id: image.to_string(),
            security_group_ids: vec![],
            key_name: Some("ops".into()),
            iam_instance_profile_arn: None,
            user_data: None,
            tags: tags.clone(),
            volume_tags: tags.clone(),
            private_ip: None,
            auto_public_ip: false,
            cpu_base: cpu_for_role(role.as_deref()),
            root_size_gib: None,
        };
        r.groups.insert(
            self.name.clone(),
            GroupRec {
                arn: format!(
                    "arn:aws:autoscaling:{region}:{}:autoScalingGroup:generated:autoScalingGroupName/{}",
                    fleet.account, self.name
                ),
                name: self.name.clone(),
                min: (size / 2).max(1),
                max: size + 2,
                desired: size,
                subnets,
                target_groups: vec![self.target_group],
                health_check_type: "ELB".into(),
                grace_secs: 300,
                suspended: Default::default(),
                min_healthy_percent: None,
                max_healthy_percent: None,
                capacity_rebalance: false,
                hooks: vec![],
                refresh: None,
                template,
                template_id: format!("lt-{}", self.name),
                version: 1,
                members,
                tags,
                check_at: None,
            },
        );
        Ok(())
    }
}
