//! `make bench-start`: how long the desktop app takes from launch to an armed cashier screen, and
//! how much memory it holds once idle, next to the floor: a minimal Tauri 2 window
//! (`tests/minimal-window`) built with the same tauri, profile and features, and drawing on the
//! CPU as the app does (decision 0033), in the same run.
//!
//! Each binary is launched `STARTS` times over WebDriver (tauri-driver, as the end-to-end tests
//! do; its own cost is the same for both), on a private X display (`scripts/with-display.sh`).
//! For Tessera a start is: launch → sign-in screen ready, then the PIN (typed by the bench,
//! not timed) → cashier screen with the scan armed; the figure is the sum of the two machine
//! times. For the floor it is launch → its one page shown. Memory is the PSS of the app's
//! process and every process under it (WebKit's web and network processes), summed, after
//! `IDLE` with nothing happening.
//!
//! Builds measured: `target/debug` always, `target/release` when both binaries are there
//! (`make bench-start` builds them). Prints a table and writes `target/bench/start.json`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::json;
use tessera_e2e::{make_shop, open_app, target_debug, PIN};

const STARTS: usize = 5;
/// How long an app sits untouched before its memory is read.
const IDLE: Duration = Duration::from_secs(3);
const UI_TIMEOUT: Duration = Duration::from_secs(60);
/// Fine enough for figures in hundreds of milliseconds; one WebDriver round trip each.
const POLL: Duration = Duration::from_millis(5);

/// The targets of issue 12: at most this much slower and bigger than the floor.
const START_OVER_FLOOR: Duration = Duration::from_millis(400);
const MEMORY_OVER_FLOOR_MB: f64 = 60.0;

#[derive(Clone, Copy, PartialEq)]
enum App {
    Tessera,
    Floor,
}

/// One start: the machine time to the ready screen, and the idle memory after it.
struct Start {
    ready: Duration,
    pss_kib: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no X display: run it with `make bench-start` (it starts Xvfb)"
    );
    let debug = target_debug();
    let release = debug.with_file_name("release");
    let mut builds = vec![("debug", debug.clone())];
    if [APP_BINARY, FLOOR_BINARY]
        .iter()
        .all(|name| release.join(name).exists())
    {
        builds.push(("release", release));
    } else {
        eprintln!("no release build of both binaries: measuring the debug build only");
    }

    // Round after round, each binary once per round: whatever drifts on the machine during the
    // run (caches, another process) weighs on every column alike.
    let mut starts: Vec<[Vec<Start>; 2]> = builds.iter().map(|_| [vec![], vec![]]).collect();
    for round in 1..=STARTS {
        for ((_, dir), measured) in builds.iter().zip(&mut starts) {
            measured[0].push(start_once(App::Tessera, &dir.join(APP_BINARY), round).await);
            measured[1].push(start_once(App::Floor, &dir.join(FLOOR_BINARY), round).await);
        }
    }
    let rows: Vec<Row> = builds
        .iter()
        .zip(&starts)
        .map(|((build, _), [tessera, floor])| Row::new(build, tessera, floor))
        .collect();

    println!();
    println!(
        "{:<8} {:>12} {:>12} {:>10} {:>8} | {:>11} {:>11} {:>10} {:>8}",
        "build",
        "start p50",
        "floor p50",
        "over",
        "≤ 400ms",
        "idle PSS",
        "floor PSS",
        "over",
        "≤ 60 MB"
    );
    for row in &rows {
        println!(
            "{:<8} {:>10.0}ms {:>10.0}ms {:>8.0}ms {:>8} | {:>8.1} MB {:>8.1} MB {:>7.1} MB {:>8}",
            row.build,
            row.start_ms,
            row.floor_start_ms,
            row.start_ms - row.floor_start_ms,
            verdict(row.start_met()),
            row.pss_mb,
            row.floor_pss_mb,
            row.pss_mb - row.floor_pss_mb,
            verdict(row.memory_met()),
        );
    }
    let out = debug
        .parent()
        .expect("target")
        .join("bench")
        .join("start.json");
    std::fs::create_dir_all(out.parent().expect("target/bench")).expect("target/bench");
    let json = json!({
        "starts_each": STARTS,
        "idle_seconds": IDLE.as_secs(),
        "rows": rows.iter().map(Row::json).collect::<Vec<_>>(),
    });
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    println!("\nwritten: {}", out.display());
}

const APP_BINARY: &str = "tessera-app";
const FLOOR_BINARY: &str = "tessera-minimal-window";

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

/// One launch of `binary` on a new temp folder: its time to the ready screen, then its memory
/// once idle (by process, printed, and summed).
async fn start_once(app: App, binary: &Path, round: usize) -> Start {
    assert!(
        binary.exists(),
        "{} is missing: `make bench-start` builds it",
        binary.display()
    );
    let dir = tempfile::Builder::new()
        .prefix("tessera-start-")
        .tempdir()
        .expect("temp dir");
    let args = match app {
        App::Tessera => {
            let db = dir.path().join("tessera.db");
            make_shop(&db);
            vec!["--db".to_string(), db.display().to_string()]
        }
        App::Floor => Vec::new(),
    };
    let launched = Instant::now();
    let (driver, client) = open_app(binary, &args, dir.path(), None).await;
    let ready = match app {
        App::Tessera => {
            wait_for(&client, "[data-testid=\"signin-pin\"]").await;
            let to_sign_in = launched.elapsed();
            let pin = client
                .find(Locator::Css("[data-testid=\"signin-pin\"]"))
                .await
                .expect("the PIN field");
            pin.send_keys(PIN).await.expect("type the PIN");
            let typed = Instant::now();
            pin.send_keys("\u{e007}").await.expect("Enter");
            wait_for(&client, "[data-testid=\"scan-armed\"][data-armed=\"true\"]").await;
            to_sign_in + typed.elapsed()
        }
        App::Floor => {
            wait_for(&client, "[data-testid=\"ready\"]").await;
            launched.elapsed()
        }
    };
    // The idle period is what is measured here, not a wait for something to happen.
    tokio::time::sleep(IDLE).await;
    let by_process = app_pss_kib(binary);
    let pss_kib = by_process.iter().map(|(_, kib)| kib).sum();
    let parts: Vec<String> = by_process
        .iter()
        .map(|(name, kib)| format!("{name} {:.1}", *kib as f64 / 1024.0))
        .collect();
    eprintln!(
        "round {round} {}: {} ms, {:.1} MB ({})",
        binary.display(),
        ready.as_millis(),
        pss_kib as f64 / 1024.0,
        parts.join(", ")
    );
    client.close().await.expect("close the app");
    drop(driver);
    Start { ready, pss_kib }
}

async fn wait_for(client: &Client, css: &str) {
    let deadline = Instant::now() + UI_TIMEOUT;
    while client.find(Locator::Css(css)).await.is_err() {
        assert!(Instant::now() < deadline, "{css} never showed");
        tokio::time::sleep(POLL).await;
    }
}

struct Row {
    build: String,
    start_ms: f64,
    floor_start_ms: f64,
    pss_mb: f64,
    floor_pss_mb: f64,
}

impl Row {
    fn new(build: &str, tessera: &[Start], floor: &[Start]) -> Row {
        Row {
            build: build.to_string(),
            start_ms: median(tessera.iter().map(|s| s.ready.as_secs_f64() * 1000.0)),
            floor_start_ms: median(floor.iter().map(|s| s.ready.as_secs_f64() * 1000.0)),
            pss_mb: median(tessera.iter().map(|s| s.pss_kib as f64 / 1024.0)),
            floor_pss_mb: median(floor.iter().map(|s| s.pss_kib as f64 / 1024.0)),
        }
    }

    fn start_met(&self) -> bool {
        self.start_ms - self.floor_start_ms <= START_OVER_FLOOR.as_secs_f64() * 1000.0
    }

    fn memory_met(&self) -> bool {
        self.pss_mb - self.floor_pss_mb <= MEMORY_OVER_FLOOR_MB
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "build": self.build,
            "start_p50_ms": self.start_ms,
            "floor_start_p50_ms": self.floor_start_ms,
            "start_target_met": self.start_met(),
            "idle_pss_mb": self.pss_mb,
            "floor_idle_pss_mb": self.floor_pss_mb,
            "memory_target_met": self.memory_met(),
        })
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The PSS (KiB) of the one running process of `binary` and of each of its descendants, by
/// process name.
fn app_pss_kib(binary: &Path) -> Vec<(String, u64)> {
    let binary = binary.canonicalize().expect("binary path");
    let processes = processes();
    let root = processes
        .iter()
        .find(|p| p.exe.as_deref() == Some(binary.as_path()))
        .unwrap_or_else(|| panic!("no running process of {}", binary.display()))
        .pid;
    let mut family = vec![root];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(processes.iter().filter(|p| p.ppid == parent).map(|p| p.pid));
        i += 1;
    }
    family
        .iter()
        .map(|&pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (name.trim().to_string(), pss_kib(pid))
        })
        .collect()
}

struct Process {
    pid: u32,
    ppid: u32,
    exe: Option<PathBuf>,
}

fn processes() -> Vec<Process> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (name) state ppid …": the name may hold spaces, so read after the last ')'.
            let after_name = &stat[stat.rfind(')')? + 1..];
            let ppid = after_name.split_whitespace().nth(1)?.parse().ok()?;
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            Some(Process { pid, ppid, exe })
        })
        .collect()
}

fn pss_kib(pid: u32) -> u64 {
    let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
