//! `make bench`: the figures of issue 12, each measured next to plain SQLite doing the same
//! work in the same run (rusqlite on the same bundled library: the floor), against its target.
//! Prints a table and writes `target/bench/results.json`.
//!
//! `BENCH_SCALE` picks the store: `smoke` (2,000 members, 20,000 events: `make test` runs it
//! to see that every figure still runs, never to judge it), `small` (100,000 / 2,000,000, the
//! default) or `full` (1,000,000 / 20,000,000, about an hour to generate here). A store is
//! generated once from a fixed seed and kept under `target/bench/` for the next run; the
//! durable punches it measures add a few hundred events to it each run (and the routine
//! `doctor` measured after them checks those).

mod measure;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tessera_core::cards::pdf::Sheet;
use tessera_core::cards::print::Selection;
use tessera_core::codes::member_code::MemberCode;
use tessera_core::codes::token::TokenClaim;
use tessera_core::counter::lookup::ScanOutcome;
use tessera_core::counter::programs::ProgramKind;
use tessera_core::first_run::NewShop;
use tessera_core::ids::{MemberId, ProgramId};
use tessera_core::ledger::EventKind;
use tessera_core::people::shop::{Actor, Role};
use tessera_core::support::doctor::Doctor;
use tessera_core::support::seed::SeedPlan;
use tessera_core::{CoreError, Store};

use measure::{durations, per_second, Figure, Floor, Target};

const MANAGER: &str = "Ana";
const PIN: &str = "1234";
/// A cashier with no events: Undo's worst case.
const NEW_CASHIER: &str = "Bench";

struct Scale {
    name: &'static str,
    members: u64,
    events: u64,
    /// Timed repetitions of each quick figure.
    runs: usize,
    punches: usize,
    /// Cards in the print job (1,000 is the issue's figure; the smoke run only checks it runs).
    cards: usize,
    /// A day of the chain's tills, one punch each for this many members, written before the
    /// routine `doctor` is timed.
    day_events: usize,
}

fn scale() -> Result<Scale> {
    let name = std::env::var("BENCH_SCALE").unwrap_or_else(|_| "small".into());
    Ok(match name.as_str() {
        "smoke" => Scale {
            name: "smoke",
            members: 2_000,
            events: 20_000,
            runs: 50,
            punches: 20,
            cards: 20,
            day_events: 100,
        },
        "small" => Scale {
            name: "small",
            members: 100_000,
            events: 2_000_000,
            runs: 1_000,
            punches: 300,
            cards: 1_000,
            day_events: 2_000,
        },
        "full" => Scale {
            name: "full",
            members: 1_000_000,
            events: 20_000_000,
            runs: 1_000,
            punches: 300,
            cards: 1_000,
            day_events: 5_000,
        },
        other => bail!("BENCH_SCALE is smoke, small or full, not {other:?}"),
    })
}

#[derive(Serialize)]
struct Results {
    scale: &'static str,
    members: u64,
    events: i64,
    figures: Vec<Figure>,
}

fn main() -> Result<()> {
    // `tessera-bench floor-scan DB CODE`: the floor of `tessera --json scan`, a process that
    // does the same reads and prints them, started before any runtime is.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, db, code] = args.as_slice() {
        if command == "floor-scan" {
            return floor_scan(Path::new(db), code);
        }
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<()> {
    let scale = scale()?;
    let dir = PathBuf::from("target/bench");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("bench-{}.db", scale.name));
    if !db.exists() {
        generate(&db, &scale).await?;
    }
    let store = Store::open(&db).await?;
    let manager = Actor::from(&store.sign_in(MANAGER, PIN).await?);
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger")
        .fetch_one(store.pool())
        .await?;
    eprintln!(
        "store: {} ({} members, {events} events)",
        db.display(),
        scale.members
    );
    let floor = rusqlite::Connection::open(&db)?;
    let mut rng = StdRng::seed_from_u64(7);
    let codes = sample_codes(&store, &mut rng, 1_000).await?;
    let mut figures = Vec::new();

    // Scanning a typed code: the member and their cards.
    let times = durations(scale.runs, |i| {
        let code = codes[i % codes.len()].clone();
        let store = &store;
        async move {
            store.lookup(&code, &[]).await?;
            Ok(())
        }
    })
    .await?;
    let mut member_by_code = floor.prepare(
        "SELECT m.id, m.name, m.email, m.phone FROM member_card c JOIN member m ON m.id = c.member_id
         WHERE c.code = ?1",
    )?;
    let mut cards_of = floor.prepare(
        "SELECT program_id, punches_total, redeemed_total FROM card WHERE member_id = ?1",
    )?;
    // The floor's scan, once the code is known: the member, then their cards.
    let mut member_and_cards = |code: &str| -> Result<()> {
        let id: Vec<u8> = member_by_code.query_row([code], |row| row.get(0))?;
        let _cards: Vec<i64> = cards_of
            .query_map([&id], |row| row.get(1))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(())
    };
    let floor_times = measure::floor(scale.runs, |i| member_and_cards(&codes[i % codes.len()]))?;
    figures.push(Figure::timed(
        "scan a typed code → member + cards, warm",
        &times,
        Floor::Times(&floor_times),
        Target::P99Millis(0.5),
    ));

    // Scanning a card's `TS1` token: its MAC checked, then the same reads. The floor checks
    // the MAC in Rust and reads the same rows.
    let keys = store.chain_keys().await?;
    let key = keys.first().context("the store has a chain key")?;
    let tokens: Vec<String> = codes
        .iter()
        .map(|code| {
            let code = MemberCode::parse(code).map_err(|e| anyhow::anyhow!("{code}: {e:?}"))?;
            Ok(key.issue(&code))
        })
        .collect::<Result<_>>()?;
    let times = durations(scale.runs, |i| {
        let token = tokens[i % tokens.len()].clone();
        let store = &store;
        async move {
            match store.lookup(&token, &[]).await? {
                ScanOutcome::Member(_) => Ok(()),
                other => bail!("a token of this store did not find its member: {other:?}"),
            }
        }
    })
    .await?;
    let floor_times = measure::floor(scale.runs, |i| {
        let code = TokenClaim::parse(&tokens[i % tokens.len()])
            .and_then(|claim| claim.verify(&keys))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        member_and_cards(code.as_str())
    })?;
    figures.push(Figure::timed(
        "scan a TS1 token (MAC checked) → member + cards, warm",
        &times,
        Floor::Times(&floor_times),
        Target::P99Millis(0.5),
    ));

    // `tessera --json scan` as a process (what a script or another program pays): the CLI
    // beside this binary, next to a process that only does the same reads.
    let tessera = sibling("tessera")?;
    let floor_process = std::env::current_exe()?;
    let db_arg = db.to_string_lossy().into_owned();
    let runs = scale.runs.min(100);
    let (times, floor_times) = process_times_in_rounds(
        runs,
        |i| {
            let mut command = std::process::Command::new(&tessera);
            command.args(["--db", &db_arg, "--json", "scan", &codes[i % codes.len()]]);
            command
        },
        |i| {
            let mut command = std::process::Command::new(&floor_process);
            command.args(["floor-scan", &db_arg, &codes[i % codes.len()]]);
            command
        },
    )?;
    figures.push(Figure::timed(
        "`tessera --json scan` as a process",
        &times,
        Floor::Times(&floor_times),
        Target::FloorP50Times(1.5),
    ));

    // Search as you type, a common first letter and what follows it.
    for prefix in ["m", "ma", "mar"] {
        let times = durations(scale.runs.min(200), |_| {
            let store = &store;
            async move {
                store.find_members(prefix).await?;
                Ok(())
            }
        })
        .await?;
        let mut unranked = floor.prepare(
            "SELECT rowid FROM member_name_search WHERE member_name_search MATCH ?1 LIMIT 20",
        )?;
        let query = format!("\"{prefix}\"*");
        let floor_times = measure::floor(scale.runs.min(200), |_| {
            let _rows: Vec<i64> = unranked
                .query_map([&query], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(())
        })?;
        figures.push(Figure::timed(
            &format!("search as you type \"{prefix}\" (floor: unranked FTS)"),
            &times,
            Floor::Times(&floor_times),
            Target::P99Millis(20.0),
        ));
    }

    // A member's history, 100 rows.
    let members = sample_members(&store, &codes).await?;
    let times = durations(scale.runs, |i| {
        let member = members[i % members.len()];
        let store = &store;
        async move {
            store.history(member, 100).await?;
            Ok(())
        }
    })
    .await?;
    let mut history = floor.prepare(
        "SELECT id, kind, at, amount FROM ledger
         WHERE member = (SELECT n FROM short_id WHERE id = ?1) ORDER BY at DESC LIMIT 100",
    )?;
    let floor_times = measure::floor(scale.runs, |i| {
        let id = members[i % members.len()].as_uuid();
        let _rows: Vec<i64> = history
            .query_map([id.as_bytes().as_slice()], |row| row.get(2))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(())
    })?;
    figures.push(Figure::timed(
        "history of a member, 100 rows",
        &times,
        Floor::Times(&floor_times),
        Target::P99Millis(5.0),
    ));

    // Undo for a cashier who has done nothing yet: the whole question, answered "nothing".
    let cashier = new_cashier(&store, &manager).await?;
    let started = chrono::Utc::now();
    let times = durations(scale.runs.min(200), |_| {
        let store = &store;
        let cashier = &cashier;
        async move {
            match store.last_undoable(cashier, started).await {
                Err(CoreError::NothingToUndo) => Ok(()),
                other => bail!("a new cashier had something to undo: {other:?}"),
            }
        }
    })
    .await?;
    figures.push(Figure::timed(
        "Undo (last_undoable), a cashier with no events",
        &times,
        Floor::None,
        Target::P99Millis(5.0),
    ));

    // `doctor --full`: every question of the whole store. A sound answer leaves the mark the
    // routine doctor below goes on from.
    let full = doctor(&store, &manager, Doctor::Full).await?;
    figures.push(Figure::timed(
        "doctor --full (every check, the whole store)",
        &[full],
        Floor::None,
        Target::P99Millis(60_000.0),
    ));

    // Durable punches (synchronous=FULL), one transaction each, against one-row inserts. Each
    // figure and its floor take turns, a block of each at a time: this machine's fsync drifts
    // by a factor of two within minutes, and a floor timed apart from its figure made ratios
    // of that drift (until 2026-11-25).
    let stamps = stamps_program(&store).await?;
    let mut i = 0;
    let (rate, floor_rate) = punches_beside_their_floor(scale.punches, || {
        let member = members[i % members.len()];
        i += 1;
        store.punch(&manager, member, Some(stamps), 1)
    })
    .await?;
    figures.push(Figure::rate("durable punch, this store", rate, floor_rate));
    let fresh = tempfile::tempdir()?;
    let small = fresh_store(&fresh.path().join("till.db")).await?;
    let (rate, floor_rate) = punches_beside_their_floor(scale.punches, || {
        small
            .store
            .punch(&small.manager, small.member, Some(small.program), 1)
    })
    .await?;
    figures.push(Figure::rate(
        "durable punch, a small fresh store",
        rate,
        floor_rate,
    ));

    // `tessera doctor`, as support runs it the next day: what the punches above and a day of
    // the chain's tills can have changed, and SQLite's quick check of every page.
    a_day_of_punches(&store, &manager, stamps, scale.day_events).await?;
    let routine = doctor(&store, &manager, Doctor::SinceLastCheck).await?;
    figures.push(Figure::timed(
        &format!(
            "doctor (routine: {} events since --full)",
            scale.punches + scale.day_events
        ),
        &[routine],
        Floor::None,
        Target::P99Millis(60_000.0),
    ));

    // A print job of 1,000 CR80 cards, each with its QR code: from the selection to the PDF.
    let wanted: Vec<String> = codes.iter().take(scale.cards).cloned().collect();
    let cards = wanted.len();
    let selection = Selection::Members(wanted);
    let times = durations(3, |_| {
        let (store, manager, selection) = (&store, &manager, &selection);
        async move {
            let printed = store
                .print_cards(manager, selection, Sheet::Cr80, None, &mut |_, _| {})
                .await?;
            if printed.cards.len() != cards {
                bail!("{} cards printed of {cards}", printed.cards.len());
            }
            Ok(())
        }
    })
    .await?;
    figures.push(Figure::timed(
        &format!("PDF of {cards} CR80 cards"),
        &times,
        Floor::None,
        Target::P99Millis(2_000.0),
    ));

    // Bytes on disk per event, indexes and report tables included.
    let bytes = file_size(&db) + file_size(&db.with_extension("db-wal"));
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger")
        .fetch_one(store.pool())
        .await?;
    figures.push(Figure::size(
        "disk per event (with indexes)",
        bytes as f64 / events.max(1) as f64,
        120.0,
    ));

    // Closed as the app and the CLI close theirs: the log checkpointed into the file, so the
    // next run starts from the file alone (a command finding a log beside it reads the schema's
    // bookkeeping instead of trusting the header, decision 0011).
    store.close().await;
    let results = Results {
        scale: scale.name,
        members: scale.members,
        events,
        figures,
    };
    measure::print_table(&results.figures);
    let out = dir.join("results.json");
    std::fs::write(&out, serde_json::to_string_pretty(&results)?)?;
    eprintln!("written: {}", out.display());
    Ok(())
}

/// One punch each for `n` members picked at random, at times in the last hours, written in one
/// transaction (as a till's sync would bring them).
async fn a_day_of_punches(
    store: &Store,
    manager: &Actor,
    program: ProgramId,
    n: usize,
) -> Result<()> {
    let members: Vec<MemberId> =
        sqlx::query_scalar("SELECT id FROM member ORDER BY random() LIMIT ?")
            .bind(n as i64)
            .fetch_all(store.pool())
            .await?;
    let now = chrono::Utc::now();
    let mut writer = store.history_writer().await?;
    for (i, member) in members.into_iter().enumerate() {
        let at = now - chrono::Duration::seconds((i * 7) as i64);
        writer
            .event(
                manager.staff_id,
                EventKind::Punch,
                member,
                Some(program),
                1,
                at,
            )
            .await?;
    }
    writer.finish().await?;
    Ok(())
}

/// How long `doctor` takes on `store`, which must be sound.
async fn doctor(store: &Store, manager: &Actor, doctor: Doctor) -> Result<Duration> {
    let started = Instant::now();
    let report = store
        .doctor_with_progress(manager, doctor, &mut |_, _| {})
        .await?;
    let took = started.elapsed();
    if !report.ok {
        bail!(
            "doctor ({doctor:?}) found the bench store unsound: {:?}",
            report.checks
        );
    }
    Ok(took)
}

/// The store of this scale, from a fixed seed, written under a temporary name and renamed
/// when whole (with its WAL: a log belongs to the file of its name).
async fn generate(db: &Path, scale: &Scale) -> Result<()> {
    let part = db.with_extension("part");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", part.display()));
    }
    eprintln!(
        "generating {} members and {} events (once; kept in {})…",
        scale.members,
        scale.events,
        db.display()
    );
    let store = Store::open(&part).await?;
    let manager = set_up_shop(&store, "Pékség", "fr", "EUR").await?;
    let plan = SeedPlan {
        members: scale.members,
        events: scale.events,
        years: 3,
        seed: 1,
    };
    store
        .seed_history(&manager, plan, |so_far| {
            if so_far.members % 50_000 == 0 {
                eprintln!("{} members, {} events…", so_far.members, so_far.events);
            }
        })
        .await?;
    store.close().await;
    for suffix in ["-wal", "-shm"] {
        let from = format!("{}{suffix}", part.display());
        if Path::new(&from).exists() {
            std::fs::rename(&from, format!("{}{suffix}", db.display()))?;
        }
    }
    std::fs::rename(&part, db)?;
    Ok(())
}

/// Member codes picked at random, as a cashier would type them.
async fn sample_codes(store: &Store, rng: &mut StdRng, n: usize) -> Result<Vec<String>> {
    let max: i64 = sqlx::query_scalar("SELECT MAX(rowid) FROM member")
        .fetch_one(store.pool())
        .await?;
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let rowid = rng.gen_range(1..=max);
        let code: Option<String> =
            sqlx::query_scalar("SELECT code FROM member WHERE rowid = ? AND erased_at IS NULL")
                .bind(rowid)
                .fetch_optional(store.pool())
                .await?;
        codes.extend(code);
    }
    Ok(codes)
}

async fn sample_members(store: &Store, codes: &[String]) -> Result<Vec<MemberId>> {
    let mut members = Vec::with_capacity(codes.len());
    for code in codes {
        let id: MemberId = sqlx::query_scalar("SELECT id FROM member WHERE code = ?")
            .bind(code)
            .fetch_one(store.pool())
            .await?;
        members.push(id);
    }
    Ok(members)
}

async fn stamps_program(store: &Store) -> Result<ProgramId> {
    store
        .programs()
        .await?
        .into_iter()
        .find(|p| p.kind == ProgramKind::Stamps && p.active)
        .map(|p| p.id)
        .context("the seeded store has a stamps program")
}

async fn new_cashier(store: &Store, manager: &Actor) -> Result<Actor> {
    let staff_id = match store.staff_named(NEW_CASHIER).await {
        Ok(staff) => staff.id,
        Err(_) => {
            store
                .add_staff(manager, NEW_CASHIER, Role::Cashier, "2468")
                .await?
                .id
        }
    };
    Ok(Actor {
        staff_id,
        role: Role::Cashier,
    })
}

/// A new shop on `store`, its manager Ana (PIN 1234) signed in.
async fn set_up_shop(store: &Store, name: &str, language: &str, currency: &str) -> Result<Actor> {
    let set_up = store
        .init_shop(&NewShop {
            shop_name: name.into(),
            language: language.into(),
            currency: currency.into(),
            manager_name: MANAGER.into(),
            manager_pin: PIN.into(),
        })
        .await?;
    Ok(Actor::from(&set_up.manager))
}

struct Fresh {
    store: Store,
    manager: Actor,
    member: MemberId,
    program: ProgramId,
}

async fn fresh_store(path: &Path) -> Result<Fresh> {
    let store = Store::open(path).await?;
    let manager = set_up_shop(&store, "Kávézó", "hu", "HUF").await?;
    let program = store
        .add_program(
            &manager,
            &tessera_core::counter::programs::NewProgram::stamps("Kávé", 9, "Egy kávé"),
        )
        .await?
        .id;
    let member = store
        .enroll(
            &manager,
            &tessera_core::people::members::NewMember {
                name: "Kovács Anna".into(),
                ..Default::default()
            },
        )
        .await?
        .id;
    Ok(Fresh {
        store,
        manager,
        member,
        program,
    })
}

/// `n` punches made by `punch`, each its own durable transaction, and as many one-row inserts
/// (the floor: one durable transaction each, on a fresh file opened as the store opens its own,
/// WAL and synchronous=FULL), in turns of a block of each. Both rates per second.
async fn punches_beside_their_floor<F, Fut, T>(n: usize, mut punch: F) -> Result<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = tessera_core::Result<T>>,
{
    const BLOCK: usize = 25;
    let dir = tempfile::tempdir()?;
    let conn = rusqlite::Connection::open(dir.path().join("floor.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute(
        "CREATE TABLE punch (id BLOB PRIMARY KEY, member BLOB, at TEXT, amount INTEGER)",
        [],
    )?;
    let (mut punching, mut inserting) = (Duration::ZERO, Duration::ZERO);
    let mut done = 0;
    while done < n {
        let block = BLOCK.min(n - done);
        let started = Instant::now();
        for _ in 0..block {
            punch().await?;
        }
        punching += started.elapsed();
        let started = Instant::now();
        for j in done..done + block {
            conn.execute(
                "INSERT INTO punch VALUES (randomblob(16), randomblob(16), datetime('now'), ?1)",
                [j as i64],
            )?;
        }
        inserting += started.elapsed();
        done += block;
    }
    Ok((per_second(n, punching), per_second(n, inserting)))
}

/// The floor of a `tessera --json scan`: open the file, read the member and their cards, print
/// them as JSON.
fn floor_scan(db: &Path, code: &str) -> Result<()> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (id, name): (Vec<u8>, String) = conn.query_row(
        "SELECT m.id, m.name FROM member_card c JOIN member m ON m.id = c.member_id
         WHERE c.code = ?1",
        [code],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut cards = conn.prepare(
        "SELECT program_id, punches_total, redeemed_total FROM card WHERE member_id = ?1",
    )?;
    let cards: Vec<(i64, i64)> = cards
        .query_map([&id], |row| Ok((row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    println!("{}", serde_json::json!({ "name": name, "cards": cards }));
    Ok(())
}

/// A binary built beside this one (`make bench` builds the CLI with it).
fn sibling(name: &str) -> Result<PathBuf> {
    let path = std::env::current_exe()?.with_file_name(name);
    if !path.exists() {
        bail!(
            "{} is not built: cargo build -p tessera-cli (--release for make bench)",
            path.display()
        );
    }
    Ok(path)
}

/// How long each of `runs` processes takes from its start to its exit; each must succeed.
/// Times a process and its floor round after round, one of each per round, each once untimed
/// first: whatever drifts on this machine while they run (and on a 2-core virtual machine the
/// start of a process drifts by a fifth over a minute) weighs on both alike.
fn process_times_in_rounds(
    runs: usize,
    mut command: impl FnMut(usize) -> std::process::Command,
    mut floor: impl FnMut(usize) -> std::process::Command,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    time_process(command(0))?;
    time_process(floor(0))?;
    let mut times = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for i in 0..runs {
        times.0.push(time_process(command(i))?);
        times.1.push(time_process(floor(i))?);
    }
    Ok(times)
}

fn time_process(mut command: std::process::Command) -> Result<Duration> {
    let started = Instant::now();
    let output = command.stdout(std::process::Stdio::piped()).output()?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "a process failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(took)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
