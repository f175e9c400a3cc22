//! The AWS adapter's network write calls (Elastic IPs, interfaces, private IPs), apart from
//! `write.rs` so neither file carries every call.

use super::write::{AwsWrite, done, rid};
use opsdeck_core::cloud::*;

impl AwsWrite {
    pub(super) async fn associate_address(
        &self,
        allocation_id: &str,
        target: &AddressTarget,
        allow_reassociation: bool,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let mut req = self
            .r
            .ec2
            .associate_address()
            .allocation_id(allocation_id)
            .allow_reassociation(allow_reassociation)
            .dry_run(dry_run);
        req = match target {
            AddressTarget::Instance(id) => req.instance_id(id),
            AddressTarget::NetworkInterface { eni_id, private_ip } => req
                .network_interface_id(eni_id)
                .set_private_ip_address(private_ip.clone()),
        };
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.association_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    pub(super) async fn disassociate_address(
        &self,
        association_id: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .disassociate_address()
            .association_id(association_id)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn attach_network_interface(
        &self,
        eni_id: &str,
        instance_id: &str,
        device_index: i32,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let out = self
            .r
            .ec2
            .attach_network_interface()
            .network_interface_id(eni_id)
            .instance_id(instance_id)
            .device_index(device_index)
            .dry_run(dry_run)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.attachment_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    pub(super) async fn detach_network_interface(
        &self,
        attachment_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .detach_network_interface()
            .attachment_id(attachment_id)
            .force(force)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn assign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        allow_reassignment: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        if dry_run {
            self.check_eni(eni_id).await?;
        }
        let out = self
            .r
            .ec2
            .assign_private_ip_addresses()
            .network_interface_id(eni_id)
            .set_private_ip_addresses(Some(ips.to_vec()))
            .allow_reassignment(allow_reassignment)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn unassign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        if dry_run {
            self.check_eni(eni_id).await?;
        }
        let out = self
            .r
            .ec2
            .unassign_private_ip_addresses()
            .network_interface_id(eni_id)
            .set_private_ip_addresses(Some(ips.to_vec()))
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }
}
