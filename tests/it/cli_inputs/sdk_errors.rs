//! What an AWS failure says on the real binary: the call as IAM names it, then AWS's answer as
//! `HTTP <status> <code>: <message>` — never `AWS error [Unknown]` when the status is known, even
//! from something that is not AWS (a proxy's page) — or, with no answer, the endpoint and why.

use super::*;
use serde_json::json;
use support::cli::{assert_one_line_failure, opsdeck_with_keys};
use support::moto;

/// `inventory` at `endpoint`, one attempt per call, `--no-metrics`.
fn inventory_at(endpoint: &str) -> Output {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = home.path().join("fast.toml");
    std::fs::write(
        &cfg,
        "[aws]\nmax_attempts = 1\nconnect_timeout_seconds = 2\n",
    )
    .expect("cfg");
    run(opsdeck_with_keys(&home)
        .arg("--config")
        .arg(&cfg)
        .args(["--region", "us-east-1", "--endpoint-url", endpoint])
        .args(["inventory", "--no-metrics"]))
}

#[tokio::test]
async fn an_aws_error_names_the_call_the_status_and_the_code() {
    let (_g, _seed) = moto::seeded().await;
    moto::set_faults(json!([{
        "service": "ec2", "action": "DescribeVolumes",
        "error_code": "UnauthorizedOperation", "message": "You are not authorized to perform this operation.",
        "status": 403
    }]));
    let out = inventory_at(&moto::url());
    moto::clear_faults();
    assert_one_line_failure(
        &out,
        1,
        &[
            "volumes: not permitted: ec2:DescribeVolumes: HTTP 403 UnauthorizedOperation: You are not authorized",
        ],
    );
}

/// A loopback server that answers every request with `403 Forbidden` and an HTML page, as a proxy
/// in the way would: no AWS error code to read.
fn proxy_page() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let mut got = Vec::new();
                // Read the headers and whatever body came with them, then answer.
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match c.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "<html><body>Access denied by the corporate proxy</body></html>";
                let _ = write!(
                    c,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

#[test]
fn an_answer_without_an_aws_code_still_gives_its_status() {
    let out = inventory_at(&proxy_page());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("HTTP 403"), "the status: {err}");
    assert!(err.contains("ec2:Describe"), "the call: {err}");
    assert!(
        !err.contains("Unknown") && !err.contains("AWS error"),
        "{err}"
    );
}

#[test]
fn no_answer_names_the_endpoint_and_why() {
    // Port 9 on loopback: nothing listens there.
    let out = inventory_at("http://127.0.0.1:9");
    assert_one_line_failure(
        &out,
        1,
        &[
            "endpoint unreachable",
            "connection refused by http://127.0.0.1:9",
        ],
    );
}
