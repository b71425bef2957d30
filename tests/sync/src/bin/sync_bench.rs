//! `make bench-sync`: how long one till takes to push N events (100,000 by default,
//! BENCH_EVENTS) to a hub on loopback, and another till to pull them all when it joins, with
//! the hub on SQLite and on PostgreSQL; and the hub's peak memory. Real processes (the CLI and
//! `tessera-hub`), the events written straight into the first till's file (not timed).
//! Prints a table and writes target/bench/sync.json.

use std::time::Instant;

use serde_json::json;
use sqlx::{ConnectOptions, Connection};
use tessera_sync_tests::{target_debug, Hub, PgCluster, Till};

/// Writes `n` punches of one member into the till's ledger in one transaction, as if made
/// there (gap-free sequence, card totals kept).
async fn write_punches(till: &Till, n: i64) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&till.db)
        .connect()
        .await
        .expect("open the till");
    let mut tx = conn.begin().await.expect("begin");
    let (device, shop, next): (uuid::Uuid, uuid::Uuid, i64) =
        sqlx::query_as("SELECT id, shop_id, next_seq FROM device")
            .fetch_one(&mut *tx)
            .await
            .expect("device");
    let staff: uuid::Uuid = sqlx::query_scalar("SELECT id FROM staff LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .expect("staff");
    let program: uuid::Uuid = sqlx::query_scalar("SELECT id FROM program LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .expect("program");
    let members: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM member")
        .fetch_all(&mut *tx)
        .await
        .expect("members");
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    for i in 0..n {
        let member = members[i as usize % members.len()];
        // The ledger's own encoding (migration 0025): short ids, nanoseconds, kind 2 a punch.
        let at = start + chrono::Duration::milliseconds(i * 1000);
        sqlx::query(
            "INSERT INTO ledger (id, device, seq, shop, staff, at, kind, member, program, amount)
             VALUES (?, (SELECT n FROM short_id WHERE id = ?), ?,
                     (SELECT n FROM short_id WHERE id = ?), (SELECT n FROM short_id WHERE id = ?),
                     ?, 2, (SELECT n FROM short_id WHERE id = ?),
                     (SELECT n FROM short_id WHERE id = ?), 1)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(device)
        .bind(next + i)
        .bind(shop)
        .bind(staff)
        .bind(at.timestamp_nanos_opt().expect("a time the ledger keeps"))
        .bind(member)
        .bind(program)
        .execute(&mut *tx)
        .await
        .expect("insert an event");
    }
    sqlx::query("UPDATE device SET next_seq = ?")
        .bind(next + n)
        .execute(&mut *tx)
        .await
        .expect("next_seq");
    tx.commit().await.expect("commit");
    conn.close().await.expect("close");
}

struct Figures {
    backend: &'static str,
    events: i64,
    push_s: f64,
    pull_s: f64,
    hub_peak_mb: f64,
}

async fn run(backend: &'static str, hub: Hub, events: i64) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    let (token_a, _) = hub.add_device("Café Lumière");
    let (token_b, _) = hub.add_device("Café de la Gare");
    let a = Till::new(dir.path(), "a");
    a.set_up("Café Lumière");
    a.add_coffee_program(9);
    for i in 0..20 {
        a.enroll(&format!("Member {i}"));
    }
    write_punches(&a, events).await;
    a.run(&["doctor", "--rebuild"]);

    let started = Instant::now();
    let joined = a.join(&hub.url, &token_a);
    let push_s = started.elapsed().as_secs_f64();
    assert_eq!(joined["sync"]["status"]["events_waiting"], 0, "{joined}");

    let b = Till::new(dir.path(), "b");
    let started = Instant::now();
    let joined = b.join(&hub.url, &token_b);
    let pull_s = started.elapsed().as_secs_f64();
    let pulled = joined["sync"]["pulled_events"].as_i64().unwrap_or_default();
    assert!(pulled >= events, "pulled {pulled} of {events}: {joined}");
    Figures {
        backend,
        events,
        push_s,
        pull_s,
        hub_peak_mb: hub.peak_memory_kb() as f64 / 1024.0,
    }
}

#[tokio::main]
async fn main() {
    let events: i64 = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut figures = vec![run("sqlite", Hub::start(dir.path()), events).await];
    let cluster = PgCluster::start();
    figures.push(run("postgresql", Hub::on(&cluster.url), events).await);

    let build = target_debug()
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!("\nsync on loopback, {events} events ({build} build of the tills and the hub)");
    println!(
        "{:<12} {:>10} {:>14} {:>10} {:>14} {:>14}",
        "hub", "push s", "push ev/s", "pull s", "pull ev/s", "hub peak MB"
    );
    for f in &figures {
        println!(
            "{:<12} {:>10.1} {:>14.0} {:>10.1} {:>14.0} {:>14.1}",
            f.backend,
            f.push_s,
            f.events as f64 / f.push_s,
            f.pull_s,
            f.events as f64 / f.pull_s,
            f.hub_peak_mb
        );
    }
    let out = target_debug().parent().expect("target").join("bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    let json = json!(figures
        .iter()
        .map(
            |f| json!({"hub": f.backend, "events": f.events, "push_s": f.push_s,
                        "pull_s": f.pull_s, "hub_peak_mb": f.hub_peak_mb})
        )
        .collect::<Vec<_>>());
    std::fs::write(
        out.join("sync.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .expect("write sync.json");
}
