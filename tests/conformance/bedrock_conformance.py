"""Conformance of the Bedrock emulator to Bedrock's service model (botocore's JSON model in the test venv).

Run by tests/emulator_conformance.rs against a sandbox it starts:
    python bedrock_conformance.py --bedrock URL --s3 URL --bucket NAME

Requests are built from the service model with boto3 (parameter validation off, so nothing is checked before it
reaches the emulator): for every operation the app, the CLI or a sandbox user calls, a valid request, and for each
constrained member of it (length, pattern, enum, range) one request breaking that constraint alone. Every raw
response is checked against the model: `x-amzn-RequestId` on each; a success's body against the output shape
(members the shape declares, required ones present, types, enums, lengths); an error's type among the errors the
operation declares, with the HTTP status the model gives it. Then the behaviours the app relies on: the status walk,
idempotent client tokens, the output layout and the manifest's counts. Last, CloudWatch's GetMetricData of the batch
metrics (`AWS/Bedrock/Batch`), its answer against the output shape and the job's tokens in the metrics.

Prints one line per check and exits 1 if any failed.
"""

import argparse
import base64
import json
import re
import sys
import time
import uuid

import boto3
import botocore.session
from botocore.config import Config

FAILURES = []
CHECKS = [0]


def check(condition, what):
    CHECKS[0] += 1
    if not condition:
        FAILURES.append(what)
        print(f"FAIL {what}")


# ---- raw responses --------------------------------------------------------------------------------------------

class Raw:
    """The last raw HTTP response botocore received, captured before it parses it."""

    def __init__(self):
        self.status = None
        self.headers = {}
        self.body = b""

    def capture(self, response_dict=None, **_):
        self.status = response_dict["status_code"]
        self.headers = {k.lower(): v for k, v in response_dict["headers"].items()}
        body = response_dict["body"]
        self.body = body if isinstance(body, bytes) else b""


# ---- checking a body against a shape ----------------------------------------------------------------------------

def length_errors(shape, value, path):
    """What in the length of a string or list breaks the shape's min and max."""
    errors = []
    if "min" in shape.metadata and len(value) < shape.metadata["min"]:
        errors.append(f"{path}: shorter than {shape.metadata['min']}")
    if "max" in shape.metadata and len(value) > shape.metadata["max"]:
        errors.append(f"{path}: longer than {shape.metadata['max']}")
    return errors


def shape_errors(shape, value, path):
    """What in `value` breaks `shape` (a botocore Shape), as a list of messages."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = []
        members = shape.members
        if shape.metadata.get("union"):
            if len(value) != 1:
                errors.append(f"{path}: a union must have exactly one member, has {sorted(value)}")
        for name in value:
            if name not in members:
                errors.append(f"{path}.{name}: not a member of {shape.name}")
        for name in shape.required_members:
            member = members[name]
            if member.serialization.get("location") in (None, "") and name not in value:
                errors.append(f"{path}.{name}: required by {shape.name}, missing")
        for name, item in value.items():
            if name in members and item is not None:
                errors += shape_errors(members[name], item, f"{path}.{name}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        errors = length_errors(shape, value, path)
        for i, item in enumerate(value):
            errors += shape_errors(shape.member, item, f"{path}[{i}]")
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        errors = []
        for key, item in value.items():
            errors += shape_errors(shape.value, item, f"{path}[{key}]")
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r:.40}"]
        errors = length_errors(shape, value, path)
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
        return errors
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r:.40}"]
    if kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if kind == "timestamp":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return []
        iso = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
        return [] if isinstance(value, str) and re.match(iso, value) else [f"{path}: not an ISO 8601 time: {value!r}"]
    if kind == "blob":
        if not isinstance(value, str):
            return [f"{path}: expected base64 text"]
        try:
            base64.b64decode(value, validate=True)
            return []
        except Exception:
            return [f"{path}: not base64"]
    return []  # documents take any JSON


def error_type(raw):
    header = raw.headers.get("x-amzn-errortype", "")
    if header:
        return header.split(":")[0]
    try:
        body = json.loads(raw.body or b"{}")
        return (body.get("__type") or body.get("code") or "").split("#")[-1]
    except ValueError:
        return ""


def call(client, raw, operation, params):
    """Calls `operation` with `params`, returns (ok, raw copy) after checking the response against the model."""
    model = client.meta.service_model.operation_model(operation)
    method = getattr(client, botocore.xform_name(operation))
    try:
        method(**params)
        ok = True
    except client.exceptions.ClientError:
        ok = False
    label = f"{client.meta.service_model.service_name}.{operation}"
    check("x-amzn-requestid" in raw.headers, f"{label}: x-amzn-RequestId on every answer (HTTP {raw.status})")
    if ok:
        check(raw.status == model.http.get("responseCode", 200), f"{label}: success status {raw.status}")
        output = model.output_shape
        payload = output.serialization.get("payload") if output is not None else None
        if output is not None and payload is None:
            try:
                body = json.loads(raw.body or b"{}")
            except ValueError:
                body = None
            check(isinstance(body, dict), f"{label}: the body is a JSON object")
            if isinstance(body, dict):
                for message in shape_errors(output, body, label):
                    check(False, message)
        for name, member in (output.members.items() if output is not None else []):
            location = member.serialization.get("location")
            if location == "header" and name in output.required_members:
                header = member.serialization["name"].lower()
                check(header in raw.headers, f"{label}: required header {header}")
    else:
        kind = error_type(raw)
        declared = {e.name: e.metadata.get("error", {}).get("httpStatusCode") for e in model.error_shapes}
        check(kind in declared, f"{label}: error {kind!r} (HTTP {raw.status}) is one the operation declares")
        if kind in declared and declared[kind] is not None:
            check(raw.status == declared[kind], f"{label}: {kind} is HTTP {declared[kind]}, got {raw.status}")
        try:
            message = json.loads(raw.body or b"{}").get("message", "")
        except ValueError:
            message = ""
        check(bool(message), f"{label}: the error says why")
    return ok, (raw.status, error_type(raw), bytes(raw.body))


# ---- requests that break one constraint -----------------------------------------------------------------------

def breaking_values(shape):
    """Values that break one constraint of a scalar shape, each with the rule it breaks."""
    values = []
    meta = shape.metadata
    if shape.type_name == "string":
        if shape.enum:
            values.append(("NOT_IN_ENUM", "enum"))
        if meta.get("min", 0) >= 1:
            values.append(("", f"min length {meta['min']}"))
        if "max" in meta and meta["max"] < 5000:
            values.append(("a" * (meta["max"] + 1), f"max length {meta['max']}"))
        if "pattern" in meta:
            for candidate in ("in valid!", "\u00e9\u00e9 @@", "UPPER/and:colons"):
                if re.search(meta["pattern"], candidate) is None and meta.get("min", 0) <= len(candidate):
                    values.append((candidate, f"pattern {meta['pattern'][:60]}"))
                    break
    if shape.type_name in ("integer", "long"):
        if "min" in meta:
            values.append((meta["min"] - 1, f"min {meta['min']}"))
        if "max" in meta:
            values.append((meta["max"] + 1, f"max {meta['max']}"))
    return values


def variants(shape, request, path=()):
    """(path, value, rule) for each constraint of each member present in `request`, recursively."""
    for name, member in shape.members.items():
        if name not in request:
            continue
        here = path + (name,)
        if member.type_name == "structure":
            yield from variants(member, request[name], here)
        elif member.type_name == "list" and member.member.type_name == "structure" and request[name]:
            for sub_path, value, rule in variants(member.member, request[name][0], ()):
                yield here + (0,) + sub_path, value, rule
        else:
            for value, rule in breaking_values(member):
                yield here, value, rule


def with_value(request, path, value):
    copy = json.loads(json.dumps(request))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


# ---- the suite ------------------------------------------------------------------------------------------------

def check_batch_metrics(session, config, creds, endpoint, raw, model, manifest):
    """GetMetricData of the batch metrics of `model`, after its one job completed with `manifest`'s tokens.

    CloudWatch's model lists RPC v2 CBOR first (what aws-sdk-cloudwatch sends; crates/batch-aws/tests/lifecycle.rs
    reads it through that SDK) and AWS JSON 1.0, which botocore prefers: the JSON answer is checked here."""
    import datetime
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint, config=config, **creds)
    cloudwatch.meta.events.register("before-parse", raw.capture)
    protocols = cloudwatch.meta.service_model.metadata.get("protocols", [])
    check(protocols[:2] == ["smithy-rpc-v2-cbor", "json"], f"CloudWatch's model lists CBOR, then JSON ({protocols})")
    names = {"records": "NumberOfRecordsPendingProcessing", "input": "NumberOfInputTokensProcessedPerMinute",
             "output": "NumberOfOutputTokensProcessedPerMinute"}
    queries = [{"Id": key, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/Bedrock/Batch", "MetricName": name, "Dimensions": [{"Name": "ModelId", "Value": model}]},
        "Period": 60, "Stat": "Average"}} for key, name in names.items()]
    now = datetime.datetime.now(datetime.timezone.utc)
    request = {"MetricDataQueries": queries, "StartTime": now - datetime.timedelta(minutes=15),
               "EndTime": now + datetime.timedelta(minutes=1), "ScanBy": "TimestampDescending"}
    ok, _ = call(cloudwatch, raw, "GetMetricData", request)
    check(ok, "GetMetricData: a valid request is accepted")
    answer = cloudwatch.get_metric_data(**request)
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    check(sorted(results) == sorted(names), f"GetMetricData: one result per query ({sorted(results)})")
    check(all(r["StatusCode"] == "Complete" and len(r["Timestamps"]) == len(r["Values"]) for r in results.values()),
          "GetMetricData: each result complete, one value per timestamp")
    check(results["records"]["Values"] == [0.0], f"nothing pending once the job completed: {results['records']['Values']}")
    check(sum(results["input"]["Values"]) == manifest["inputTokenCount"]
          and sum(results["output"]["Values"]) == manifest["outputTokenCount"],
          f"the tokens processed a minute add up to the manifest's: {results['input']['Values']}, {results['output']['Values']}")
    times = results["input"]["Timestamps"]
    check(times == sorted(times, reverse=True) and all(t.second == 0 for t in times), "minutes, newest first")
    other = dict(request, MetricDataQueries=[dict(queries[0], MetricStat=dict(queries[0]["MetricStat"], Metric=dict(
        queries[0]["MetricStat"]["Metric"], Dimensions=[{"Name": "ModelId", "Value": "amazon.titan-text-express-v1"}])))])
    check(cloudwatch.get_metric_data(**other)["MetricDataResults"][0]["Values"] == [],
          "GetMetricData: no values for a model without jobs")
    try:
        cloudwatch.get_metric_data(MetricDataQueries=[], StartTime=now, EndTime=now - datetime.timedelta(minutes=1))
        check(False, "GetMetricData: an empty query list is refused")
    except cloudwatch.exceptions.ClientError as e:
        check(raw.status == 400 and e.response["Error"]["Message"] != "", f"GetMetricData: a bad request is a 400 that says why ({raw.status})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bedrock", required=True)
    parser.add_argument("--s3", required=True)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()

    config = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    creds = dict(region_name="us-east-1", aws_access_key_id="AKIDCONFORMANCE", aws_secret_access_key="conformance")
    session = boto3.session.Session()
    bedrock = session.client("bedrock", endpoint_url=args.bedrock, config=config, **creds)
    runtime = session.client("bedrock-runtime", endpoint_url=args.bedrock, config=config, **creds)
    s3 = session.client("s3", endpoint_url=args.s3, config=Config(s3={"addressing_style": "path"}), **creds)
    raw = Raw()
    for client in (bedrock, runtime):
        client.meta.events.register("before-parse", raw.capture)

    account = "000000000000"
    role = f"arn:aws:iam::{account}:role/BedrockBatchRole"
    model = "amazon.nova-lite-v1:0"
    records = [{"recordId": f"R{i:04d}", "modelInput": {"messages": [{"role": "user", "content": [{"text": f"Rate item {i}: fine"}]}],
                                                        "inferenceConfig": {"maxTokens": 20}}} for i in range(120)]
    s3.put_object(Bucket=args.bucket, Key="in/records.jsonl",
                  Body="".join(json.dumps(r) + "\n" for r in records).encode())
    create = {
        "jobName": "conformance-job",
        "roleArn": role,
        "modelId": model,
        "clientRequestToken": "conformance-token-1",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": f"s3://{args.bucket}/in/records.jsonl", "s3InputFormat": "JSONL",
                                                  "s3BucketOwner": account}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"s3://{args.bucket}/out/", "s3EncryptionKeyId":
                                                    f"arn:aws:kms:us-east-1:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                                    "s3BucketOwner": account}},
        "timeoutDurationInHours": 24,
        "tags": [{"key": "project", "value": "conformance"}],
        "modelInvocationType": "Converse",
        "vpcConfig": {"subnetIds": ["subnet-0123456789abcdef0"], "securityGroupIds": ["sg-0123456789abcdef0"]},
    }

    # Valid calls, each response against the output shape.
    ok, first = call(bedrock, raw, "CreateModelInvocationJob", create)
    check(ok, "CreateModelInvocationJob: a valid request is accepted")
    job_arn = json.loads(first[2])["jobArn"] if ok else ""
    ok, again = call(bedrock, raw, "CreateModelInvocationJob", create)
    check(ok and json.loads(again[2]).get("jobArn") == job_arn, "CreateModelInvocationJob: the same client token gives the same job")
    valid_calls = [
        (bedrock, "GetModelInvocationJob", {"jobIdentifier": job_arn}),
        (bedrock, "ListModelInvocationJobs", {"statusEquals": "Submitted", "nameContains": "conformance", "sortBy": "CreationTime",
                                              "sortOrder": "Descending", "maxResults": 10,
                                              "submitTimeAfter": "2020-01-01T00:00:00Z", "submitTimeBefore": "2100-01-01T00:00:00Z"}),
        (bedrock, "ListFoundationModels", {"byProvider": "Amazon", "byOutputModality": "TEXT", "byInferenceType": "ON_DEMAND"}),
        (bedrock, "GetFoundationModel", {"modelIdentifier": model}),
        (bedrock, "ListInferenceProfiles", {"typeEquals": "SYSTEM_DEFINED", "maxResults": 5}),
        (bedrock, "GetInferenceProfile", {"inferenceProfileIdentifier": "us.amazon.nova-lite-v1:0"}),
        (bedrock, "ListTagsForResource", {"resourceARN": job_arn}),
        (runtime, "Converse", {"modelId": model, "messages": [{"role": "user", "content": [{"text": "Rate: fine"}]}],
                               "inferenceConfig": {"maxTokens": 20, "temperature": 0.5, "topP": 0.9}}),
        (runtime, "InvokeModel", {"modelId": model, "contentType": "application/json", "accept": "application/json",
                                  "body": json.dumps({"messages": [{"role": "user", "content": [{"text": "Rate: fine"}]}]})}),
        (runtime, "CountTokens", {"modelId": model, "input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Rate"}]}]}}}),
    ]
    for client, operation, params in valid_calls:
        ok, _ = call(client, raw, operation, params)
        check(ok, f"{operation}: a valid request is accepted")
    ok, _ = call(runtime, raw, "InvokeModel", valid_calls[8][2])
    for header in ("x-amzn-bedrock-input-token-count", "x-amzn-bedrock-output-token-count"):
        check(header in raw.headers, f"InvokeModel: {header} is sent")
    tags = bedrock.list_tags_for_resource(resourceARN=job_arn)["tags"]
    check(tags == [{"key": "project", "value": "conformance"}], f"ListTagsForResource: the job's tags, got {tags}")
    page = bedrock.list_inference_profiles(maxResults=2)
    check(len(page["inferenceProfileSummaries"]) == 2 and "nextToken" in page, "ListInferenceProfiles: pages by maxResults")
    check(bedrock.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"] == [],
          "ListInferenceProfiles: typeEquals APPLICATION lists no system profiles")
    names = [m.get("modelName") for m in bedrock.list_foundation_models()["modelSummaries"]]
    check(all(n and not n.startswith(("amazon.", "anthropic.")) for n in names), "ListFoundationModels: display names")

    # One broken constraint at a time: a ValidationException (HTTP 400), never an acceptance.
    broken = [(bedrock, "CreateModelInvocationJob", create),
              (bedrock, "ListModelInvocationJobs", valid_calls[1][2]),
              (bedrock, "ListFoundationModels", valid_calls[2][2]),
              (bedrock, "ListInferenceProfiles", valid_calls[4][2]),
              (bedrock, "GetModelInvocationJob", {"jobIdentifier": job_arn}),
              (bedrock, "StopModelInvocationJob", {"jobIdentifier": job_arn}),
              (bedrock, "ListTagsForResource", {"resourceARN": job_arn}),
              (runtime, "Converse", valid_calls[7][2])]
    tried = 0
    for client, operation, base in broken:
        shape = client.meta.service_model.operation_model(operation).input_shape
        for path, value, rule in variants(shape, base):
            request = with_value(base, path, value)
            if operation == "CreateModelInvocationJob":
                request["clientRequestToken"] = f"conformance-{uuid.uuid4().hex[:20]}"
                if path == ("clientRequestToken",):
                    request["clientRequestToken"] = value
            ok, (status, kind, _) = call(client, raw, operation, request)
            tried += 1
            where = ".".join(str(p) for p in path)
            check(not ok and status == 400 and kind == "ValidationException",
                  f"{operation}: {where} = {value!r:.30} breaks {rule}: expected ValidationException 400, got "
                  f"{'success' if ok else kind} {status}")
    check(tried >= 40, f"at least 40 generated invalid requests were sent ({tried})")
    print(f"{tried} generated invalid requests")

    # Unknown operations and models answer as AWS does.
    import urllib.request
    try:
        urllib.request.urlopen(urllib.request.Request(args.bedrock + "/no-such-operation", method="GET"))
        check(False, "an unknown route is refused")
    except urllib.error.HTTPError as e:
        check(e.code == 404 and e.headers.get("x-amzn-ErrorType", "").startswith("UnknownOperationException"),
              f"an unknown route is UnknownOperationException 404 (got {e.code})")
    ok, (status, kind, _) = call(runtime, raw, "Converse", dict(valid_calls[7][2], modelId="acme.no-such-model-v1:0"))
    check(not ok and kind == "ValidationException", f"Converse: an unknown model is a ValidationException (got {kind})")
    ok, (status, kind, _) = call(bedrock, raw, "GetModelInvocationJob", {"jobIdentifier": "abcdefghijkl"})
    check(not ok and kind == "ResourceNotFoundException" and status == 404, f"an unknown job is ResourceNotFound 404 ({kind})")

    # The status walk, the output layout and the manifest's counts.
    seen = []
    deadline = time.time() + 60
    status = ""
    while time.time() < deadline:
        status = bedrock.get_model_invocation_job(jobIdentifier=job_arn)["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("Completed", "Failed", "Stopped", "PartiallyCompleted", "Expired"):
            break
        time.sleep(0.05)
    order = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    check(status == "Completed", f"the job completes (statuses seen: {seen})")
    check([s for s in order if s in seen] == seen, f"statuses only move forward: {seen}")
    job_id = job_arn.rsplit("/", 1)[-1]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=args.bucket, Prefix=f"out/{job_id}/").get("Contents", [])]
    check(f"out/{job_id}/records.jsonl.out" in keys and f"out/{job_id}/manifest.json.out" in keys,
          f"outputs under <output>/<jobId>/: {keys}")
    manifest = json.loads(s3.get_object(Bucket=args.bucket, Key=f"out/{job_id}/manifest.json.out")["Body"].read())
    check(manifest.get("totalRecordCount") == 120 and manifest.get("processedRecordCount") == 120
          and manifest.get("successRecordCount", 0) + manifest.get("errorRecordCount", 0) == 120,
          f"the manifest counts every record: {manifest}")
    text = s3.get_object(Bucket=args.bucket, Key=f"out/{job_id}/records.jsonl.out")["Body"].read().decode()
    lines = text.split("\n")
    check(text.endswith("\n") and len(lines) == 121, "one line per record, each ending in a newline")
    first_line = json.loads(lines[0], object_pairs_hook=lambda pairs: [k for k, _ in pairs])
    check(first_line == ["modelInput", "modelOutput", "recordId"], f"keys in the order real files show: {first_line}")
    ids = sorted(json.loads(line)["recordId"] for line in lines if line)
    check(ids == sorted(r["recordId"] for r in records), "every recordId comes back once")
    ok, (status, kind, _) = call(bedrock, raw, "StopModelInvocationJob", {"jobIdentifier": job_arn})
    check(not ok and status == 400 and kind in ("ValidationException", "ConflictException"),
          f"stopping an ended job is refused as the model declares (got {kind} {status})")

    check_batch_metrics(session, config, creds, args.bedrock, raw, model, manifest)

    print(f"{CHECKS[0]} checks, {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
