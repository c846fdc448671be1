//! The emulator over HTTP: Bedrock's REST-JSON routes for batch jobs and the foundation-model list, served
//! on a loopback address, with the worker ticking in the background.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::Method;

use crate::api::{CreateJobRequest, ListJobsRequest};
use crate::catalogue::{ModelFilter, ProfileQuery, foundation_models};
use crate::error::{ApiError, ErrorKind};
use crate::registry::{FileRegistry, Registry};
use crate::server::{Reply, ServedRequest, ServerHandle, percent_decode, query_pairs, respond, spawn_server};
use crate::store::ObjectStore;

/// A running emulator; stops when dropped.
pub type EmulatorHandle = ServerHandle;

/// Where a running emulator keeps its jobs.
enum Jobs {
    /// In this process (tests, `bedrock-batch emulator`).
    Memory(Arc<Mutex<Registry>>),
    /// In a file every process of one sandbox shares.
    File(Arc<FileRegistry>),
}

impl Jobs {
    /// Runs `call` on the jobs (as every process sees them, for a shared file).
    fn with<R>(&self, call: impl FnOnce(&mut Registry) -> R) -> Result<R, ApiError> {
        let failed = |what: String| {
            ApiError::new(ErrorKind::InternalServer, format!("The emulator failed ({what}); restart it."))
        };
        match self {
            Self::Memory(registry) => registry.lock().map(|mut r| call(&mut r)).map_err(|e| failed(e.to_string())),
            Self::File(registry) => {
                registry.with(call).map_err(|e| failed(format!("{}: {e}", registry.path().display())))
            }
        }
    }
}

/// Shared state of a running emulator.
struct State {
    jobs: Jobs,
    store: Arc<dyn ObjectStore>,
    region: String,
    /// bedrock-runtime calls answered (Converse, InvokeModel, CountTokens), for tests that count what was sent.
    runtime_calls: std::sync::atomic::AtomicU64,
    /// bedrock-runtime calls still to refuse with a ThrottlingException (a test control).
    runtime_throttles: std::sync::atomic::AtomicU64,
    /// Runtime calls still to fail with InternalServerException (500).
    runtime_failures: std::sync::atomic::AtomicU64,
    /// An on-demand requests-per-minute quota, when a test sets one.
    runtime_quota: crate::runtime_quota::RuntimeQuota,
}

/// Starts the emulator on `addr` (port 0 picks a free port) in a thread of its own; the worker advances
/// every job each `tick`.
pub fn spawn(
    addr: SocketAddr,
    registry: Registry,
    store: Arc<dyn ObjectStore>,
    region: &str,
    tick: Duration,
) -> std::io::Result<EmulatorHandle> {
    spawn_shared(addr, Arc::new(Mutex::new(registry)), store, region, tick)
}

/// Like [`spawn`], over a registry the caller keeps a handle to (tests inspect and steer it).
pub fn spawn_shared(
    addr: SocketAddr,
    registry: Arc<Mutex<Registry>>,
    store: Arc<dyn ObjectStore>,
    region: &str,
    tick: Duration,
) -> std::io::Result<EmulatorHandle> {
    spawn_with(addr, Jobs::Memory(registry), store, region, tick)
}

/// Like [`spawn`], over jobs kept in a file that other processes' emulators share (the offline sandbox:
/// the desktop app and any number of CLI commands, each serving its own port, see and advance the same jobs).
pub fn spawn_over_file(
    addr: SocketAddr,
    registry: Arc<FileRegistry>,
    store: Arc<dyn ObjectStore>,
    region: &str,
    tick: Duration,
) -> std::io::Result<EmulatorHandle> {
    spawn_with(addr, Jobs::File(registry), store, region, tick)
}

fn spawn_with(
    addr: SocketAddr,
    jobs: Jobs,
    store: Arc<dyn ObjectStore>,
    region: &str,
    tick: Duration,
) -> std::io::Result<EmulatorHandle> {
    let state = Arc::new(State {
        jobs,
        store,
        region: region.to_string(),
        runtime_calls: Default::default(),
        runtime_throttles: Default::default(),
        runtime_failures: Default::default(),
        runtime_quota: Default::default(),
    });
    let ticker = {
        let state = state.clone();
        Box::new(move || -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
            Box::pin(async move {
                let mut interval = tokio::time::interval(tick);
                loop {
                    interval.tick().await;
                    let state = state.clone();
                    // The worker reads and writes objects: keep it off the async threads.
                    let _ = tokio::task::spawn_blocking(move || {
                        let ticked = state.jobs.with(|registry| {
                            if registry.has_unfinished_jobs() {
                                registry.tick(state.store.as_ref());
                            }
                        });
                        if let Err(error) = ticked {
                            eprintln!("warning: the emulator could not advance its jobs: {}", error.message);
                        }
                    })
                    .await;
                }
            })
        })
    };
    let handler = Arc::new(move |request: ServedRequest| {
        let mut reply = handle(&state, request)?;
        if let Ok(id) = hyper::header::HeaderValue::from_str(&request_id()) {
            reply.headers_mut().insert("x-amzn-RequestId", id);
        }
        Some(reply)
    });
    spawn_server(addr, "bedrock-emulator", handler, Some(ticker))
}

/// A request id shaped as Bedrock's (a UUID, `x-amzn-RequestId` on every answer, errors included): unique
/// within the process, from a counter mixed with the time it started.
fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static EPOCH: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mix = |x: u64| (x ^ (x >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let (high, low) = (mix(epoch ^ n.rotate_left(17)), mix(n ^ epoch.rotate_left(29)));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0x0fff,
        0x8000 | (low >> 48) & 0x3fff,
        low & 0xffff_ffff_ffff
    )
}

fn error(error: &ApiError) -> Reply {
    let mut response = respond(error.kind.http_status(), "application/json", error.body());
    response.headers_mut().insert("x-amzn-errortype", hyper::header::HeaderValue::from_static(error.kind.type_name()));
    Some(response)
}

/// The largest request body the emulator reads: Bedrock's control-plane calls are small JSON documents, and a
/// Converse request stays well below this (its images and documents are limited to a few MB each).
const MAX_REQUEST_BYTES: u64 = 32 * 1024 * 1024;

fn handle(state: &State, request: ServedRequest) -> Reply {
    let ServedRequest { head, mut body } = request;
    let too_large = || {
        ApiError::new(
            ErrorKind::Validation,
            format!("The request body is larger than the {} MiB this endpoint accepts.", MAX_REQUEST_BYTES >> 20),
        )
    };
    if crate::server::declared_length(&head).is_some_and(|n| n > MAX_REQUEST_BYTES) {
        return error(&too_large());
    }
    let body = match body.read_to_limit(MAX_REQUEST_BYTES) {
        Ok(body) => body,
        Err(crate::server::BodyError::TooLarge) => return error(&too_large()),
        Err(crate::server::BodyError::Broken(why)) => {
            return error(&ApiError::new(ErrorKind::Validation, format!("The request body was cut short: {why}.")));
        }
    };
    let (method, path) = (head.method.clone(), head.uri.path().to_string());
    let params = query_pairs(&head);
    let segments: Vec<String> = path.trim_matches('/').split('/').map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if let (&Method::POST, ["service", crate::batch_metrics::SERVICE, "operation", operation]) =
        (&method, &segments[..])
    {
        return metrics_reply(state, crate::batch_metrics::Wire::Cbor, operation, &body);
    }
    let target = head.headers.get("x-amz-target").and_then(|t| t.to_str().ok()).unwrap_or_default();
    if let Some(operation) = target.strip_prefix(crate::batch_metrics::SERVICE).and_then(|t| t.strip_prefix('.')) {
        return metrics_reply(state, crate::batch_metrics::Wire::Json, operation, &body);
    }
    // bedrock-runtime's calls need no jobs: answered at once (the sandbox points both clients at this port).
    if let Some(reply) = runtime_reply(state, &method, &segments, &body) {
        return reply;
    }
    if let Some(reply) = runtime_control(state, &method, &segments) {
        return reply;
    }
    let answer = state.jobs.with(|registry| {
        if let Some(injected) = registry.take_internal_error() {
            return Err(injected);
        }
        answer(state, registry, &method, &path, &segments, &params, &body)
    });
    match answer.and_then(|a| a) {
        Ok(body) => Some(respond(200, "application/json", body)),
        Err(e) => error(&e),
    }
}

/// CloudWatch's answer to `operation` (GetMetricData only) in `wire`'s protocol, from the jobs as they are now.
fn metrics_reply(state: &State, wire: crate::batch_metrics::Wire, operation: &str, body: &[u8]) -> Reply {
    use crate::batch_metrics::{MetricsError, Wire, error_body, get_metric_data};
    let now = batch_core::clock::unix_now();
    let answer = match operation {
        "GetMetricData" => state
            .jobs
            .with(|registry| get_metric_data(registry, wire, body, now))
            .unwrap_or_else(|e| Err(MetricsError { code: "InternalServiceFault", message: e.message })),
        other => Err(MetricsError {
            code: "InvalidAction",
            message: format!("The emulator serves GetMetricData of CloudWatch only, not {other}."),
        }),
    };
    let (status, bytes) = match answer {
        Ok(bytes) => (200, bytes),
        Err(error) => (if error.code == "InternalServiceFault" { 500 } else { 400 }, error_body(wire, &error)),
    };
    let mut response = respond(status, wire.content_type(), bytes);
    if wire == Wire::Cbor {
        response.headers_mut().insert("smithy-protocol", hyper::header::HeaderValue::from_static("rpc-v2-cbor"));
    }
    Some(response)
}

/// The emulator's controls of its runtime side (not Bedrock's API): refuse the next N runtime calls as throttled
/// (`POST /emulator/runtime-throttle/N`) or as a failure of the service (`POST /emulator/runtime-fail/N`, 500),
/// enforce an on-demand quota of N requests a minute (`POST /emulator/runtime-quota/N`, 0 to lift it),
/// and how many runtime calls were answered (`GET /emulator/runtime-calls`).
fn runtime_control(state: &State, method: &Method, segments: &[&str]) -> Option<Reply> {
    use std::sync::atomic::Ordering;
    let answer = match (method, segments) {
        (&Method::POST, ["emulator", "runtime-throttle", count]) => {
            let count = count.parse::<u64>().unwrap_or(0);
            state.runtime_throttles.store(count, Ordering::SeqCst);
            serde_json::json!({ "throttling": count })
        }
        (&Method::POST, ["emulator", "runtime-quota", per_minute]) => {
            let per_minute = per_minute.parse::<u64>().unwrap_or(0);
            state.runtime_quota.set(per_minute);
            serde_json::json!({ "requestsPerMinute": per_minute })
        }
        (&Method::POST, ["emulator", "runtime-fail", count]) => {
            let count = count.parse::<u64>().unwrap_or(0);
            state.runtime_failures.store(count, Ordering::SeqCst);
            serde_json::json!({ "failing": count })
        }
        (&Method::GET, ["emulator", "runtime-calls"]) => {
            serde_json::json!({ "calls": state.runtime_calls.load(Ordering::SeqCst) })
        }
        _ => return None,
    };
    Some(Some(respond(200, "application/json", answer.to_string())))
}

/// The answer to a bedrock-runtime call (Converse, InvokeModel, CountTokens), counted, and refused as throttled
/// or failed while the emulator is told to; `None` for another route.
fn runtime_reply(state: &State, method: &Method, segments: &[&str], body: &[u8]) -> Option<Reply> {
    use std::sync::atomic::Ordering;
    let (&Method::POST, ["model", model, call @ ("converse" | "invoke" | "count-tokens")]) = (method, segments) else {
        return None;
    };
    state.runtime_calls.fetch_add(1, Ordering::SeqCst);
    let over_quota = *call != "count-tokens" && !state.runtime_quota.admit();
    if over_quota
        || state.runtime_throttles.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    {
        return Some(error(&ApiError::new(
            ErrorKind::Throttling,
            "Too many requests, please wait before trying again.",
        )));
    }
    if state.runtime_failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        return Some(error(&ApiError::new(
            ErrorKind::InternalServer,
            "The server encountered an internal error while processing the request.",
        )));
    }
    let json = |answer: Result<serde_json::Value, ApiError>| match answer {
        Ok(value) => Some(respond(200, "application/json", value.to_string())),
        Err(e) => error(&e),
    };
    Some(match *call {
        "converse" => json(crate::runtime::converse(model, body)),
        "count-tokens" => json(crate::runtime::count_tokens(model, body)),
        // "invoke", the only other call the pattern above admits.
        _ => match crate::runtime::invoke_model(model, body) {
            Ok((answer, input_tokens, output_tokens)) => {
                let mut reply = respond(200, "application/json", answer.to_string());
                for (name, count) in [
                    ("x-amzn-bedrock-input-token-count", input_tokens),
                    ("x-amzn-bedrock-output-token-count", output_tokens),
                ] {
                    reply.headers_mut().insert(name, hyper::header::HeaderValue::from(count));
                }
                Some(reply)
            }
            Err(e) => error(&e),
        },
    })
}

/// The answer to one call of the API, on the jobs as they are now.
fn answer(
    state: &State,
    registry: &mut Registry,
    method: &Method,
    path: &str,
    segments: &[&str],
    params: &[(String, String)],
    body: &[u8],
) -> Result<String, ApiError> {
    match (method, segments) {
        (&Method::POST, ["model-invocation-job"]) => serde_json::from_slice::<CreateJobRequest>(body)
            .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The request body is not valid: {e}")))
            .and_then(|create| registry.create(create))
            .map(|arn| serde_json::json!({ "jobArn": arn }).to_string()),
        (&Method::GET, ["model-invocation-job", id]) => {
            registry.get(id).map(|d| serde_json::to_string(&d).unwrap_or_default())
        }
        (&Method::POST, ["model-invocation-job", id, "stop"]) => registry.stop(id).map(|()| "{}".to_string()),
        (&Method::GET, ["model-invocation-jobs"]) => {
            let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let list = ListJobsRequest {
                status_equals: get("statusEquals"),
                name_contains: get("nameContains"),
                max_results: get("maxResults").and_then(|m| m.parse().ok()),
                next_token: get("nextToken"),
                descending: get("sortOrder").as_deref() != Some("Ascending"),
                submit_time_after: get("submitTimeAfter"),
                submit_time_before: get("submitTimeBefore"),
                sort_by: get("sortBy"),
                sort_order: get("sortOrder"),
            };
            registry.list(&list).map(|l| serde_json::to_string(&l).unwrap_or_default())
        }
        // Emulator controls (not Bedrock's API): release held jobs (fault `hold`), one or all.
        (&Method::POST, ["emulator", "jobs", id, "release"]) => {
            registry.release(Some(id)).map(|n| serde_json::json!({ "released": n }).to_string())
        }
        (&Method::POST, ["emulator", "release"]) => {
            registry.release(None).map(|n| serde_json::json!({ "released": n }).to_string())
        }
        (&Method::GET, ["foundation-models"]) => {
            let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let filter = ModelFilter {
                provider: get("byProvider"),
                output_modality: get("byOutputModality"),
                inference_type: get("byInferenceType"),
                customization_type: get("byCustomizationType"),
            };
            filter.validate().map(|()| foundation_models(&state.region, &filter).to_string())
        }
        (&Method::GET, ["foundation-models", model]) => {
            crate::catalogue::foundation_model(&state.region, model).map(|v| v.to_string())
        }
        (&Method::GET, ["inference-profiles", profile]) => {
            crate::catalogue::inference_profile(&state.region, registry.account(), profile).map(|v| v.to_string())
        }
        (&Method::GET, ["inference-profiles"]) => {
            let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let query =
                ProfileQuery { type_equals: get("type"), max_results: get("maxResults"), next_token: get("nextToken") };
            crate::catalogue::inference_profiles(&state.region, registry.account(), &query).map(|v| v.to_string())
        }
        (&Method::POST, ["listTagsForResource"]) => {
            let request: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The request body is not valid: {e}")))?;
            let arn = request.get("resourceARN").and_then(|a| a.as_str()).ok_or_else(|| {
                ApiError::validation(
                    "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null",
                )
            })?;
            registry.tags(arn).map(|v| v.to_string())
        }
        _ => Err(ApiError::new(ErrorKind::UnknownOperation, format!("The emulator does not serve {method} {path}."))),
    }
}
