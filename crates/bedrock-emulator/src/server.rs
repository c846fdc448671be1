//! A small loopback HTTP server shared by the emulated services: its own thread and runtime, one handler
//! for every request (run off the async threads, since handlers touch disk and locks), an optional
//! background task, and shutdown when the handle is dropped. Request bodies are not collected: the handler
//! reads them as they arrive, so it can refuse an oversized one early or stream a large one to disk.

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
    /// The body, read as it arrives.
    pub body: RequestBody,
}

/// How many body frames may wait between the connection and the handler (bounded memory per request).
const BODY_FRAMES_IN_FLIGHT: usize = 4;

/// A request body the handler reads on its blocking thread while the connection delivers it.
pub(crate) struct RequestBody {
    frames: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// It is longer than the handler accepts.
    TooLarge,
    /// The connection failed while sending it.
    Broken(String),
}

impl RequestBody {
    /// Reads the whole body, refusing it once it passes `limit` bytes.
    pub(crate) fn read_to_limit(&mut self, limit: u64) -> Result<Vec<u8>, BodyError> {
        let mut out = Vec::new();
        let mut buffer = [0u8; 64 * 1024];
        loop {
            let n = std::io::Read::read(self, &mut buffer).map_err(|e| BodyError::Broken(e.to_string()))?;
            if n == 0 {
                return Ok(out);
            }
            if out.len() as u64 + n as u64 > limit {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&buffer[..n]);
        }
    }
}

impl std::io::Read for RequestBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.frames.blocking_recv() {
                Some(Ok(frame)) => self.current = frame,
                Some(Err(error)) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, error)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

/// The `content-length` a request declares, if any.
pub(crate) fn declared_length(head: &hyper::http::request::Parts) -> Option<u64> {
    head.headers.get(hyper::header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
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
    let (head, mut incoming) = request.into_parts();
    let (sender, frames) = tokio::sync::mpsc::channel(BODY_FRAMES_IN_FLIGHT);
    // The body is handed over frame by frame as the handler reads it; a handler that stops reading (a
    // refused body) drops the receiver, which ends this pump.
    let pump = tokio::spawn(async move {
        while let Some(frame) = incoming.frame().await {
            let sent = match frame {
                Ok(frame) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => sender.send(Ok(data)).await,
                    Err(_) => continue,
                },
                Err(error) => sender.send(Err(error.to_string())).await,
            };
            if sent.is_err() {
                break;
            }
        }
    });
    let body = RequestBody { frames, current: Bytes::new() };
    let reply = tokio::task::spawn_blocking(move || handler(ServedRequest { head, body })).await;
    pump.abort();
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
