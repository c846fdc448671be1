//! The access check's live reads against moto's IAM and STS through aws-sdk-iam: a user with group and
//! managed policies, an IAM Identity Center role session (a path-qualified role), the trust document that
//! arrives percent-encoded, the simulator that moto does not implement (the checks fall back to the local
//! evaluation and say so), and creating the role from the generated policies.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_iam::Client;
use batch_aws::iam_live::{create_role, read_live, simulate};
use batch_core::aws_names::{RoleArn, S3Uri};
use batch_core::iam::{AccessSetup, CheckStatus, Known, run_checks};
use batch_core::model::ModelId;
use test_servers::Moto;

const ACCOUNT: &str = "123456789012";

fn setup(role: &str) -> AccessSetup {
    AccessSetup {
        role_arn: RoleArn::parse(role).unwrap(),
        input: S3Uri::parse("s3://in-bucket/batch").unwrap(),
        output: S3Uri::parse("s3://out-bucket/results").unwrap(),
        region: "us-east-1".into(),
        account: ACCOUNT.into(),
        model_id: ModelId::parse("amazon.nova-lite-v1:0").unwrap(),
        bucket_owner: None,
        output_kms_key: None,
        profile_models: None,
    }
}

async fn config_with(endpoint: &str, key: &str, secret: &str, token: Option<&str>) -> aws_config::SdkConfig {
    let credentials = aws_sdk_iam::config::Credentials::new(key, secret, token.map(str::to_string), None, "test");
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .load()
        .await
}

fn status(report: &batch_core::iam::AccessReport, id: &str) -> CheckStatus {
    report.checks.iter().find(|c| c.id == id).unwrap().status
}

const ROOT_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AccountUsers","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
const ROLE_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::in-bucket/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::in-bucket"}]}"#;
const WRITE_OUT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::out-bucket/results/*"}]}"#;
const PASS_ROLE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/service-role/*","Condition":{"StringEquals":{"iam:PassedToService":"bedrock.amazonaws.com"}}},{"Effect":"Allow","Action":["bedrock:*","s3:*"],"Resource":"*"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_groups_and_a_role_with_managed_policies_are_read_and_checked() {
    let moto = Moto::start();
    let admin = test_servers::sdk_config(&moto.endpoint()).await;
    let iam = Client::new(&admin);
    let role = iam
        .create_role()
        .role_name("BedrockBatchRole")
        .path("/service-role/")
        .assume_role_policy_document(ROOT_TRUST)
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_string();
    assert_eq!(role_arn, format!("arn:aws:iam::{ACCOUNT}:role/service-role/BedrockBatchRole"));
    iam.put_role_policy()
        .role_name("BedrockBatchRole")
        .policy_name("read-input")
        .policy_document(ROLE_S3)
        .send()
        .await
        .unwrap();
    let managed = iam.create_policy().policy_name("write-output").policy_document(WRITE_OUT).send().await.unwrap();
    let managed_arn = managed.policy().unwrap().arn().unwrap().to_string();
    iam.attach_role_policy().role_name("BedrockBatchRole").policy_arn(&managed_arn).send().await.unwrap();
    // The analyst's permissions come from a group's managed policy.
    iam.create_user().user_name("analyst").send().await.unwrap();
    iam.create_group().group_name("analysts").send().await.unwrap();
    iam.add_user_to_group().group_name("analysts").user_name("analyst").send().await.unwrap();
    let pass = iam.create_policy().policy_name("batch-users").policy_document(PASS_ROLE).send().await.unwrap();
    iam.attach_group_policy()
        .group_name("analysts")
        .policy_arn(pass.policy().unwrap().arn().unwrap())
        .send()
        .await
        .unwrap();
    let key = iam.create_access_key().user_name("analyst").send().await.unwrap();
    let key = key.access_key().unwrap();

    let analyst = config_with(&moto.endpoint(), key.access_key_id(), key.secret_access_key(), None).await;
    let job = setup(&role_arn);
    let read = read_live(&analyst, &job).await.unwrap();
    assert_eq!(read.caller_iam_arn.as_deref(), Some("arn:aws:iam::123456789012:user/analyst"));
    let Known::Yes(trust) = &read.policies.trust else { panic!("trust not read: {:?}", read.policies.trust) };
    assert!(trust.name.contains("BedrockBatchRole"), "the URL-encoded trust document was decoded");
    let mut report = run_checks(&job, &read.policies);
    assert_eq!(status(&report, "trust.bedrock_principal"), CheckStatus::Fail, "the account root is not Bedrock");
    assert_eq!(status(&report, "role.s3_read_input"), CheckStatus::Pass, "inline policy");
    assert_eq!(status(&report, "role.s3_write_output"), CheckStatus::Pass, "attached managed policy");
    assert_eq!(status(&report, "caller.pass_role"), CheckStatus::Pass, "the group's policy");
    assert_eq!(status(&report, "caller.create_job"), CheckStatus::Pass);
    // moto does not implement SimulatePrincipalPolicy: the local answers stand, and the report says so.
    let note = simulate(&analyst, &job, read.caller_iam_arn.as_deref(), &mut report).await;
    assert!(note.unwrap().contains("simulator could not be used"));
    assert!(report.checks.iter().all(|c| c.aws_simulator.is_none()));

    // The fix: create a role from the generated policies, then every role check passes.
    let fixed = setup_for_new_role();
    let created = create_role(&analyst, &fixed).await.unwrap();
    assert_eq!(created, fixed.role_arn.as_str());
    let reread = read_live(&analyst, &fixed).await.unwrap();
    let report = run_checks(&fixed, &reread.policies);
    for id in [
        "trust.bedrock_principal",
        "trust.confused_deputy",
        "role.s3_read_input",
        "role.s3_list_input",
        "role.s3_write_output",
    ] {
        assert_eq!(status(&report, id), CheckStatus::Pass, "{id}: {report:#?}");
    }
    // A role that does not exist is named as such.
    let missing = read_live(&analyst, &setup(&format!("arn:aws:iam::{ACCOUNT}:role/Nope"))).await.unwrap();
    assert!(matches!(&missing.policies.trust, Known::No(why) if why.contains("does not exist")));
}

fn setup_for_new_role() -> AccessSetup {
    setup(&format!("arn:aws:iam::{ACCOUNT}:role/service-role/BedrockBatchCreated"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_center_session_is_checked_as_its_path_qualified_role() {
    let moto = Moto::start();
    let admin = test_servers::sdk_config(&moto.endpoint()).await;
    let iam = Client::new(&admin);
    let path = "/aws-reserved/sso.amazonaws.com/eu-west-1/";
    let name = "AWSReservedSSO_DataAnalyst_0123456789abcdef";
    let role =
        iam.create_role().role_name(name).path(path).assume_role_policy_document(ROOT_TRUST).send().await.unwrap();
    let sso_arn = role.role().unwrap().arn().to_string();
    iam.put_role_policy().role_name(name).policy_name("batch").policy_document(PASS_ROLE).send().await.unwrap();
    let sts = aws_sdk_sts::Client::new(&admin);
    let session = sts.assume_role().role_arn(&sso_arn).role_session_name("ana@example.com").send().await.unwrap();
    let creds = session.credentials().unwrap();
    let analyst =
        config_with(&moto.endpoint(), creds.access_key_id(), creds.secret_access_key(), Some(creds.session_token()))
            .await;
    let service_role = format!("arn:aws:iam::{ACCOUNT}:role/service-role/BedrockBatchRole");
    let read = read_live(&analyst, &setup(&service_role)).await.unwrap();
    assert_eq!(
        read.caller_iam_arn.as_deref(),
        Some(sso_arn.as_str()),
        "the session resolves to the role, path included"
    );
    assert!(read.notes.iter().any(|n| n.contains("assumed-role")), "{:?}", read.notes);
    let report = run_checks(&setup(&service_role), &read.policies);
    assert_eq!(status(&report, "caller.pass_role"), CheckStatus::Pass);
    // The service role does not exist yet: its checks are unknown with that reason, not a crash.
    assert_eq!(status(&report, "role.s3_read_input"), CheckStatus::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_the_caller_may_not_make_leave_their_checks_unknown_not_failed() {
    // After the set-up's five calls moto enforces IAM permissions on every request.
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "5")]);
    let admin = test_servers::sdk_config(&moto.endpoint()).await;
    let iam = Client::new(&admin);
    iam.create_role().role_name("BedrockBatchRole").assume_role_policy_document(ROOT_TRUST).send().await.unwrap();
    iam.create_user().user_name("limited").send().await.unwrap();
    // The analyst may read their own policies, pass the role and run jobs — but not read roles.
    let own = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["iam:ListUserPolicies","iam:GetUserPolicy","iam:ListAttachedUserPolicies","iam:ListGroupsForUser","sts:GetCallerIdentity"],"Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/BedrockBatchRole","Condition":{"StringEquals":{"iam:PassedToService":"bedrock.amazonaws.com"}}},
        {"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#;
    iam.put_user_policy().user_name("limited").policy_name("own").policy_document(own).send().await.unwrap();
    let key = iam.create_access_key().user_name("limited").send().await.unwrap();
    let key = key.access_key().unwrap();
    let limited = config_with(&moto.endpoint(), key.access_key_id(), key.secret_access_key(), None).await;
    let job = setup(&format!("arn:aws:iam::{ACCOUNT}:role/BedrockBatchRole"));
    let read = read_live(&limited, &job).await.unwrap();
    let Known::No(why) = &read.policies.trust else {
        panic!("the trust should be unreadable: {:?}", read.policies.trust)
    };
    assert!(why.contains("not allowed to read role BedrockBatchRole"), "{why}");
    let report = run_checks(&job, &read.policies);
    for id in ["trust.bedrock_principal", "role.s3_read_input", "role.s3_write_output"] {
        assert_eq!(status(&report, id), CheckStatus::Unknown, "{id}");
    }
    assert_eq!(status(&report, "caller.pass_role"), CheckStatus::Pass, "the caller's own policies were readable");
}

/// IAM's SimulatePrincipalPolicy on loopback, in IAM's Query protocol (moto does not implement the
/// simulator): each request's action is `allowed`, except `iam:PassRole`, which is `implicitDeny`. Returns
/// the endpoint and the form bodies it received.
fn simulator() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let form = String::from_utf8_lossy(&body).into_owned();
            let field = |name: &str| {
                form.split('&')
                    .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                    .map(|v| v.replace("%3A", ":").replace("%2F", "/").replace("%2A", "*"))
                    .unwrap_or_default()
            };
            let (action, resource) = (field("ActionNames.member.1"), field("ResourceArns.member.1"));
            let decision = if action == "iam:PassRole" { "implicitDeny" } else { "allowed" };
            seen.lock().unwrap().push(form.clone());
            let xml = format!(
                "<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member><EvalActionName>{action}</EvalActionName><EvalResourceName>{resource}</EvalResourceName><EvalDecision>{decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member></EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
            );
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                xml.len()
            );
        }
    });
    (endpoint, bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_simulator_s_answers_are_merged_into_each_check_beside_the_local_one() {
    let (endpoint, bodies) = simulator();
    let config = config_with(&endpoint, "AKIDEXAMPLE", "secret", None).await;
    let job = setup(&format!("arn:aws:iam::{ACCOUNT}:role/BedrockBatchRole"));
    let policies = batch_core::iam::AccessPolicies {
        trust: Known::No("not read".into()),
        role: Known::Yes(vec![batch_core::iam::Policy::parse("role", ROLE_S3).unwrap()]),
        caller_arn: Some(format!("arn:aws:iam::{ACCOUNT}:user/analyst")),
        caller: Known::Yes(vec![batch_core::iam::Policy::parse("caller", PASS_ROLE).unwrap()]),
    };
    let mut report = run_checks(&job, &policies);
    let local: Vec<CheckStatus> = report.checks.iter().map(|c| c.status).collect();
    let note = simulate(&config, &job, policies.caller_arn.as_deref(), &mut report).await;
    assert_eq!(note, None, "the simulator answered every question");
    // Each check that asked something carries AWS's answer for each of its requests, in order; the local
    // answers are left as they were.
    let asked: Vec<_> = report.checks.iter().filter(|c| !c.requests.is_empty()).collect();
    assert!(!asked.is_empty());
    for check in &asked {
        let merged = check.aws_simulator.as_deref().unwrap_or_else(|| panic!("{} has no simulator answer", check.id));
        assert_eq!(merged.split("; ").count(), check.requests.len(), "{}: {merged}", check.id);
        for request in &check.requests {
            let decision = if request.action == "iam:PassRole" { "implicitDeny" } else { "allowed" };
            assert!(
                merged.contains(&format!("{} on {}: {decision}", request.action, request.resource)),
                "{}: {merged}",
                check.id
            );
        }
    }
    assert_eq!(report.checks.iter().map(|c| c.status).collect::<Vec<_>>(), local);
    let pass_role = report.checks.iter().find(|c| c.id == "caller.pass_role").unwrap();
    assert!(pass_role.aws_simulator.as_deref().unwrap().contains("implicitDeny"));
    // The role's questions were asked as the role, the caller's as the caller.
    let bodies = bodies.lock().unwrap();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FBedrockBatchRole"))
    );
    assert!(bodies.iter().any(|b| b.contains("PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fanalyst")));
}
