//! Text output, what a person's terminal receives: stored text never brings a control
//! character with it, whatever wrote the database.

use crate::common::{block_on, Till, MANAGER_PIN};

/// `tessera --db <db> <args>` in text mode (no `--json`): what a person's terminal receives.
/// Text mode, signed in as the manager, whose name the test below fills with an escape.
fn run_text(till: &Till, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--db")
        .arg(&till.db)
        .args(args)
        .env("LANG", "C")
        .env("TESSERA_STAFF", "Ana\u{1b}[8m")
        .env("TESSERA_PIN", MANAGER_PIN)
        .output()
        .expect("run tessera")
}

/// Core refuses control characters on input, but a database can be written by something else
/// (here: plain SQL). Text mode still never hands the terminal a control character from stored
/// text: an ESC in a name must not recolour, clear or retitle the cashier's terminal.
#[test]
fn text_output_never_carries_control_characters_from_a_tampered_database() {
    let till = Till::new();
    let code = till.with_shop();
    let dana = till.ok(&[
        "member",
        "add",
        "--name",
        "Dana Pop",
        "--email",
        "dana@example.ro",
        "--phone",
        "0721 234 567",
    ]);
    let dana = dana["code"].as_str().unwrap().to_string();
    till.ok(&["punch", &code]);
    let db = till.db.clone();
    block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE member SET name = 'Dana' || char(27) || '[31mPop' || char(155) || '2J',
                 email = 'dana' || char(27) || '[5m@example.ro',
                 phone = '0721' || char(27) || '[2J234567'
             WHERE code = ?",
        )
        .bind(&dana)
        .execute(&pool)
        .await
        .unwrap();
        for statement in [
            "UPDATE program SET name = 'Coffee' || char(27) || ']0;pwned' || char(7),
                 reward = 'Free' || char(27) || '[2J coffee' || char(10) || 'fake line'",
            "UPDATE staff SET name = 'Ana' || char(27) || '[8m'",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });

    let commands: [&[&str]; 7] = [
        &["member", "find", &dana],
        &["member", "find", "Dana"],
        &["scan", &dana],
        &["program", "list"],
        &["punch", &code],
        &["history", &code],
        // Refused as a likely duplicate of Dana (same phone): the error names her, on stderr.
        &["member", "add", "--name", "Eva", "--phone", "0721 234 567"],
    ];
    for args in commands {
        let output = run_text(&till, args);
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8(bytes.clone()).expect("UTF-8 output");
            let raw: Vec<char> = text
                .chars()
                .filter(|&c| c.is_control() && c != '\n')
                .collect();
            assert!(
                raw.is_empty() && !bytes.contains(&0x1b),
                "tessera {args:?} printed control characters {raw:?} on {stream}:\n{text}"
            );
        }
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(
            !printed.lines().any(|l| l.starts_with("fake line")),
            "a stored line break started a new line:\n{printed}"
        );
        // Each command did print tampered text (so the check above is not vacuous).
        let said = printed + String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains('\u{FFFD}'),
            "tessera {args:?} showed no stored text:\n{said}"
        );
    }
    // The names are still shown, with the control characters visibly replaced.
    let found = run_text(&till, &["member", "find", &dana]);
    let found = String::from_utf8(found.stdout).unwrap();
    assert!(found.contains("Dana\u{FFFD}[31mPop\u{FFFD}2J"), "{found}");
    let duplicate = run_text(
        &till,
        &["member", "add", "--name", "Eva", "--phone", "0721234567"],
    );
    let said = String::from_utf8(duplicate.stderr).unwrap();
    assert!(
        said.contains("Dana\u{FFFD}[31mPop") && said.contains("[likely_duplicate]"),
        "{said}"
    );
}
