//! A kill proxy for crash tests: HTTP/1.1 proxies in front of the test servers that count every request a
//! process makes (across all of them) and kill that process at the chosen one — before the request reaches
//! its server, or after the server acted on it but before the answer gets back.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// When the watched process is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillAt {
    /// Never (count only).
    Never,
    /// When request N (1-based) arrives, before it is forwarded.
    Before(u32),
    /// When the answer to request N is in, before it is passed back.
    After(u32),
}

/// What every proxy of one test shares: the count, the kill point and the process to kill.
#[derive(Default)]
pub struct Watch {
    requests: AtomicU32,
    kill_at: Mutex<Option<KillAt>>,
    child: Mutex<Option<Child>>,
    killed: AtomicBool,
    seen: Mutex<Vec<String>>,
}

impl Watch {
    /// A new watch (count only).
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Starts counting again, to kill `child` at `kill_at`.
    pub fn arm(&self, kill_at: KillAt, child: Child) {
        self.requests.store(0, Ordering::SeqCst);
        self.killed.store(false, Ordering::SeqCst);
        self.seen.lock().unwrap().clear();
        *self.kill_at.lock().unwrap() = Some(kill_at);
        *self.child.lock().unwrap() = Some(child);
    }

    /// Waits for the watched process to end; returns whether the proxy killed it, and the requests it made
    /// (method and path, in order).
    pub fn finish(&self) -> (bool, Vec<String>) {
        let child = self.child.lock().unwrap().take();
        if let Some(mut child) = child {
            let _ = child.wait();
        }
        (self.killed.load(Ordering::SeqCst), self.seen.lock().unwrap().clone())
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        if let Some(child) = self.child.lock().unwrap().as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts a proxy to `upstream` (`host:port`); returns its address. It runs until the test process ends.
pub fn start(upstream: &str, watch: Arc<Watch>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let addr = listener.local_addr().expect("the proxy's address").to_string();
    let upstream = upstream.to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (upstream, watch) = (upstream.clone(), watch.clone());
            std::thread::spawn(move || {
                let _ = serve(client, &upstream, &watch);
            });
        }
    });
    addr
}

/// One HTTP message's head and body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

fn read_head(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(if head.is_empty() { None } else { Some(head) });
        }
        let end = line == b"\r\n";
        head.extend_from_slice(&line);
        if end {
            return Ok(Some(head));
        }
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Reads a body framed by content-length or chunked transfer encoding (kept as sent); `until_close` reads
/// to the end of the stream when neither is given (a response that ends with its connection).
fn read_body(reader: &mut impl BufRead, head: &str, until_close: bool) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if let Some(length) = header(head, "content-length").and_then(|n| n.parse::<u64>().ok()) {
        reader.take(length).read_to_end(&mut body)?;
    } else if header(head, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = Vec::new();
            reader.read_until(b'\n', &mut size_line)?;
            body.extend_from_slice(&size_line);
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&size_line).split(';').next().unwrap_or("").trim(), 16)
                    .unwrap_or(0);
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    let mut line = Vec::new();
                    reader.read_until(b'\n', &mut line)?;
                    body.extend_from_slice(&line);
                    if line == b"\r\n" || line.is_empty() {
                        return Ok(body);
                    }
                }
            }
            let mut chunk = vec![0u8; size + 2];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
        }
    } else if until_close {
        reader.read_to_end(&mut body)?;
    }
    Ok(body)
}

fn serve(client: TcpStream, upstream: &str, watch: &Watch) -> std::io::Result<()> {
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut to_client = client;
    loop {
        let Some(head) = read_head(&mut from_client)? else { return Ok(()) };
        let text = String::from_utf8_lossy(&head).into_owned();
        let body = read_body(&mut from_client, &text, false)?;
        let request = Message { head, body };
        let number = watch.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let line = text.lines().next().unwrap_or("").to_string();
        watch.seen.lock().unwrap().push(line.rsplit_once(' ').map_or(line.clone(), |(l, _)| l.to_string()));
        let kill_at = *watch.kill_at.lock().unwrap();
        if kill_at == Some(KillAt::Before(number)) {
            watch.kill();
            return Ok(());
        }
        let response = forward(upstream, &request, line.starts_with("HEAD "))?;
        if kill_at == Some(KillAt::After(number)) {
            watch.kill();
            return Ok(());
        }
        to_client.write_all(&response.head)?;
        to_client.write_all(&response.body)?;
        to_client.flush()?;
    }
}

/// Sends one request to `upstream` on a connection of its own and reads the whole answer.
fn forward(upstream: &str, request: &Message, head_only: bool) -> std::io::Result<Message> {
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(&request.head)?;
    server.write_all(&request.body)?;
    server.flush()?;
    let mut from_server = BufReader::new(server);
    let head =
        read_head(&mut from_server)?.ok_or_else(|| std::io::Error::other("the server closed without an answer"))?;
    let text = String::from_utf8_lossy(&head).into_owned();
    let status: u16 = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let no_body = head_only || status == 204 || status == 304 || (100..200).contains(&status);
    let body = if no_body { Vec::new() } else { read_body(&mut from_server, &text, true)? };
    Ok(Message { head, body })
}
