//! The emulator over HTTP: Bedrock's REST-JSON routes for batch jobs and the foundation-model list, served
//! on a loopback address, with the worker ticking in the background.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::api::{CreateJobRequest, ListJobsRequest};
use crate::catalogue::foundation_models;
use crate::error::{ApiError, ErrorKind};
use crate::registry::Registry;
use crate::store::ObjectStore;

/// Shared state of a running emulator.
struct State {
    registry: Mutex<Registry>,
    store: Arc<dyn ObjectStore>,
    region: String,
}

/// A running emulator; stops when dropped.
pub struct EmulatorHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, for an SDK's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
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
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State { registry: Mutex::new(registry), store, region: region.to_string() });
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let thread = std::thread::Builder::new().name("bedrock-emulator".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("error: the Bedrock emulator could not start its runtime: {error}");
                return;
            }
        };
        runtime.block_on(serve(listener, state, tick, shutdown_rx));
    })?;
    Ok(EmulatorHandle { addr, shutdown: Some(shutdown_tx), thread: Some(thread) })
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    tick: Duration,
    mut shutdown: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else { return };
    let ticker = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            loop {
                interval.tick().await;
                let state = state.clone();
                // The worker reads and writes objects: keep it off the async threads.
                let _ = tokio::task::spawn_blocking(move || {
                    if let Ok(mut registry) = state.registry.lock() {
                        registry.tick(state.store.as_ref());
                    }
                })
                .await;
            }
        })
    };
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(state.clone(), request));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
    ticker.abort();
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    response
}

fn error(error: &ApiError) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(error.kind.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, error.body());
    response.headers_mut().insert("x-amzn-errortype", hyper::header::HeaderValue::from_static(error.kind.type_name()));
    response
}

/// Decodes `%XX` escapes (the SDK percent-encodes ARNs in path labels and query values).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query(request: &Request<Incoming>) -> Vec<(String, String)> {
    request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let params = query(&request);
    let body = request.into_body().collect().await?.to_bytes();
    let segments: Vec<String> = path.trim_matches('/').split('/').map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let Ok(mut registry) = state.registry.lock() else {
        return Ok(error(&ApiError::new(ErrorKind::Throttling, "The emulator is busy; try again.")));
    };
    let answer = match (&method, segments.as_slice()) {
        (&Method::POST, ["model-invocation-job"]) => serde_json::from_slice::<CreateJobRequest>(&body)
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
            };
            registry.list(&list).map(|l| serde_json::to_string(&l).unwrap_or_default())
        }
        (&Method::GET, ["foundation-models"]) => Ok(foundation_models(&state.region).to_string()),
        _ => Err(ApiError::new(ErrorKind::ResourceNotFound, format!("The emulator does not serve {method} {path}."))),
    };
    Ok(match answer {
        Ok(body) => json(StatusCode::OK, body),
        Err(e) => error(&e),
    })
}
