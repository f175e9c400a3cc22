//! The global flags checked before anything runs (console or command), each refusal one line and
//! exit 2: `--endpoint-url` must be an http(s) URL, `--region` an AWS region name (by its syntax:
//! any real region passes, a typo like `us-east1` or an empty one does not). Whether a `--profile`
//! exists is asked of the AWS config files (`opsdeck_aws::unknown_profile`), in `cli::run`.

use super::GlobalArgs;
use crate::session::UsageError;

impl GlobalArgs {
    pub fn check(&self) -> Result<(), UsageError> {
        if let Some(url) = &self.endpoint_url {
            endpoint_url(url).map_err(|why| {
                let why = format!("{why}; {}", crate::strings::ENDPOINT_SYNTAX);
                UsageError(crate::strings::bad_flag("--endpoint-url", url, &why))
            })?;
        }
        // A demo's regions are the fleet's (`check_demo_regions` names them); AWS's have a syntax.
        if !self.demo {
            for r in &self.regions {
                if !is_region_name(r) {
                    return Err(UsageError(crate::strings::bad_flag(
                        "--region",
                        r,
                        crate::strings::REGION_SYNTAX,
                    )));
                }
            }
        }
        Ok(())
    }
}

/// An absolute http(s) URL with a host (the SDK takes nothing else as an endpoint).
fn endpoint_url(s: &str) -> Result<(), String> {
    let u = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme must be http or https, not `{}`",
            u.scheme()
        ));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err("it names no host".to_string());
    }
    Ok(())
}

/// AWS's region names: `<2–4 letters>[-<partition letters>]-<direction letters>-<number>`:
/// `us-east-1`, `ap-southeast-7`, `us-gov-west-1`, `us-isob-east-1`, `eusc-de-east-1`.
pub fn is_region_name(s: &str) -> bool {
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let number = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let (first, middle, name, num) = match parts.as_slice() {
        [a, n, d] => (*a, None, *n, *d),
        [a, m, n, d] => (*a, Some(*m), *n, *d),
        _ => return false,
    };
    (2..=4).contains(&first.len())
        && letters(first)
        && middle.is_none_or(letters)
        && letters(name)
        && number(num)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_regions_pass_and_typos_do_not() {
        for r in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-7",
            "me-central-1",
            "il-central-1",
            "ca-west-1",
            "mx-central-1",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-south-1",
            "eusc-de-east-1",
            "xx-fake-9",
        ] {
            assert!(is_region_name(r), "{r}");
        }
        for r in [
            "",
            " ",
            "us-east1",
            "useast-1",
            "US-EAST-1",
            "us-east-1 ",
            "us-east-",
            "-east-1",
            "us-east-1a",
            "us-east-100",
            "us_east_1",
            "https://ec2.us-east-1.amazonaws.com",
            "u-east-1",
            "a-b-c-d-1",
        ] {
            assert!(!is_region_name(r), "{r:?}");
        }
    }

    #[test]
    fn endpoint_urls_must_be_http_with_a_host() {
        for ok in [
            "http://127.0.0.1:5000",
            "https://ec2.us-east-1.amazonaws.com",
            "http://localhost:4566/",
        ] {
            assert_eq!(endpoint_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "notaurl",
            "",
            "ftp://x",
            "127.0.0.1:5000",
            "http://",
            "file:///tmp",
        ] {
            assert!(endpoint_url(bad).is_err(), "{bad:?}");
        }
    }
}
