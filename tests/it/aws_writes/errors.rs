//! AWS errors mapped to the ports' kinds, and the SDK's retry of throttled calls.

use super::*;

#[tokio::test]
async fn errors_are_typed() {
    let (_g, seed) = moto::seeded().await;
    let (_, write) = moto::ports("us-east-1").await;
    let data = moto::id(&seed, &["data_volume_id"]);

    let e = write
        .stop_instances(&one("i-0123456789abcdef0"), false, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.code.starts_with("InvalidInstanceID"), "{e}");

    let e = write.delete_volume(&data, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse"),
        "{e}"
    );

    moto::set_faults(
        json!([{ "service": "ec2", "action": "RebootInstances", "error_code": "UnauthorizedOperation", "status": 403 }]),
    );
    let e = write
        .reboot_instances(&one(&moto::id(&seed, &["instances", "web-1"])), true)
        .await
        .unwrap_err();
    moto::clear_faults();
    assert_eq!(e.kind, ErrorKind::Unauthorized, "{e}");
    assert!(e.to_string().contains("not permitted"), "plain words: {e}");
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_reported_when_it_persists() {
    let (_g, _seed) = moto::seeded().await;
    let (read, _) = moto::ports("us-east-1").await;

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "RequestLimitExceeded", "status": 503, "times": 2 }]),
    );
    moto::clear_requests();
    let eips = read.elastic_ips().await.expect("retried to success");
    assert_eq!(eips.len(), 1);
    assert_eq!(
        calls::moto("DescribeAddresses"),
        3,
        "two throttled attempts, then success"
    );

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "RequestLimitExceeded", "status": 503 }]),
    );
    let e = read.elastic_ips().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "InternalError", "status": 500 }]),
    );
    let e = read.elastic_ips().await.unwrap_err();
    moto::clear_faults();
    assert_eq!(e.kind, ErrorKind::ServerError, "{e}");
}
