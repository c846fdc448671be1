//! The policy corpus (`tests/fixtures/iam/`): every check on good policies and on the classic mistakes —
//! the account root as trust principal, object actions on the bucket ARN only, PassRole limited to
//! another role or another service, a prefix that misses the output path — plus Deny, NotAction,
//! NotResource and conditions the engine cannot decide.

use std::path::PathBuf;

use super::*;
use crate::aws_names::{RoleArn, S3Uri};
use crate::model::ModelId;

fn corpus(name: &str) -> Policy {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iam").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Policy::parse(name, &text).unwrap()
}

fn setup() -> AccessSetup {
    AccessSetup {
        role_arn: RoleArn::parse("arn:aws:iam::111122223333:role/BedrockBatchRole").unwrap(),
        input: S3Uri::parse("s3://in-bucket/batch").unwrap(),
        output: S3Uri::parse("s3://out-bucket/results").unwrap(),
        region: "us-east-1".into(),
        account: "111122223333".into(),
        model_id: ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap(),
        bucket_owner: None,
        output_kms_key: None,
        profile_models: None,
    }
}

fn policies(trust: &str, role: &[&str], caller: &[&str]) -> AccessPolicies {
    AccessPolicies {
        trust: Known::Yes(corpus(trust)),
        role: Known::Yes(role.iter().map(|n| corpus(n)).collect()),
        caller_arn: Some("arn:aws:iam::111122223333:user/analyst".into()),
        caller: if caller.is_empty() {
            Known::No("no caller policies were given".into())
        } else {
            Known::Yes(caller.iter().map(|n| corpus(n)).collect())
        },
    }
}

fn status(report: &AccessReport, id: &str) -> CheckStatus {
    check(report, id).status
}

fn check<'a>(report: &'a AccessReport, id: &str) -> &'a CheckResult {
    report.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}: {report:#?}"))
}

#[test]
fn good_policies_pass_every_check_and_name_the_deciding_statements() {
    let report = run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &["caller-good.json"]));
    for c in &report.checks {
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    }
    assert_eq!(report.verdict, Verdict::Pass);
    assert!(check(&report, "trust.bedrock_principal").detail.contains("statement \"BedrockBatch\" of trust-good.json"));
    assert!(check(&report, "caller.pass_role").detail.contains("\"Pass\""));
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    for id in [
        "trust.bedrock_principal",
        "trust.confused_deputy",
        "role.s3_read_input",
        "role.s3_list_input",
        "role.s3_write_output",
        "caller.pass_role",
        "caller.create_job",
        "caller.invoke_model",
        "org_conditions",
        "caller.s3_upload_input",
        "caller.s3_read_output",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn the_trust_mistakes() {
    let root = run_checks(&setup(), &policies("trust-account-root.json", &["role-good.json"], &[]));
    let principal = check(&root, "trust.bedrock_principal");
    assert_eq!(principal.status, CheckStatus::Fail);
    assert!(principal.detail.contains("account root"), "{}", principal.detail);
    assert!(principal.fix.as_deref().unwrap().contains("bedrock.amazonaws.com"));
    assert_eq!(root.verdict, Verdict::Fail);

    let open = run_checks(&setup(), &policies("trust-no-conditions.json", &["role-good.json"], &[]));
    assert_eq!(status(&open, "trust.bedrock_principal"), CheckStatus::Pass);
    assert_eq!(status(&open, "trust.confused_deputy"), CheckStatus::Warn);

    let other = run_checks(&setup(), &policies("trust-wrong-account.json", &["role-good.json"], &[]));
    assert_eq!(status(&other, "trust.bedrock_principal"), CheckStatus::Fail);
    assert!(check(&other, "trust.bedrock_principal").detail.contains("conditions do not hold"));

    let anyone = run_checks(&setup(), &policies("trust-open.json", &["role-good.json"], &[]));
    assert_eq!(status(&anyone, "trust.open_principal"), CheckStatus::Fail);

    // A condition on a key the check cannot know is unknown, never pass.
    let org = run_checks(&setup(), &policies("trust-mfa.json", &["role-good.json"], &[]));
    let principal = check(&org, "trust.bedrock_principal");
    assert_eq!(principal.status, CheckStatus::Unknown);
    assert!(principal.detail.contains("aws:PrincipalOrgID"), "{}", principal.detail);
}

#[test]
fn the_role_mistakes() {
    let bucket_only = run_checks(&setup(), &policies("trust-good.json", &["role-bucket-arn-only.json"], &[]));
    assert_eq!(status(&bucket_only, "role.s3_read_input"), CheckStatus::Fail, "objects are not the bucket");
    assert_eq!(status(&bucket_only, "role.s3_write_output"), CheckStatus::Fail);
    assert_eq!(status(&bucket_only, "role.s3_list_input"), CheckStatus::Pass);

    let prefix = run_checks(&setup(), &policies("trust-good.json", &["role-wrong-prefix.json"], &[]));
    let write = check(&prefix, "role.s3_write_output");
    assert_eq!(write.status, CheckStatus::Fail);
    assert!(
        write.detail.contains("arn:aws:s3:::out-bucket/results/abcd1234efgh/part-001.jsonl.out"),
        "{}",
        write.detail
    );
    assert!(write.fix.as_deref().unwrap().contains("arn:aws:s3:::out-bucket/results/*"));

    let star = run_checks(&setup(), &policies("trust-good.json", &["role-s3-star.json"], &[]));
    assert_eq!(status(&star, "role.s3_write_output"), CheckStatus::Pass);
    assert_eq!(status(&star, "role.least_privilege"), CheckStatus::Warn);

    // A Deny with NotResource beats the Allow for every path but archive/.
    let denied = run_checks(&setup(), &policies("trust-good.json", &["role-deny-output.json"], &[]));
    let write = check(&denied, "role.s3_write_output");
    assert_eq!(write.status, CheckStatus::Fail);
    assert!(write.detail.contains("\"OnlyArchive\""), "{}", write.detail);
    assert_eq!(status(&denied, "role.s3_read_input"), CheckStatus::Pass);
}

#[test]
fn the_caller_mistakes() {
    let run = |caller: &str| run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &[caller]));
    let other_role = run("caller-passrole-other-role.json");
    assert_eq!(status(&other_role, "caller.pass_role"), CheckStatus::Fail);
    assert!(check(&other_role, "caller.pass_role").fix.as_deref().unwrap().contains("iam:PassedToService"));
    assert_eq!(status(&other_role, "caller.create_job"), CheckStatus::Pass);

    let other_service = run("caller-passrole-other-service.json");
    assert_eq!(status(&other_service, "caller.pass_role"), CheckStatus::Fail);

    let power_user = run("caller-notaction.json");
    assert_eq!(status(&power_user, "caller.pass_role"), CheckStatus::Fail, "NotAction iam:* leaves PassRole out");
    assert_eq!(status(&power_user, "caller.create_job"), CheckStatus::Pass);
    assert_eq!(status(&power_user, "caller.s3_read_output"), CheckStatus::Pass);

    let region_deny = run("caller-admin-deny-bedrock.json");
    assert_eq!(status(&region_deny, "caller.create_job"), CheckStatus::Fail);
    assert!(check(&region_deny, "caller.create_job").detail.contains("NoOtherRegions"));
    assert_eq!(status(&region_deny, "caller.pass_role"), CheckStatus::Pass);

    let mfa = run("caller-mfa.json");
    assert_eq!(status(&mfa, "caller.pass_role"), CheckStatus::Unknown);
    assert!(check(&mfa, "caller.pass_role").detail.contains("aws:MultiFactorAuthPresent"));

    // No caller policies at all: unknown with the reason, and the verdict warns.
    let none = run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &[]));
    assert_eq!(status(&none, "caller.pass_role"), CheckStatus::Unknown);
    assert_eq!(none.verdict, Verdict::Warn);
}

#[test]
fn wildcards_not_action_and_not_resource_in_the_evaluator() {
    let policy = Policy::parse(
        "inline",
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"s3:Get?bject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"B","Effect":"Allow","NotAction":"s3:Delete*","NotResource":"arn:aws:s3:::secret/*"},
            {"Sid":"C","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/locked/*"}]}"#,
    )
    .unwrap();
    let context = Context::new();
    let decide = |action: &str, resource: &str| {
        evaluate(std::slice::from_ref(&policy), &Request { action, resource, principal: None, context: &context })
            .decision
    };
    assert_eq!(decide("s3:GetObject", "arn:aws:s3:::b/x"), Decision::Allowed);
    assert_eq!(decide("S3:GETOBJECT", "arn:aws:s3:::b/x"), Decision::Allowed, "actions ignore case");
    assert_eq!(decide("s3:DeleteObject", "arn:aws:s3:::b/x"), Decision::ImplicitDeny);
    assert_eq!(decide("s3:PutObject", "arn:aws:s3:::secret/x"), Decision::ImplicitDeny);
    assert_eq!(decide("s3:PutObject", "arn:aws:s3:::b/ok"), Decision::Allowed);
    assert_eq!(decide("s3:PutObject", "arn:aws:s3:::b/locked/x"), Decision::ExplicitDeny);
    // Resource policy variables resolve from the context, or leave the answer unknown.
    let own = Policy::parse(
        "own",
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#,
    )
    .unwrap();
    let known = Context::new().with("aws:username", &["ana"]);
    let ask = |ctx: &Context, resource: &str| {
        evaluate(
            std::slice::from_ref(&own),
            &Request { action: "s3:GetObject", resource, principal: None, context: ctx },
        )
        .decision
    };
    assert_eq!(ask(&known, "arn:aws:s3:::home/ana/x"), Decision::Allowed);
    assert_eq!(ask(&known, "arn:aws:s3:::home/bob/x"), Decision::ImplicitDeny);
    assert_eq!(ask(&Context::new(), "arn:aws:s3:::home/ana/x"), Decision::Unknown);
}

#[test]
fn malformed_documents_name_the_place() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iam/broken-action-type.json");
    let error = Policy::parse("broken-action-type.json", &std::fs::read_to_string(path).unwrap()).unwrap_err();
    assert_eq!(error.place, "Statement[0].Action");
    let cases = [
        ("{", "line 1"),
        (r#"{"Statement": []}"#, ""),
        (r#"{"Version": "2020-01-01", "Statement": []}"#, "Version"),
        (r#"{"Statement": {"Effect": "allow", "Action": "*"}}"#, "Statement[0].Effect"),
        (r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resorce": "*"}}"#, "Statement[0].Resorce"),
        (r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}}"#, "Statement[0]"),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": "x"}}}"#,
            "Statement[0].Condition.StringEquals",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Principal": {"Robot": "x"}, "Action": "*"}}"#,
            "Statement[0].Principal.Robot",
        ),
    ];
    for (text, place) in cases {
        match Policy::parse("p.json", text) {
            Err(e) => assert!(e.place.starts_with(place), "{text}: {e}"),
            Ok(p) if place.is_empty() => assert!(p.statements.is_empty()),
            Ok(p) => panic!("{text} parsed: {p:?}"),
        }
    }
}

#[test]
fn an_output_kms_key_is_checked_for_the_role_by_arn_by_id_and_an_alias_is_undecided() {
    let key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let with_key = |key: &str| AccessSetup { output_kms_key: Some(key.into()), ..setup() };
    // No key asked for: no key check.
    let none = run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &[]));
    assert!(none.checks.iter().all(|c| c.id != "role.kms_output"));
    // The role may use the key: by its ARN, and by its bare id (read in the job's region and account).
    let allowed = policies("trust-good.json", &["role-good.json", "role-kms-output.json"], &[]);
    for key in [key_arn, "1234abcd-12ab-34cd-56ef-1234567890ab"] {
        let report = run_checks(&with_key(key), &allowed);
        let kms = check(&report, "role.kms_output");
        assert_eq!(kms.status, CheckStatus::Pass, "{key}: {kms:#?}");
        assert!(kms.detail.contains("\"OutputKey\""), "names the deciding statement: {}", kms.detail);
    }
    // Without the statement the role cannot write encrypted outputs: a failure with the fix.
    let without = run_checks(&with_key(key_arn), &policies("trust-good.json", &["role-good.json"], &[]));
    let kms = check(&without, "role.kms_output");
    assert_eq!(kms.status, CheckStatus::Fail);
    assert!(kms.fix.as_deref().is_some_and(|fix| fix.contains("kms:GenerateDataKey")), "{kms:#?}");
    // An alias names a key only AWS can resolve: not decided offline.
    let alias = run_checks(&with_key("alias/batch-output"), &allowed);
    assert_eq!(status(&alias, "role.kms_output"), CheckStatus::Unknown);
}

#[test]
fn a_profile_needs_its_destination_models_and_invoke_model_is_a_warning_not_a_failure() {
    let report = run_checks(
        &setup(),
        &policies("trust-good.json", &["role-good.json"], &["caller-profile-source-region-only.json"]),
    );
    // Foundation models allowed in us-east-1 only: the US profile also routes to us-east-2 and us-west-2.
    let create = check(&report, "caller.create_job");
    assert_eq!(create.status, CheckStatus::Fail, "{create:#?}");
    assert!(
        create.detail.contains("arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-haiku-4-5"),
        "{create:#?}"
    );
    let fix = create.fix.as_deref().unwrap();
    assert!(
        fix.contains("arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"),
        "{fix}"
    );
    let invoke = check(&report, "caller.invoke_model");
    assert_eq!(invoke.status, CheckStatus::Warn, "{invoke:#?}");
    assert!(invoke.detail.contains("does not list bedrock:InvokeModel"), "{invoke:#?}");
    assert!(invoke.fix.as_deref().unwrap().contains("\"bedrock:InvokeModel\""));
    // A global profile's destination is the Region-less ARN; a foundation model has no destinations.
    let global =
        AccessSetup { model_id: ModelId::parse("global.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap(), ..setup() };
    assert_eq!(
        global.profile_model_arns(),
        ["arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"]
    );
    let model = AccessSetup { model_id: ModelId::parse("amazon.nova-lite-v1:0").unwrap(), ..setup() };
    assert!(model.profile_model_arns().is_empty());
}

#[test]
fn an_organisation_condition_on_resources_is_named_as_the_cause_of_access_denied() {
    let report =
        run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &["caller-org-condition.json"]));
    let org = check(&report, "org_conditions");
    assert_eq!(org.status, CheckStatus::Warn, "{org:#?}");
    assert!(
        org.detail
            .contains("statement \"OnlyOurOrganisation\" of your policy caller-org-condition.json (aws:ResourceOrgID)"),
        "{org:#?}"
    );
    assert!(org.detail.contains("belong to Bedrock"), "{org:#?}");
    let clean = run_checks(&setup(), &policies("trust-good.json", &["role-good.json"], &["caller-good.json"]));
    assert_eq!(status(&clean, "org_conditions"), CheckStatus::Pass);
}
