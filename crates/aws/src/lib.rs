//! The AWS adapter: aws-config's default credential chain and the SDK's own retry; nothing here signs,
//! resolves credentials or retries by hand. One `AwsRead`/`AwsWrite` per region.

mod asg;
mod convert;
mod errors;
mod read;
mod write;
mod write_network;
mod write_storage;

/// Static credentials for `AwsOptions::credentials` (tests and tooling), so no other crate names the SDK.
pub use aws_credential_types::Credentials;
pub use read::AwsRead;
pub use write::AwsWrite;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::Arc;
use std::time::Duration;

/// How to reach AWS: the CLI flags and config that shape the SDK configuration.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Regions to operate on; empty = the profile's (or environment's) default region.
    pub regions: Vec<String>,
    /// A custom endpoint (moto, LocalStack); `AWS_ENDPOINT_URL` is honoured by aws-config itself.
    pub endpoint_url: Option<String>,
    /// Total attempts per call, retries included (the SDK's standard retry mode).
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub operation_timeout: Duration,
    /// Page size for paginated lists (default: the largest each API allows). Smaller pages trade
    /// more calls for shorter responses on slow links.
    pub page_size: Option<i32>,
    /// Explicit credentials instead of aws-config's default chain (tests and tooling).
    pub credentials: Option<aws_credential_types::Credentials>,
}

impl AwsOptions {
    pub fn with_defaults(mut self) -> Self {
        if self.max_attempts == 0 {
            self.max_attempts = 5;
        }
        if self.connect_timeout.is_zero() {
            self.connect_timeout = Duration::from_secs(5);
        }
        if self.operation_timeout.is_zero() {
            self.operation_timeout = Duration::from_secs(60);
        }
        self
    }
}

/// One connected region: the SDK config and the service clients built from it.
#[derive(Clone)]
pub struct AwsRegion {
    pub(crate) region: String,
    pub(crate) page_size: Option<i32>,
    pub(crate) config: SdkConfig,
    pub(crate) ec2: aws_sdk_ec2::Client,
    pub(crate) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(crate) cw: aws_sdk_cloudwatch::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) asg: aws_sdk_autoscaling::Client,
    /// Where each service is reached, to name it when it cannot be.
    pub(crate) endpoints: Arc<errors::Endpoints>,
}

impl AwsRegion {
    pub fn name(&self) -> &str {
        &self.region
    }

    /// An SDK error as a `CloudError` naming its call, and the endpoint when it was not reached.
    pub(crate) fn sdk_error<E>(
        &self,
        e: aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
    ) -> opsdeck_core::cloud::CloudError
    where
        E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        errors::map_sdk_error(e, &self.endpoints)
    }

    /// The page size for a list whose API allows `min..=max` results per page.
    pub(crate) fn page(&self, min: i32, max: i32) -> i32 {
        self.page_size.unwrap_or(max).clamp(min, max)
    }
}

/// Loads the SDK configuration once per region. Fails (with a plain reason) only when no region can
/// be determined; credential problems surface on the first call, as errors of kind `Credentials`.
pub async fn connect(opts: &AwsOptions) -> anyhow::Result<Vec<AwsRegion>> {
    let opts = opts.clone().with_defaults();
    if let Some(p) = &opts.profile
        && let Some(why) = unknown_profile(p).await?
    {
        anyhow::bail!(why);
    }
    let base = load(&opts, None).await;
    let regions: Vec<String> = if opts.regions.is_empty() {
        match base.region() {
            Some(r) => vec![r.to_string()],
            None => anyhow::bail!(
                "no AWS region configured: pass --region, set AWS_REGION, or set a region in the profile"
            ),
        }
    } else {
        opts.regions.clone()
    };
    let mut out = Vec::with_capacity(regions.len());
    for region in regions {
        let config = load(&opts, Some(region.clone())).await;
        out.push(AwsRegion {
            ec2: aws_sdk_ec2::Client::new(&config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
            cw: aws_sdk_cloudwatch::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            asg: aws_sdk_autoscaling::Client::new(&config),
            page_size: opts.page_size,
            endpoints: Arc::new(errors::Endpoints::resolve(&config, &region).await),
            region,
            config,
        });
    }
    Ok(out)
}

/// A mistyped `--profile` would otherwise surface later as a vague "no credentials": name it now.
/// `Ok(Some(why))` when no profile of that name is in `~/.aws/config` or `~/.aws/credentials` (or the
/// files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name), as aws-config reads them; `Err`
/// when those files cannot be read.
pub async fn unknown_profile(name: &str) -> anyhow::Result<Option<String>> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the AWS config files: {e}"))?;
    if set.get_profile(name).is_some() {
        return Ok(None);
    }
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort();
    let known = if known.is_empty() {
        "none defined".to_string()
    } else {
        known.join(", ")
    };
    Ok(Some(format!(
        "unknown AWS profile `{name}` (profiles in ~/.aws/config and ~/.aws/credentials: {known})"
    )))
}

async fn load(opts: &AwsOptions, region: Option<String>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(opts.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(opts.connect_timeout)
                .operation_timeout(opts.operation_timeout)
                .build(),
        );
    if let Some(c) = &opts.credentials {
        loader = loader.credentials_provider(c.clone());
    }
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(Region::new(r));
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Read ports for every connected region.
pub fn readers(regions: &[AwsRegion]) -> Vec<Arc<dyn opsdeck_core::cloud::CloudRead>> {
    regions
        .iter()
        .map(|r| Arc::new(AwsRead::new(r.clone())) as Arc<dyn opsdeck_core::cloud::CloudRead>)
        .collect()
}

/// Write ports for every connected region. Only a read-write session calls this.
pub fn writers(regions: &[AwsRegion]) -> Vec<Arc<dyn opsdeck_core::cloud::CloudWrite>> {
    regions
        .iter()
        .map(|r| Arc::new(AwsWrite::new(r.clone())) as Arc<dyn opsdeck_core::cloud::CloudWrite>)
        .collect()
}
