//! Timing, percentiles, and the table: each figure with its floor, their ratio, the target and
//! whether it is met.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

/// Runs `work` once to warm the caches, then `runs` times, timing each.
pub async fn durations<F, Fut>(runs: usize, mut work: F) -> Result<Vec<Duration>>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    // Warm: every input once before the timed pass, as at a counter where the same members
    // come back (and so that whichever of Tessera and its floor runs first pays no cold reads).
    for i in 0..runs {
        work(i).await?;
    }
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        work(i).await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// The same, for the floor's synchronous work.
pub fn floor(runs: usize, mut work: impl FnMut(usize) -> Result<()>) -> Result<Vec<Duration>> {
    for i in 0..runs {
        work(i)?;
    }
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        work(i)?;
        times.push(started.elapsed());
    }
    Ok(times)
}

pub fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

/// p50, p99 and max in milliseconds.
#[derive(Clone, Copy, Serialize)]
pub struct Spread {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Spread {
    fn of(times: &[Duration]) -> Spread {
        let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        Spread {
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: ms[ms.len() - 1],
        }
    }
}

pub enum Floor<'a> {
    Times(&'a [Duration]),
    None,
}

pub enum Target {
    P99Millis(f64),
    /// The median at most this many times the floor's median.
    FloorP50Times(f64),
}

#[derive(Serialize)]
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    /// Latency figures: the spread; rates and sizes: `value`.
    pub spread: Option<Spread>,
    pub floor: Option<Spread>,
    pub value: f64,
    pub floor_value: Option<f64>,
    /// value / floor (p99 / p99 for latencies, p50 / p50 against a floor's median).
    pub ratio: Option<f64>,
    pub target: String,
    pub met: bool,
}

impl Figure {
    pub fn timed(name: &str, times: &[Duration], floor: Floor, target: Target) -> Figure {
        let spread = Spread::of(times);
        let floor = match floor {
            Floor::Times(times) => Some(Spread::of(times)),
            Floor::None => None,
        };
        let (target, met, ratio) = match (target, floor) {
            (Target::P99Millis(limit), _) => (
                format!("p99 ≤ {limit} ms"),
                spread.p99_ms <= limit,
                floor.map(|f| spread.p99_ms / f.p99_ms),
            ),
            (Target::FloorP50Times(times), Some(f)) => (
                format!("p50 ≤ {times} × floor p50"),
                spread.p50_ms <= times * f.p50_ms,
                Some(spread.p50_ms / f.p50_ms),
            ),
            (Target::FloorP50Times(_), None) => ("a floor".into(), false, None),
        };
        Figure {
            name: name.to_string(),
            unit: "ms",
            spread: Some(spread),
            value: spread.p99_ms,
            floor_value: floor.map(|f| f.p99_ms),
            ratio,
            floor,
            target,
            met,
        }
    }

    /// Durable writes per second, against the floor's; the target is 0.8 × the floor.
    pub fn rate(name: &str, per_second: f64, floor_per_second: f64) -> Figure {
        Figure {
            name: name.to_string(),
            unit: "/s",
            spread: None,
            floor: None,
            value: per_second,
            floor_value: Some(floor_per_second),
            ratio: Some(per_second / floor_per_second),
            target: format!("≥ 0.8 × floor ({:.0} /s)", 0.8 * floor_per_second),
            met: per_second >= 0.8 * floor_per_second,
        }
    }

    pub fn size(name: &str, bytes: f64, limit: f64) -> Figure {
        Figure {
            name: name.to_string(),
            unit: "bytes",
            spread: None,
            floor: None,
            value: bytes,
            floor_value: None,
            ratio: None,
            target: format!("≤ {limit} bytes"),
            met: bytes <= limit,
        }
    }
}

pub fn print_table(figures: &[Figure]) {
    println!(
        "{:<56} {:>9} {:>9} {:>9} {:>12} {:>7}  {:<26} result",
        "figure", "p50", "p99", "max", "floor", "ratio", "target"
    );
    for f in figures {
        let (p50, p99, max) = match f.spread {
            Some(s) => (
                format!("{:.3}", s.p50_ms),
                format!("{:.3}", s.p99_ms),
                format!("{:.3}", s.max_ms),
            ),
            None => (
                String::new(),
                format!("{:.0} {}", f.value, f.unit),
                String::new(),
            ),
        };
        let floor = match (f.floor, f.floor_value) {
            (Some(s), _) => format!("{:.3}/{:.3}", s.p50_ms, s.p99_ms),
            (None, Some(v)) => format!("{v:.0} {}", f.unit),
            (None, None) => "–".into(),
        };
        let ratio = f.ratio.map_or("–".into(), |r| format!("{r:.1}×"));
        let result = if f.met { "met" } else { "MISSED" };
        println!(
            "{:<56} {:>9} {:>9} {:>9} {:>12} {:>7}  {:<26} {result}",
            f.name, p50, p99, max, floor, ratio, f.target
        );
    }
}
