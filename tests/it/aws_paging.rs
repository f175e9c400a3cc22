//! Every list the AWS adapter pages, read at 5 items a page against moto (through the front, which
//! pages what moto answers whole: `support/moto_front_paging.py`): each list is exactly the one
//! boto3 reads whole, and it took exactly ⌈n / 5⌉ requests, so an adapter that stopped after a page,
//! read one twice or asked for more than a page fails. Lists AWS does not page are one request:
//! DescribeAddresses, DescribeTargetHealth (per group), DescribeListeners (the adapter asks no page
//! size; AWS's default page holds every listener a load balancer can have), and the per-group
//! DescribeLifecycleHooks / DescribeInstanceRefreshes. GetMetricData is counted per batch of 500
//! queries; its own pages (100,800 data points each) are more than moto can be fed here.

use crate::support;

use opsdeck_core::cloud::{CloudRead, CloudResult};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use support::moto;
use support::ports::cpu_query;

const PAGE: usize = 5;

/// Builds, with boto3 straight against the front, more of everything than one page holds (no
/// count a multiple of 5, so the number of pages is not in doubt), and returns each list as boto3
/// reads it whole (no page size: the front passes it to moto untouched).
fn fixture() -> Value {
    moto::boto3(
        r#"
asg = boto3.client('autoscaling', **kw)
cw = boto3.client('cloudwatch', **kw)
vpc = ec2.create_vpc(CidrBlock='10.50.0.0/16')['Vpc']['VpcId']
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.50.{n}.0/24',
                             AvailabilityZone='us-east-1' + 'ab'[n % 2])['Subnet']['SubnetId']
           for n in range(7)]
# One reservation each: moto pages DescribeInstances by reservation.
instances = [ec2.run_instances(ImageId='ami-12345678', MinCount=1, MaxCount=1,
                               SubnetId=subnets[n % 7])['Instances'][0]['InstanceId']
             for n in range(12)]
volumes = [ec2.create_volume(AvailabilityZone='us-east-1a', Size=1)['VolumeId'] for n in range(2)]
for n in range(8):
    ec2.create_snapshot(VolumeId=volumes[n % 2])
for n in range(6):
    ec2.create_image(InstanceId=instances[n], Name=f'page-{n}')
for n in range(7):
    ec2.allocate_address(Domain='vpc')
for n in range(2):
    ec2.create_network_interface(SubnetId=subnets[0])
tgs = [elbv2.create_target_group(Name=f'page-tg-{n}', Protocol='HTTP', Port=80,
                                 VpcId=vpc)['TargetGroups'][0]['TargetGroupArn'] for n in range(7)]
lbs = [elbv2.create_load_balancer(Name=f'page-lb-{n}', Subnets=subnets[:2])
       ['LoadBalancers'][0]['LoadBalancerArn'] for n in range(7)]
for port, tg in ((80, tgs[0]), (8080, tgs[1])):
    elbv2.create_listener(LoadBalancerArn=lbs[0], Protocol='HTTP', Port=port,
                          DefaultActions=[{'Type': 'forward', 'TargetGroupArn': tg}])
elbv2.register_targets(TargetGroupArn=tgs[0], Targets=[{'Id': i} for i in instances[:3]])
lt = ec2.create_launch_template(LaunchTemplateName='page-lt', LaunchTemplateData={
    'ImageId': 'ami-12345678', 'InstanceType': 't3.micro'})['LaunchTemplate']['LaunchTemplateId']
for n in range(7):
    asg.create_auto_scaling_group(AutoScalingGroupName=f'page-asg-{n}', MinSize=0, MaxSize=1,
                                  DesiredCapacity=0, VPCZoneIdentifier=subnets[0],
                                  LaunchTemplate={'LaunchTemplateId': lt})
for n in range(7):
    cw.put_metric_alarm(AlarmName=f'page-alarm-{n}', Namespace='AWS/EC2',
                        MetricName='CPUUtilization', Statistic='Average', Period=60,
                        EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator='GreaterThanThreshold')
result = {
    'instances': instances, 'volumes': volumes, 'target_groups': tgs, 'load_balancers': lbs,
    'whole': {
        'subnets': [s['SubnetId'] for s in ec2.describe_subnets()['Subnets']],
        'reservations': len(ec2.describe_instances()['Reservations']),
        'instances': [i['InstanceId'] for r in ec2.describe_instances()['Reservations']
                      for i in r['Instances']],
        'volumes': [v['VolumeId'] for v in ec2.describe_volumes()['Volumes']],
        'snapshots': [s['SnapshotId'] for s in ec2.describe_snapshots(OwnerIds=['self'])['Snapshots']],
        'images': [i['ImageId'] for i in ec2.describe_images(Owners=['self'])['Images']],
        'addresses': [a['AllocationId'] for a in ec2.describe_addresses()['Addresses']],
        'interfaces': [n['NetworkInterfaceId']
                       for n in ec2.describe_network_interfaces()['NetworkInterfaces']],
        'target_groups': [t['TargetGroupArn'] for t in elbv2.describe_target_groups()['TargetGroups']],
        'load_balancers': [l['LoadBalancerArn']
                           for l in elbv2.describe_load_balancers()['LoadBalancers']],
        'groups': [g['AutoScalingGroupName']
                   for g in asg.describe_auto_scaling_groups()['AutoScalingGroups']],
        'alarms': [a['AlarmName'] for a in cw.describe_alarms()['MetricAlarms']],
    },
}
"#,
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// ⌈n / PAGE⌉, for a list longer than a page whose length is no multiple of it.
fn pages_for(what: &str, n: usize) -> usize {
    assert!(
        n > PAGE && !n.is_multiple_of(PAGE),
        "the fixture must give {what} more than a page and no multiple of {PAGE} ({n})"
    );
    n.div_ceil(PAGE)
}

/// Requests per action since the log was last cleared (every one: a retry counts).
fn requests(action: &str) -> usize {
    support::calls::moto(action)
}

/// Reads one list from a clean request log, and checks it is `want` (the same ids, each once)
/// and took exactly `pages` requests of `action`.
async fn one_list<T>(
    what: &str,
    action: &str,
    pages: usize,
    want: &[String],
    read: impl std::future::Future<Output = CloudResult<Vec<T>>>,
    id: impl Fn(&T) -> String,
) -> Vec<T> {
    moto::clear_requests();
    let got = read.await.unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut ids: Vec<String> = got.iter().map(&id).collect();
    ids.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(ids, want, "{what}: the whole list, each once");
    assert_eq!(requests(action), pages, "{what}: {action} requests");
    got
}

#[tokio::test]
async fn every_list_is_read_whole_in_exactly_as_many_requests_as_it_has_pages() {
    let _moto = moto::fresh().await;
    let f = fixture();
    let w = &f["whole"];
    let last_instance = strings(&f["instances"]).pop().expect("instances");
    let last_volume = strings(&f["volumes"]).pop().expect("volumes");
    // Something only the last page of DescribeInstanceStatus and -VolumeStatus tells.
    moto::control(
        "/_plus/instance-status",
        json!({ "instance_id": last_instance, "events": [{ "Code": "system-reboot",
            "NotBefore": "2031-01-01T00:00:00Z" }] }),
    );
    moto::control(
        "/_plus/volume-events",
        json!({ "volume_id": last_volume, "events": [{ "EventType": "potential-data-inconsistency" }] }),
    );
    let mut opts = moto::options(&["us-east-1"]);
    opts.page_size = Some(PAGE as i32);
    let (read, _) = moto::ports_with(opts).await;
    let r: &Arc<dyn CloudRead> = &read;

    let subnets = strings(&w["subnets"]);
    one_list(
        "subnets",
        "DescribeSubnets",
        pages_for("subnets", subnets.len()),
        &subnets,
        r.subnets(),
        |s| s.id.to_string(),
    )
    .await;

    // Instances: DescribeInstances pages by reservation, DescribeInstanceStatus by instance.
    let instances = strings(&w["instances"]);
    let reservations = w["reservations"].as_u64().expect("reservations") as usize;
    let got = one_list(
        "instances",
        "DescribeInstances",
        pages_for("reservations", reservations),
        &instances,
        r.instances(),
        |i| i.id.to_string(),
    )
    .await;
    assert_eq!(
        requests("DescribeInstanceStatus"),
        pages_for("instance statuses", instances.len())
    );
    let last = got
        .iter()
        .find(|i| i.id == last_instance)
        .expect("the last instance");
    assert_eq!(last.events.len(), 1, "its status came from the last page");

    let volumes = strings(&w["volumes"]);
    one_list(
        "volumes",
        "DescribeVolumes",
        pages_for("volumes", volumes.len()),
        &volumes,
        r.volumes(),
        |v| v.id.to_string(),
    )
    .await;
    one_list(
        "volume events",
        "DescribeVolumeStatus",
        pages_for("volume statuses", volumes.len()),
        std::slice::from_ref(&last_volume),
        r.volume_events(),
        |e| e.resource_id.to_string(),
    )
    .await;
    let snapshots = strings(&w["snapshots"]);
    one_list(
        "snapshots",
        "DescribeSnapshots",
        pages_for("snapshots", snapshots.len()),
        &snapshots,
        r.snapshots(),
        |s| s.id.to_string(),
    )
    .await;
    let images = strings(&w["images"]);
    one_list(
        "images",
        "DescribeImages",
        pages_for("images", images.len()),
        &images,
        r.images(),
        |i| i.id.to_string(),
    )
    .await;
    let interfaces = strings(&w["interfaces"]);
    one_list(
        "network interfaces",
        "DescribeNetworkInterfaces",
        pages_for("interfaces", interfaces.len()),
        &interfaces,
        r.network_interfaces(),
        |n| n.id.to_string(),
    )
    .await;
    // Not paginated by AWS: one request, every address.
    one_list(
        "addresses",
        "DescribeAddresses",
        1,
        &strings(&w["addresses"]),
        r.elastic_ips(),
        |a| a.allocation_id.to_string(),
    )
    .await;

    let tgs = strings(&w["target_groups"]);
    one_list(
        "target groups",
        "DescribeTargetGroups",
        pages_for("target groups", tgs.len()),
        &tgs,
        r.target_groups(),
        |t| t.arn.to_string(),
    )
    .await;
    let lbs = strings(&w["load_balancers"]);
    one_list(
        "load balancers",
        "DescribeLoadBalancers",
        pages_for("load balancers", lbs.len()),
        &lbs,
        r.load_balancers(),
        |l| l.arn.to_string(),
    )
    .await;
    // Target health and listeners: one request per group or load balancer, every target.
    let registered: Vec<String> = strings(&f["instances"]).into_iter().take(3).collect();
    let first_tg = strings(&f["target_groups"]).remove(0);
    one_list(
        "target health",
        "DescribeTargetHealth",
        1,
        &registered,
        r.target_health(&first_tg),
        |t| t.target_id.to_string(),
    )
    .await;
    let first_lb = strings(&f["load_balancers"]).remove(0);
    let listeners = one_list(
        "listeners",
        "DescribeListeners",
        1,
        &["80".to_string(), "8080".to_string()],
        r.listeners(&first_lb),
        |l| l.port.map(|p| p.to_string()).unwrap_or_default(),
    )
    .await;
    assert!(listeners.iter().all(|l| l.load_balancer_arn == first_lb));

    let groups = strings(&w["groups"]);
    one_list(
        "Auto Scaling groups",
        "DescribeAutoScalingGroups",
        pages_for("groups", groups.len()),
        &groups,
        r.auto_scaling_groups(),
        |g| g.name.to_string(),
    )
    .await;
    for per_group in ["DescribeLifecycleHooks", "DescribeInstanceRefreshes"] {
        assert_eq!(
            requests(per_group),
            groups.len(),
            "{per_group}: one a group"
        );
    }
    let alarms = strings(&w["alarms"]);
    one_list(
        "alarms",
        "DescribeAlarms",
        pages_for("alarms", alarms.len()),
        &alarms,
        r.alarms(),
        |a| a.name.to_string(),
    )
    .await;

    // Metrics: 501 queries go in two batches (500 a request), one answer per query, in order.
    let ids: Vec<String> = (0..501).map(|n| format!("i-{n:017x}")).collect();
    let queries: Vec<_> = ids.iter().map(|i| cpu_query(i)).collect();
    moto::clear_requests();
    let series = r
        .metrics(&queries, std::time::Duration::from_secs(1800))
        .await
        .expect("metrics");
    assert_eq!(requests("GetMetricData"), 2, "two batches");
    let subjects: Vec<String> = series.iter().map(|s| format!("{:?}", s.subject)).collect();
    let asked: Vec<String> = queries.iter().map(|q| format!("{:?}", q.subject)).collect();
    assert_eq!(subjects, asked, "one series per query, in order");
    let unique: BTreeSet<&String> = subjects.iter().collect();
    assert_eq!(unique.len(), 501);
}
