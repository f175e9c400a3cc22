//! One moto front (tests/it/support/moto_front.py) per test binary, on a free loopback port, reset
//! between tests, gone when the test process exits (it watches its stdin pipe).
//!
//! moto needs a Python venv: `.ci/run` creates it at `.venv` (or set `OPSDECK_MOTO_PYTHON`). When it is
//! missing, tests fail with a message saying how to create it; they never skip.

use opsdeck_aws::{self as aws, AwsOptions};
use opsdeck_core::cloud::{CloudRead, CloudWrite};
use opsdeck_core::domain::Inventory;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub struct MotoServer {
    pub url: String,
    // Held so the pipe (and so the server) lives exactly as long as this process.
    _child: Mutex<Child>,
}

static SERVER: OnceLock<MotoServer> = OnceLock::new();
/// moto's state is global: tests that use it take turns.
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("OPSDECK_MOTO_PYTHON") {
        return PathBuf::from(p);
    }
    let p = repo_root().join(".venv/bin/python");
    if !p.exists() {
        panic!(
            "moto is not installed: {} is missing. Create it with `bash .ci/setup-moto.sh` \
             (what `bash .ci/run` does), or set OPSDECK_MOTO_PYTHON to a python that has moto==5.2.5.",
            p.display()
        );
    }
    p
}

/// The front, started on first use (retried once: a cold Python start on a busy machine can fail).
pub fn server() -> &'static MotoServer {
    SERVER.get_or_init(|| match start_front() {
        Ok(s) => s,
        Err(first) => start_front()
            .unwrap_or_else(|second| panic!("the moto front did not start:\n{first}\n{second}")),
    })
}

fn start_front() -> Result<MotoServer, String> {
    let script = repo_root().join("tests/it/support/moto_front.py");
    // The front's stderr goes to a file: never a pipe nobody drains, and readable when it fails.
    let log = std::env::temp_dir().join(format!("opsdeck-moto-front-{}.log", std::process::id()));
    let err =
        std::fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let tail = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut child = Command::new(python())
        .arg(&script)
        .args(["--host", "127.0.0.1", "--port", "0", "--exit-with-stdin"])
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", script.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let Some(url) = line
        .trim()
        .strip_prefix("moto_front ready on ")
        .map(str::to_string)
    else {
        let _ = child.kill();
        return Err(format!(
            "it printed {line:?}; its log ({}):\n{}",
            log.display(),
            tail()
        ));
    };
    wait_until_answering(&url)?;
    Ok(MotoServer {
        url,
        _child: Mutex::new(child),
    })
}

fn wait_until_answering(url: &str) -> Result<(), String> {
    for _ in 0..100 {
        if ureq::get(format!("{url}/moto-api/")).call().is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the moto front at {url} never answered"))
}

pub fn url() -> String {
    server().url.clone()
}

/// Holds moto for one test; drop it to let the next test in.
pub struct Guard {
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

/// Takes moto for this test and resets it (moto and the front's injected state).
pub async fn fresh() -> Guard {
    let url = url();
    let lock = LOCK.lock().await;
    post(&url, "/moto-api/reset", &Value::Null);
    Guard { _lock: lock }
}

/// Takes moto, resets it and seeds `tests/it/support/seed_fleet.py`'s fleet; returns its id summary.
pub async fn seeded() -> (Guard, Value) {
    seeded_with(&[]).await
}

/// Like `seeded`, with extra `seed_fleet.py` arguments (e.g. `--web-deregistration-delay 2`).
pub async fn seeded_with(args: &[&str]) -> (Guard, Value) {
    let guard = fresh().await;
    let out = Command::new(python())
        .arg(repo_root().join("tests/it/support/seed_fleet.py"))
        .args(["--endpoint", &url()])
        .args(args)
        .output()
        .expect("running seed_fleet.py");
    assert!(
        out.status.success(),
        "seed_fleet.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("seed_fleet.py prints JSON");
    (guard, summary)
}

pub fn options(regions: &[&str]) -> AwsOptions {
    AwsOptions {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        endpoint_url: Some(url()),
        credentials: Some(aws::Credentials::new(
            "testing", "testing", None, None, "tests",
        )),
        max_attempts: 3,
        ..AwsOptions::default()
    }
}

/// The real AWS adapter, pointed at moto, for one region.
pub async fn ports(region: &str) -> (Arc<dyn CloudRead>, Arc<dyn CloudWrite>) {
    ports_with(options(&[region])).await
}

pub async fn ports_with(opts: AwsOptions) -> (Arc<dyn CloudRead>, Arc<dyn CloudWrite>) {
    let regions = aws::connect(&opts).await.expect("connecting to moto");
    let r = aws::readers(&regions).remove(0);
    let w = aws::writers(&regions).remove(0);
    (r, w)
}

pub async fn readers(opts: AwsOptions) -> Vec<Arc<dyn CloudRead>> {
    aws::readers(&aws::connect(&opts).await.expect("connecting to moto"))
}

/// Connects to moto for `regions` and fetches everything the console does (metrics and alarms too).
pub async fn inventory(regions: &[&str]) -> Inventory {
    super::inventory::full(&readers(options(regions)).await).await
}

/// Runs `code` with boto3 against the front (clients `ec2`, `elbv2` in us-east-1, moto's test
/// keys) and returns what it left in `result`, as JSON: for fixtures the ports cannot build.
pub fn boto3(code: &str) -> Value {
    let script = format!(
        "import boto3, json\n\
         kw = dict(endpoint_url='{url}', region_name='us-east-1', \
                   aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         ec2 = boto3.client('ec2', **kw)\n\
         elbv2 = boto3.client('elbv2', **kw)\n\
         result = None\n\
         {code}\n\
         print(json.dumps(result, default=str))\n",
        url = url()
    );
    let out = Command::new(python())
        .args(["-c", &script])
        .output()
        .expect("running python with boto3");
    assert!(
        out.status.success(),
        "boto3 fixture failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the boto3 fixture prints JSON")
}

/// `POST` a JSON control request to the front (`/_plus/...`, `/moto-api/...`).
pub fn post(url: &str, path: &str, body: &Value) -> Value {
    let resp = ureq::post(format!("{url}{path}"))
        .send_json(body)
        .unwrap_or_else(|e| panic!("POST {path} failed: {e}"));
    resp.into_body().read_json::<Value>().unwrap_or(Value::Null)
}

pub fn control(path: &str, body: Value) -> Value {
    post(&url(), path, &body)
}

/// One logged AWS request: (service, action, region), whether the front failed it with a fault
/// rule (moto never saw it), the access key id that signed it, the session token sent with it (if
/// any), and whether it was an EC2 dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub service: String,
    pub action: String,
    pub region: String,
    pub faulted: bool,
    pub access_key: Option<String>,
    pub session_token: Option<String>,
    pub dry_run: bool,
}

pub fn requests() -> Vec<Logged> {
    let v: Value = ureq::get(format!("{}/_plus/requests", url()))
        .call()
        .expect("GET /_plus/requests")
        .into_body()
        .read_json()
        .expect("request log is JSON");
    v["requests"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| Logged {
                    service: r["service"].as_str().unwrap_or_default().to_string(),
                    action: r["action"].as_str().unwrap_or_default().to_string(),
                    region: r["region"].as_str().unwrap_or_default().to_string(),
                    faulted: r["faulted"].as_bool().unwrap_or(false),
                    access_key: r["access_key"].as_str().map(str::to_string),
                    session_token: r["session_token"].as_str().map(str::to_string),
                    dry_run: r["dry_run"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn clear_requests() {
    ureq::delete(format!("{}/_plus/requests", url()))
        .call()
        .expect("DELETE /_plus/requests");
}

pub fn set_faults(rules: Value) {
    control("/_plus/faults", serde_json::json!({ "rules": rules }));
}

pub fn clear_faults() {
    ureq::delete(format!("{}/_plus/faults", url()))
        .call()
        .expect("DELETE /_plus/faults");
}

/// Reads the seed summary's id at `path` (e.g. `["instances", "web-1"]`).
pub fn id(summary: &Value, path: &[&str]) -> String {
    let mut v = summary;
    for p in path {
        v = &v[*p];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("seed summary has no string at {path:?}: {summary}"))
        .to_string()
}
