//! A TCP proxy between the tills and the hub that understands just enough HTTP/1.1 (a head and a
//! `Content-Length` body) to fail on purpose: cut a request halfway (the hub never gets it), cut
//! the answer after the hub acted on the request (the till never hears), answer a pull with an
//! earlier page of the same till (an old page delivered late). It keeps the pushes it saw, so a
//! nemesis can replay old batches. It runs on its own thread and runtime, and its target can be
//! moved when the hub restarts on another port.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How often each fault happens, per request (0.0 to 1.0).
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    pub cut_request: f64,
    pub cut_answer: f64,
    pub stale_pull: f64,
}

struct State {
    target: SocketAddr,
    faults: Faults,
    rng: StdRng,
    counts: BTreeMap<&'static str, u64>,
    /// Pushes seen: (authorization header, raw request).
    pushes: Vec<(String, Vec<u8>)>,
    /// Pull answers seen, per authorization header.
    pulls: HashMap<String, Vec<Vec<u8>>>,
}

#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Proxy {
    pub fn start(target: &str, seed: u64) -> Proxy {
        let target = address(target);
        let state = Arc::new(Mutex::new(State {
            target,
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed),
            counts: BTreeMap::new(),
            pushes: Vec::new(),
            pulls: HashMap::new(),
        }));
        let (ready, address) = std::sync::mpsc::channel();
        let shared = state.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
                ready
                    .send(listener.local_addr().expect("proxy address"))
                    .expect("proxy ready");
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(client, shared.clone()));
                }
            });
        });
        let local = address.recv().expect("proxy address");
        Proxy {
            url: format!("http://{local}"),
            state,
        }
    }

    pub fn retarget(&self, target: &str) {
        self.state.lock().unwrap().target = address(target);
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state.lock().unwrap().faults = faults;
    }

    /// How many of each fault were made.
    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.state.lock().unwrap().counts.clone()
    }

    /// Sends one of the pushes seen earlier straight to the hub again (an old batch replayed),
    /// and ignores the answer: replaying must change nothing.
    pub fn replay_old_push(&self) -> bool {
        let (target, request) = {
            let mut state = self.state.lock().unwrap();
            if state.pushes.is_empty() {
                return false;
            }
            let seen = state.pushes.len();
            let pick = state.rng.gen_range(0..seen);
            *state.counts.entry("old_push_replayed").or_default() += 1;
            (state.target, state.pushes[pick].1.clone())
        };
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("replay runtime");
            runtime.block_on(async move {
                if let Ok(mut hub) = TcpStream::connect(target).await {
                    let _ = hub.write_all(&request).await;
                    let _ = read_message(&mut hub).await;
                }
            });
        })
        .join()
        .is_ok()
    }
}

fn address(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("an http://ip:port address")
}

/// One HTTP/1.1 message: its head (with the blank line) and its body, as raw bytes, and the
/// head's lines for looking at.
async fn read_message(stream: &mut TcpStream) -> Option<(Vec<u8>, String)> {
    let mut raw = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&byte[..n]);
    }
    Some((raw, head))
}

fn header(head: &str, name: &str) -> String {
    head.lines()
        .find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
        .unwrap_or_default()
}

async fn serve(mut client: TcpStream, state: Arc<Mutex<State>>) {
    let target = state.lock().unwrap().target;
    let Ok(mut hub) = TcpStream::connect(target).await else {
        return; // the hub is down: the till sees the connection close
    };
    while let Some((request, head)) = read_message(&mut client).await {
        let path = head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let auth = header(&head, "authorization");
        let (cut_request, cut_answer, stale) = {
            let mut s = state.lock().unwrap();
            let faults = s.faults;
            let cut_request = s.rng.gen_bool(faults.cut_request);
            let cut_answer = !cut_request && s.rng.gen_bool(faults.cut_answer);
            let stale = path.ends_with("/pull")
                && s.rng.gen_bool(faults.stale_pull)
                && s.pulls.get(&auth).is_some_and(|p| !p.is_empty());
            if path.ends_with("/push") {
                s.pushes.push((auth.clone(), request.clone()));
            }
            (cut_request, cut_answer, stale)
        };
        let count = |kind: &'static str| {
            *state.lock().unwrap().counts.entry(kind).or_default() += 1;
        };
        if stale {
            let old = {
                let mut s = state.lock().unwrap();
                let pages = s.pulls[&auth].len();
                let pick = s.rng.gen_range(0..pages);
                s.pulls[&auth][pick].clone()
            };
            count("stale_pull_page");
            if client.write_all(&old).await.is_err() {
                return;
            }
            continue;
        }
        if cut_request {
            count(if path.ends_with("/pull") {
                "cut_pull_request"
            } else {
                "cut_push_request"
            });
            let _ = hub.write_all(&request[..request.len() / 2]).await;
            return;
        }
        if hub.write_all(&request).await.is_err() {
            return;
        }
        let Some((answer, _)) = read_message(&mut hub).await else {
            return;
        };
        if cut_answer {
            count(if path.ends_with("/pull") {
                "cut_pull_answer"
            } else {
                "cut_push_answer"
            });
            return;
        }
        if path.ends_with("/pull") {
            state
                .lock()
                .unwrap()
                .pulls
                .entry(auth)
                .or_default()
                .push(answer.clone());
        }
        if client.write_all(&answer).await.is_err() {
            return;
        }
    }
}
