//! Deterministic AWS-shaped identifiers from the world's seeded RNG.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const HEX: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| HEX[rng.random_range(0..16)] as char)
        .collect()
}

/// `i-0123456789abcdef0`-style ids: a prefix and 17 hex digits, as EC2 issues them today.
pub(crate) fn ec2_id(rng: &mut ChaCha8Rng, prefix: &str) -> String {
    format!("{prefix}-{}", hex(rng, 17))
}

/// A request id shaped like AWS's (a v4 UUID).
pub(crate) fn request_id(rng: &mut ChaCha8Rng) -> String {
    let h = hex(rng, 32);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

pub(crate) fn public_ip(rng: &mut ChaCha8Rng) -> String {
    let first = [3u8, 18, 34, 44, 52, 54][rng.random_range(0..6)];
    format!(
        "{first}.{}.{}.{}",
        rng.random_range(0..=255u8),
        rng.random_range(0..=255u8),
        rng.random_range(1..=254u8)
    )
}

/// An IPv4 CIDR block as (network address, prefix length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = s.split_once('/')?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
        let ip: std::net::Ipv4Addr = addr.parse().ok()?;
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        };
        Some(Cidr {
            base: u32::from(ip) & mask,
            prefix,
        })
    }
    pub(crate) fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }
    pub(crate) fn contains(&self, ip: &str) -> bool {
        ip.parse::<std::net::Ipv4Addr>()
            .map(|a| {
                let a = u32::from(a) as u64;
                a >= self.base as u64 && a < self.base as u64 + self.size()
            })
            .unwrap_or(false)
    }
    /// The `n`th usable host: AWS reserves the first four addresses and the last one of a subnet.
    pub(crate) fn host(&self, n: u64) -> Option<String> {
        let off = n + 4;
        if off + 1 >= self.size() {
            return None;
        }
        Some(std::net::Ipv4Addr::from(self.base.wrapping_add(off as u32)).to_string())
    }
    /// Usable addresses in the block (size less AWS's five reserved ones).
    pub(crate) fn usable(&self) -> u64 {
        self.size().saturating_sub(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ids_are_shaped_like_aws_and_reproducible() {
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        let id = ec2_id(&mut a, "i");
        assert_eq!(id.len(), 19);
        assert!(id.starts_with("i-"));
        assert_eq!(id, ec2_id(&mut b, "i"));
        let rid = request_id(&mut a);
        assert_eq!(rid.len(), 36);
        assert_eq!(&rid[14..15], "4");
    }

    #[test]
    fn cidr_hosts_skip_reserved_addresses() {
        let c = Cidr::parse("10.0.1.0/24").expect("cidr");
        assert_eq!(c.host(0).as_deref(), Some("10.0.1.4"));
        assert_eq!(c.host(250).as_deref(), Some("10.0.1.254"));
        assert_eq!(c.host(251), None);
        assert!(c.contains("10.0.1.77"));
        assert!(!c.contains("10.0.2.1"));
        assert_eq!(c.usable(), 251);
    }
}
