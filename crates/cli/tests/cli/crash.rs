//! Pulling the plug, two hundred times: `tessera dev storm` (enrolments, punches, redemptions
//! and voids, each answered once it is committed) runs in a child process that is killed with
//! SIGKILL at a random moment: during its start, between two actions, or inside one (each
//! action is one durable transaction, most of its time spent in `fsync`). Afterwards every
//! action it answered is in the database exactly once, and the store is whole: SQLite's
//! integrity, gap-free sequences, card totals, the reports' tables, all as `doctor` checks
//! them, with nothing for `--rebuild` to change.

use std::io::BufReader;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use tessera_core::ids::{EventId, MemberId};

use crate::common::{block_on, Till, MANAGER, MANAGER_PIN};

const KILLS: usize = 200;

#[derive(Deserialize)]
struct Acknowledged {
    kind: String,
    member: MemberId,
    event: Option<EventId>,
}

#[test]
fn a_storm_killed_two_hundred_times_keeps_every_action_it_acknowledged() {
    let till = Till::new();
    till.with_shop();
    let seed = std::env::var("TESSERA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(1, |t| t.as_nanos() as u64)
        });
    eprintln!("crash test seed: {seed} (TESSERA_CRASH_SEED repeats the choices)");
    let mut rng = StdRng::seed_from_u64(seed);

    let mut acknowledged: Vec<Acknowledged> = Vec::new();
    let mut kills = 0;
    let mut round = 0u64;
    while kills < KILLS {
        round += 1;
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("--db")
            .arg(&till.db)
            .args(["--json", "dev", "storm", "--seed"])
            .arg((seed ^ round).to_string())
            .env("LANG", "C")
            .env("TESSERA_STAFF", MANAGER)
            .env("TESSERA_PIN", MANAGER_PIN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tessera dev storm");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut answers = serde_json::Deserializer::from_reader(stdout).into_iter();

        // Let it answer a few actions, then pick a moment: right away, or a little later,
        // inside the next action.
        for _ in 0..rng.gen_range(0..=8) {
            match answers.next() {
                Some(Ok(answer)) => acknowledged.push(answer),
                _ => break,
            }
        }
        let moment = Instant::now() + Duration::from_micros(rng.gen_range(0..3_000));
        while Instant::now() < moment {
            std::hint::spin_loop();
        }
        child.kill().expect("kill the storm");
        let status = child.wait().expect("reap the storm");
        // What it answered before it died counts too: the pipe still holds it. A document cut
        // short by the kill was never an answer.
        for answer in answers {
            match answer {
                Ok(answer) => acknowledged.push(answer),
                Err(_) => break,
            }
        }
        assert!(
            status.signal() == Some(9) || status.success(),
            "round {round}: the storm failed on its own: {status:?} (seed {seed})"
        );
        if status.signal() == Some(9) {
            kills += 1;
        }
    }
    assert!(
        acknowledged.len() >= KILLS,
        "only {} actions answered in {round} rounds",
        acknowledged.len()
    );

    // Every answered action is there, once.
    let answered = acknowledged.len();
    let db = till.db.clone();
    block_on(async move {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        for ack in &acknowledged {
            let found: i64 = match ack.event {
                Some(event) => sqlx::query_scalar("SELECT COUNT(*) FROM event WHERE id = ?")
                    .bind(event)
                    .fetch_one(&pool)
                    .await
                    .unwrap(),
                None => sqlx::query_scalar("SELECT COUNT(*) FROM member WHERE id = ?")
                    .bind(ack.member)
                    .fetch_one(&pool)
                    .await
                    .unwrap(),
            };
            assert_eq!(
                found, 1,
                "the answered {} of {} (seed {seed})",
                ack.kind, ack.member
            );
        }
        pool.close().await;
    });

    // The whole store checks out, and a rebuild finds nothing to change.
    let doctor = till.ok(&["doctor"]);
    assert_eq!(doctor["ok"], true, "{doctor} (seed {seed})");
    let rebuild = till.ok(&["doctor", "--rebuild"]);
    assert_eq!(rebuild["rebuilt"], false, "{rebuild} (seed {seed})");
    eprintln!("{kills} kills in {round} rounds; {answered} actions answered");
}
