//! Global flags checked before anything runs (exit 2, one line naming the flag and its value):
//! `--endpoint-url` must be an http(s) URL, `--region` an AWS region name, `--profile` a profile of
//! the AWS config files. A known profile whose credentials fail is still a per-call failure.

use super::*;
use support::cli::{assert_one_line_failure, opsdeck_with_keys};

#[test]
fn a_bad_endpoint_url_or_region_is_a_usage_error() {
    let home = tempfile::tempdir().expect("tempdir");
    for (args, needles) in [
        (
            &["--endpoint-url", "notaurl", "--region", "us-east-1"][..],
            &["--endpoint-url", "notaurl", "not a URL"][..],
        ),
        (
            &[
                "--endpoint-url",
                "ftp://127.0.0.1:9",
                "--region",
                "us-east-1",
            ][..],
            &["--endpoint-url", "ftp://127.0.0.1:9", "http or https"][..],
        ),
        (
            &["--region", "", "--endpoint-url", "http://127.0.0.1:9"][..],
            &["--region", "not an AWS region name"][..],
        ),
        (
            &[
                "--region",
                "us-east1",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ][..],
            &["--region", "us-east1", "not an AWS region name"][..],
        ),
        (
            &["--region", "us-east-1", "--region", "eu west 1"][..],
            &["--region", "eu west 1"][..],
        ),
    ] {
        for cmd in [&["inventory"][..], &["report"][..], &[][..]] {
            let out = run(opsdeck_with_keys(&home).args(args).args(cmd));
            assert_one_line_failure(&out, 2, needles);
            assert!(out.stdout.is_empty(), "{args:?} {cmd:?}: nothing ran");
        }
    }
}

#[test]
fn an_unknown_profile_is_a_usage_error_naming_it_and_the_known_ones() {
    let home = tempfile::tempdir().expect("tempdir");
    let aws = home.path().join(".aws");
    std::fs::create_dir(&aws).expect("mkdir");
    std::fs::write(
        aws.join("config"),
        "[profile staging]\nregion = us-east-1\n",
    )
    .expect("config");
    let base = [
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--region",
        "us-east-1",
    ];
    for cmd in [&["inventory"][..], &["report"][..], &[][..]] {
        let out = run(opsdeck(&home)
            .args(base)
            .args(["--profile", "stagign"])
            .args(cmd));
        assert_one_line_failure(&out, 2, &["unknown AWS profile `stagign`", "staging"]);
    }
    // As the AWS CLI picks it: AWS_PROFILE names a profile too.
    let out = run(opsdeck(&home)
        .env("AWS_PROFILE", "nope")
        .args(base)
        .arg("inventory"));
    assert_one_line_failure(&out, 2, &["`nope`"]);
    // A profile that exists but has no credentials fails per call, as before (exit 1).
    let out = run(opsdeck(&home)
        .args(base)
        .args(["--profile", "staging", "inventory"]));
    assert_one_line_failure(&out, 1, &["credentials"]);
}
