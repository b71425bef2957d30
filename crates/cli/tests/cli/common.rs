//! Runs the real `tessera` binary against a database in a temp dir, and the fixtures every
//! subcommand's tests share: a shop, a cashier, a refusal that must write nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub struct Till {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

pub struct Run {
    pub ok: bool,
    pub json: Value,
    pub output: Output,
}

impl Run {
    /// The stable error code of a failed `--json` run (exit code 1, a refusal).
    pub fn error_code(&self) -> &str {
        assert!(!self.ok, "expected a failure, got {}", self.json);
        self.json["error"]["code"].as_str().unwrap_or("<no code>")
    }
}

/// Runs `args` on a fresh shop (`with_shop`), asserts it is refused with `code`, exit code 1,
/// and that it wrote nothing (the row counts of every table stay the same). In `args`:
/// `{code}` is the shop's member, `{typo}` that code with its first character changed (its
/// check character catches it), `{unknown}` a well-formed code nobody here has (another
/// shop's member).
pub fn refused(args: &[&str], code: &str) {
    let till = Till::new();
    let member = till.with_shop();
    let typo = {
        let mut chars: Vec<char> = member.chars().collect();
        chars[0] = if chars[0] == 'Z' { 'Y' } else { 'Z' };
        chars.into_iter().collect::<String>()
    };
    let unknown = if args.iter().any(|a| a.contains("{unknown}")) {
        Till::new().with_shop()
    } else {
        String::new()
    };
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{code}", &member)
                .replace("{typo}", &typo)
                .replace("{unknown}", &unknown)
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let before = till.footprint();
    let run = till.run(&args);
    assert_eq!(run.error_code(), code, "tessera {args:?}");
    assert_eq!(run.output.status.code(), Some(1), "tessera {args:?}");
    assert_eq!(till.footprint(), before, "tessera {args:?} wrote something");
}

/// Adds the cashier Sam (PIN 0000) through the store's own rule: managers add staff.
pub fn add_cashier(till: &Till) {
    block_on(async {
        let store = tessera_core::Store::open(&till.db).await.unwrap();
        let manager = store.sign_in(MANAGER, MANAGER_PIN).await.unwrap();
        store
            .add_staff(
                &tessera_core::people::shop::Actor::from(&manager),
                "Sam",
                tessera_core::people::shop::Role::Cashier,
                "0000",
            )
            .await
            .unwrap();
        store.close().await;
    });
}

impl Till {
    pub fn new() -> Till {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tessera.db");
        Till { dir, db }
    }

    /// `tessera --db <db> --json <args>`; stdout must be one JSON document, success or not.
    pub fn run(&self, args: &[&str]) -> Run {
        run_at(&self.db, args, &[])
    }

    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_at(&self.db, args, env)
    }

    pub fn ok(&self, args: &[&str]) -> Value {
        let run = self.run(args);
        assert!(
            run.ok,
            "tessera {args:?} failed: {}\n{}",
            run.json,
            String::from_utf8_lossy(&run.output.stderr)
        );
        run.json
    }

    /// A shop with one program and one member; returns the member's code.
    pub fn with_shop(&self) -> String {
        self.ok(&[
            "init",
            "--shop",
            "Café Lumière",
            "--manager",
            "Ana",
            "--pin",
            "1234",
        ]);
        self.ok(&[
            "program",
            "add",
            "--name",
            "Coffee card",
            "--punches",
            "9",
            "--reward",
            "Free coffee",
        ]);
        let member = self.ok(&["member", "add", "--name", "Claire Dubois"]);
        member["code"].as_str().unwrap().to_string()
    }

    /// Row counts of every table a user action writes: "writes nothing" means these stay put.
    pub fn footprint(&self) -> Vec<i64> {
        let db = self.db.clone();
        block_on(async move {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            let mut counts = Vec::new();
            let tables = [
                "shop",
                "staff",
                "program",
                "member",
                "member_card",
                "chain_key",
                "event",
                "card",
                "coupon",
                "complaint",
            ];
            for table in tables {
                counts.push(
                    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                        .fetch_one(&pool)
                        .await
                        .unwrap(),
                );
            }
            pool.close().await;
            counts
        })
    }
}

/// Runs async code (a direct store or SQLite connection) from a plain `#[test]`; the CLI under
/// test is always a separate process.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// The manager `with_shop` sets up: every run acts as them unless told otherwise (an empty
/// value in `env` removes the variable: nobody signed in).
pub const MANAGER: &str = "Ana";
pub const MANAGER_PIN: &str = "1234";

pub fn run_at(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .env("LANG", "C")
        .env("TESSERA_STAFF", MANAGER)
        .env("TESSERA_PIN", MANAGER_PIN);
    for (k, v) in env {
        if v.is_empty() {
            command.env_remove(k);
        } else {
            command.env(k, v);
        }
    }
    let output = command.output().expect("run tessera");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of tessera {args:?} is not one JSON document ({e}):\n{}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Run {
        ok: output.status.success(),
        json,
        output,
    }
}
