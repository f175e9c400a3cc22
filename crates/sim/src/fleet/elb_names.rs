//! The names ELB gives a load balancer or a target group: ARNs and DNS names, their random parts drawn
//! from the world's rng (so the seed fixes them).

use crate::ids;
use crate::world::World;

pub(super) fn lb_arn(w: &mut World, region: &str, lb_type: &str, name: &str) -> String {
    let kind = if lb_type == "network" { "net" } else { "app" };
    format!(
        "arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/{kind}/{name}/{}",
        w.account,
        ids::hex(&mut w.rng, 16)
    )
}

pub(super) fn tg_arn(w: &mut World, region: &str, name: &str) -> String {
    format!(
        "arn:aws:elasticloadbalancing:{region}:{}:targetgroup/{name}/{}",
        w.account,
        ids::hex(&mut w.rng, 16)
    )
}

pub(super) fn lb_dns(w: &mut World, region: &str, name: &str, scheme: &str) -> String {
    let n: u64 = rand::Rng::random_range(&mut w.rng, 1_000_000_000..9_999_999_999);
    let prefix = if scheme == "internal" {
        "internal-"
    } else {
        ""
    };
    format!("{prefix}{name}-{n}.{region}.elb.amazonaws.com")
}
