//! Runs the real `tessera` binary against a database in a temp dir.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

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
    /// The stable error code of a failed `--json` run.
    pub fn error_code(&self) -> &str {
        assert!(!self.ok, "expected a failure, got {}", self.json);
        self.json["error"]["code"].as_str().unwrap_or("<no code>")
    }
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
