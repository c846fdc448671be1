//! A small loopback HTTP server shared by the emulated services: its own thread and runtime, one handler
//! for every request (run off the async threads, since handlers touch disk and locks), an optional
//! background task, and shutdown when the handle is dropped.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// An answer, or `None` to drop the connection without one (a crashed server, for fault tests).
pub(crate) type Reply = Option<Response<Full<Bytes>>>;

/// What a handler sees of a request.
pub(crate) struct ServedRequest {
    /// Method, URI and headers.
    pub head: hyper::http::request::Parts,
    /// The whole body.
    pub body: Bytes,
}

/// Answers one request.
pub(crate) type Handler = Arc<dyn Fn(ServedRequest) -> Reply + Send + Sync>;

/// A task that runs beside the server until it stops.
pub(crate) type Background = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A running server; stops when dropped.
pub struct ServerHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, for an SDK's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts serving `handler` on `addr` (port 0 picks a free port) in a thread named `name`.
pub(crate) fn spawn_server(
    addr: SocketAddr,
    name: &str,
    handler: Handler,
    background: Option<Background>,
) -> std::io::Result<ServerHandle> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let label = name.to_string();
    let thread = std::thread::Builder::new().name(name.into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("error: the {label} could not start its runtime: {error}");
                return;
            }
        };
        runtime.block_on(serve(listener, handler, background, shutdown_rx));
    })?;
    Ok(ServerHandle { addr, shutdown: Some(shutdown_tx), thread: Some(thread) })
}

async fn serve(
    listener: std::net::TcpListener,
    handler: Handler,
    background: Option<Background>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else { return };
    let task = background.map(|start| tokio::spawn(start()));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let handler = handler.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(handler.clone(), request));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
    if let Some(task) = task {
        task.abort();
    }
    // Open connections end with the server, as they would when a real process stops.
    connections.abort_all();
}

/// Why a connection was dropped without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for Dropped {}

async fn answer(
    handler: Handler,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let (head, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let reply = tokio::task::spawn_blocking(move || handler(ServedRequest { head, body })).await;
    match reply {
        Ok(Some(response)) => Ok(response),
        Ok(None) => Err(Box::new(Dropped)),
        Err(_) => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"internal error")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok(response)
        }
    }
}

/// Decodes `%XX` escapes (SDKs percent-encode path labels and query values); `+` stays `+`.
pub(crate) fn percent_decode(text: &str) -> String {
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

/// The decoded query parameters of a request, in order.
pub(crate) fn query_pairs(head: &hyper::http::request::Parts) -> Vec<(String, String)> {
    head.uri
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

/// A response with `status`, a content type and `body`.
pub(crate) fn respond(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static(content_type));
    response
}
