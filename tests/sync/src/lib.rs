//! Real processes for sync tests: a `tessera-hub` serving on `127.0.0.1:0`, tills that are the
//! `tessera` CLI over their own database files, and a checker that reads every replica's
//! SQLite file at the end and compares it with the projection of the union of all events.

pub mod proxy;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tessera_core::counter::card::CardTotals;
use tessera_core::ledger::Event;

/// `target/debug`, found from this binary: a test (`target/debug/deps/story-…`) or a bench
/// tool (`target/debug/sync_bench`).
pub fn target_debug() -> PathBuf {
    let exe = std::env::current_exe().expect("binary path");
    let dir = exe.parent().expect("the binary's folder");
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.parent().expect("target/debug").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

fn binary(name: &str) -> PathBuf {
    let path = target_debug().join(name);
    assert!(
        path.exists(),
        "{} is missing: build the workspace first (`make test` does)",
        path.display()
    );
    path
}

/// A hub process over its own database. Killed (SIGKILL) when dropped.
pub struct Hub {
    pub db_url: String,
    pub url: String,
    listen: String,
    /// More arguments of `serve` (the TLS certificate and key).
    serve_args: Vec<String>,
    child: Option<Child>,
}

impl Hub {
    /// A new hub on SQLite in `dir`, on a free port.
    pub fn start(dir: &Path) -> Hub {
        Hub::on(&format!("sqlite://{}", dir.join("hub.db").display()))
    }

    /// A hub process over the database at `db_url` (another process may serve it too), on a
    /// free port.
    pub fn on(db_url: &str) -> Hub {
        Hub::serving(db_url, Vec::new())
    }

    /// A hub on SQLite in `dir` that serves HTTPS itself with this certificate and key.
    pub fn start_tls(dir: &Path, certificate: &Path, key: &Path) -> Hub {
        let db_url = format!("sqlite://{}", dir.join("hub.db").display());
        let args = vec![
            "--tls-cert".to_string(),
            certificate.display().to_string(),
            "--tls-key".to_string(),
            key.display().to_string(),
        ];
        Hub::serving(&db_url, args)
    }

    fn serving(db_url: &str, serve_args: Vec<String>) -> Hub {
        let mut hub = Hub {
            db_url: db_url.to_string(),
            url: String::new(),
            listen: "127.0.0.1:0".into(),
            serve_args,
            child: None,
        };
        hub.spawn();
        // Restarts come back on the same port, so the tills' saved address still works.
        hub.listen = hub
            .url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        hub
    }

    fn spawn(&mut self) {
        let mut child = Command::new(binary("tessera-hub"))
            .args(["--db", &self.db_url, "serve", "--listen", &self.listen])
            .args(&self.serve_args)
            .env("RUST_LOG", "tessera_hub=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tessera-hub");
        let stdout = child.stdout.take().expect("hub stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the hub says where it listens");
        self.url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the hub: {first:?}"))
            .to_string();
        self.child = Some(child);
    }

    /// The hub process's peak resident memory so far (VmHWM), in kB; 0 where /proc has none.
    pub fn peak_memory_kb(&self) -> u64 {
        let Some(child) = &self.child else { return 0 };
        std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|status| {
                status.lines().find_map(|line| {
                    line.strip_prefix("VmHWM:")?
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .ok()
                })
            })
            .unwrap_or(0)
    }

    /// Kills the hub at once (SIGKILL: no shutdown, as a crash or a power cut).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// `tessera-hub device ...` on this hub's database.
    pub fn admin(&self, args: &[&str]) -> Output {
        Command::new(binary("tessera-hub"))
            .args(["--db", &self.db_url])
            .args(args)
            .env("RUST_LOG", "off")
            .output()
            .expect("run tessera-hub")
    }

    /// A new device for `shop`: its token and id.
    pub fn add_device(&self, shop: &str) -> (String, String) {
        let out = self.admin(&["device", "add", "--shop", shop, "--json"]);
        assert!(out.status.success(), "device add: {out:?}");
        let json: Value = serde_json::from_slice(&out.stdout).expect("device add --json");
        (
            json["token"].as_str().expect("token").to_string(),
            json["device"]["id"]
                .as_str()
                .expect("device id")
                .to_string(),
        )
    }

    pub fn devices(&self) -> Value {
        let out = self.admin(&["device", "list", "--json"]);
        assert!(out.status.success(), "device list: {out:?}");
        serde_json::from_slice(&out.stdout).expect("device list --json")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A hub on SQLite in `dir` and two tills of its chain: `a`, the till of "Café Lumière" with
/// the Coffee card (9 stamps), and `b`, an empty till that joined as "Café de la Gare".
pub fn two_shops(dir: &Path) -> (Hub, Till, Till) {
    let hub = Hub::start(dir);
    let (token_a, _) = hub.add_device("Café Lumière");
    let (token_b, _) = hub.add_device("Café de la Gare");
    let a = Till::new(dir, "a");
    a.set_up("Café Lumière");
    a.add_coffee_program(9);
    a.join(&hub.url, &token_a);
    let b = Till::new(dir, "b");
    b.join(&hub.url, &token_b);
    (hub, a, b)
}

/// A throwaway PostgreSQL cluster in a temp dir, on a free port, stopped when dropped
/// (../shared/RECIPES.md: initdb refuses root, so as root it runs as `postgres`).
pub struct PgCluster {
    dir: tempfile::TempDir,
    pub url: String,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn as_postgres(program: &str) -> Command {
    let path = format!("{PG_BIN}/{program}");
    if nix::unistd::Uid::effective().is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", &path]);
        command
    } else {
        Command::new(path)
    }
}

impl PgCluster {
    pub fn start() -> PgCluster {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 is not installed (scripts/setup-system.sh installs it)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        if nix::unistd::Uid::effective().is_root() {
            let owner = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(owner.success());
        }
        let data = dir.path().join("data");
        let init = as_postgres("initdb")
            .args(["-A", "trust", "-U", "tessera", "-D"])
            .arg(&data)
            .output()
            .expect("initdb");
        assert!(init.status.success(), "initdb: {init:?}");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.path().display()
        );
        let start = as_postgres("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-o", &options, "-w", "start"])
            .output()
            .expect("pg_ctl start");
        assert!(start.status.success(), "pg_ctl start: {start:?}");
        PgCluster {
            url: format!("postgres://tessera@127.0.0.1:{port}/postgres"),
            dir,
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// A till: the `tessera` CLI over its own database, acting as its manager.
pub struct Till {
    pub name: String,
    pub db: PathBuf,
}

/// The manager's PIN every test till uses.
pub const PIN: &str = "1234";

impl Till {
    pub fn new(dir: &Path, name: &str) -> Till {
        Till {
            name: name.to_string(),
            db: dir.join(format!("{name}.db")),
        }
    }

    /// `tessera --db <till> --json <args>`: its JSON answer, and whether it succeeded.
    pub fn try_run(&self, args: &[&str]) -> (bool, Value) {
        let out = Command::new(binary("tessera"))
            .arg("--db")
            .arg(&self.db)
            .arg("--json")
            .args(args)
            .env("TESSERA_STAFF", "Manager")
            .env("TESSERA_PIN", PIN)
            .env_remove("TESSERA_HUB_TOKEN")
            .output()
            .expect("run tessera");
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "{}: tessera {args:?} printed no JSON: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.success(), json)
    }

    /// `tessera --db <till> <args>` started and left running (to be killed mid-way).
    pub fn spawn(&self, args: &[&str]) -> Child {
        Command::new(binary("tessera"))
            .arg("--db")
            .arg(&self.db)
            .arg("--json")
            .args(args)
            .env("TESSERA_STAFF", "Manager")
            .env("TESSERA_PIN", PIN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tessera")
    }

    /// The same, which must succeed.
    pub fn run(&self, args: &[&str]) -> Value {
        let (ok, json) = self.try_run(args);
        assert!(ok, "{}: tessera {args:?} failed: {json}", self.name);
        json
    }

    /// The stable code of a refusal.
    pub fn refused(&self, args: &[&str]) -> String {
        let (ok, json) = self.try_run(args);
        assert!(
            !ok,
            "{}: tessera {args:?} should have failed: {json}",
            self.name
        );
        json["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Sets the till up alone, as a shop that has not joined a chain yet.
    pub fn set_up(&self, shop: &str) {
        self.run(&["init", "--shop", shop, "--manager", "Manager", "--pin", PIN]);
    }

    /// Joins the chain of the hub at `hub_url` (the hub, or a proxy in front of it).
    /// Adds the "Coffee" punch card ("A coffee" after `punches` stamps).
    pub fn add_coffee_program(&self, punches: i64) {
        let punches = punches.to_string();
        self.run(&[
            "program",
            "add",
            "--name",
            "Coffee",
            "--punches",
            &punches,
            "--reward",
            "A coffee",
        ]);
    }

    pub fn join(&self, hub_url: &str, token: &str) -> Value {
        self.run(&["join", "--hub", hub_url, "--token", token])
    }

    pub fn sync(&self) -> Value {
        self.run(&["sync"])
    }

    /// Enrols a member: their card code.
    pub fn enroll(&self, name: &str) -> String {
        let json = self.run(&["member", "add", "--name", name, "--allow-duplicate"]);
        json["code"].as_str().expect("code").to_string()
    }

    /// Punches: the event's id.
    pub fn punch(&self, code: &str, count: i64) -> String {
        let json = self.run(&["punch", code, "--count", &count.to_string()]);
        json["event"]["id"].as_str().expect("event id").to_string()
    }

    pub fn redeem(&self, code: &str) -> String {
        let json = self.run(&["redeem", code]);
        json["event"]["id"].as_str().expect("event id").to_string()
    }

    pub fn void(&self, event: &str) -> String {
        let json = self.run(&["void", event, "--reason", "scanned-twice"]);
        json["event"]["id"].as_str().expect("event id").to_string()
    }

    /// The card of `code`'s member in the only program: (stamps, rewards available).
    pub fn card(&self, code: &str) -> (i64, i64) {
        let json = self.run(&["scan", code]);
        let card = &json["cards"][0];
        (
            card["punches"].as_i64().unwrap_or_default(),
            card["rewards_available"].as_i64().unwrap_or_default(),
        )
    }

    /// Everything a replica holds that sync must make equal, read from its file.
    pub async fn state(&self) -> Replica {
        let mut conn = SqliteConnectOptions::new()
            .filename(&self.db)
            .read_only(true)
            .connect()
            .await
            .expect("open the till's database");
        let events: Vec<Event> = sqlx::query_as(
            "SELECT id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id, amount,
                    voids, reason_code, reason, other_member, card_code, coupon_id FROM event",
        )
        .fetch_all(&mut conn)
        .await
        .expect("read events");
        let aliases: Vec<(uuid::Uuid, uuid::Uuid)> =
            sqlx::query_as("SELECT alias_id, member_id FROM member_alias")
                .fetch_all(&mut conn)
                .await
                .expect("read member aliases");
        let cards: Vec<(uuid::Uuid, uuid::Uuid, i64, i64)> = sqlx::query_as(
            "SELECT member_id, program_id, punches_total, redeemed_total FROM card
             WHERE punches_total != 0 OR redeemed_total != 0",
        )
        .fetch_all(&mut conn)
        .await
        .expect("read cards");
        let members: Vec<(uuid::Uuid, String, String, String)> =
            sqlx::query_as("SELECT id, code, name, version FROM member")
                .fetch_all(&mut conn)
                .await
                .expect("read members");
        let records: Vec<(String, String)> = sqlx::query_as(
            "SELECT 'program ' || name, version FROM program
             UNION ALL SELECT 'staff ' || name, version FROM staff
             UNION ALL SELECT 'shop ' || name, version FROM shop
             UNION ALL SELECT 'card ' || code, version FROM member_card
             UNION ALL SELECT 'key ' || id, version FROM chain_key
             UNION ALL SELECT 'coupon ' || text, version FROM coupon",
        )
        .fetch_all(&mut conn)
        .await
        .expect("read records");
        let _ = conn.close().await;
        Replica {
            events: events.into_iter().map(|e| (e.id.0, e)).collect(),
            cards: cards
                .into_iter()
                .map(|(m, p, punches, redeemed)| ((m, p), (punches, redeemed)))
                .collect(),
            members: members
                .into_iter()
                .map(|(id, code, name, version)| (id, (code, name, version)))
                .collect(),
            records: records.into_iter().collect(),
            aliases: aliases.into_iter().collect(),
        }
    }
}

/// What one replica holds.
#[derive(Debug, PartialEq)]
pub struct Replica {
    pub events: BTreeMap<uuid::Uuid, Event>,
    /// (member, program) → (punches_total, redeemed_total), zero cards left out.
    pub cards: BTreeMap<(uuid::Uuid, uuid::Uuid), (i64, i64)>,
    pub members: BTreeMap<uuid::Uuid, (String, String, String)>,
    /// Every other shared record, by kind and name, with its version.
    pub records: BTreeSet<(String, String)>,
    /// Merged members and the member each stands for now.
    pub aliases: BTreeMap<uuid::Uuid, uuid::Uuid>,
}

impl Replica {
    /// The cards as the projection of this replica's events defines them
    /// (`CardTotals::from_events`, the plain statement of the rule).
    pub fn projected_cards(&self) -> BTreeMap<(uuid::Uuid, uuid::Uuid), (i64, i64)> {
        let mut by_card: BTreeMap<(uuid::Uuid, uuid::Uuid), Vec<&Event>> = BTreeMap::new();
        let targets: BTreeMap<uuid::Uuid, &Event> =
            self.events.values().map(|e| (e.id.0, e)).collect();
        for event in self.events.values() {
            // A void counts on the card of the event it cancels.
            let on = match event.voids {
                Some(target) => targets.get(&target.0).copied().unwrap_or(event),
                None => event,
            };
            // A merged member's card is the card of the member they stand for.
            let member = self
                .aliases
                .get(&on.member_id.0)
                .copied()
                .unwrap_or(on.member_id.0);
            if let Some(program) = on.program_id {
                by_card.entry((member, program.0)).or_default().push(event);
            }
        }
        by_card
            .into_iter()
            .map(|(card, events)| {
                let totals = CardTotals::from_events(events.iter().copied());
                (card, (totals.punches_total, totals.redeemed_total))
            })
            .filter(|(_, totals)| *totals != (0, 0))
            .collect()
    }
}

/// Checks that every till holds the same events, members, records and cards, that the events
/// are those of `acknowledged` and more (every acknowledged action present, exactly once: ids
/// are unique), that each device's sequence is gap-free, and that the cards are the
/// projection of the union of all events.
pub async fn assert_converged(tills: &[&Till], acknowledged: &BTreeSet<String>) -> Replica {
    let mut replicas = Vec::new();
    for till in tills {
        replicas.push((till.name.clone(), till.state().await));
    }
    let (first_name, first) = &replicas[0];
    for (name, replica) in &replicas[1..] {
        let only_first: Vec<_> = first
            .events
            .keys()
            .filter(|k| !replica.events.contains_key(k))
            .collect();
        let only_other: Vec<_> = replica
            .events
            .keys()
            .filter(|k| !first.events.contains_key(k))
            .collect();
        assert!(
            only_first.is_empty() && only_other.is_empty(),
            "{first_name} and {name} hold different events: {} only on {first_name}, {} only on {name}",
            only_first.len(),
            only_other.len()
        );
        assert_eq!(
            first.members, replica.members,
            "members of {first_name} and {name}"
        );
        assert_eq!(
            first.records, replica.records,
            "records of {first_name} and {name}"
        );
        assert_eq!(
            first.aliases, replica.aliases,
            "merged members of {first_name} and {name}"
        );
        assert_eq!(
            first.cards, replica.cards,
            "cards of {first_name} and {name}"
        );
    }
    for id in acknowledged {
        let id: uuid::Uuid = id.parse().expect("an event id");
        assert!(
            first.events.contains_key(&id),
            "acknowledged event {id} was lost"
        );
    }
    let mut seqs: BTreeMap<uuid::Uuid, Vec<i64>> = BTreeMap::new();
    for event in first.events.values() {
        seqs.entry(event.device_id.0).or_default().push(event.seq);
    }
    for (device, mut list) in seqs {
        list.sort_unstable();
        let expected: Vec<i64> = (1..=list.len() as i64).collect();
        assert_eq!(
            list, expected,
            "device {device}'s sequence has gaps or repeats"
        );
    }
    assert_eq!(
        first.cards,
        first.projected_cards(),
        "the cards are the projection of the union of the events"
    );
    replicas.swap_remove(0).1
}
