//! A scan reads the programs and the chain keys from memory while the store's `cache_stamp`
//! says nobody changed them (issue 12: a scan in one round trip; migration 0016). These tests
//! change them from a second store on the same file, as the CLI beside the app or a sync would,
//! and from raw SQL behind every store's back: the next scan must see each change.

mod common;

use tessera_core::codes::member_code::MemberCode;
use tessera_core::codes::token::ChainKey;
use tessera_core::counter::lookup::{MemberView, ScanOutcome};
use tessera_core::counter::programs::NewProgram;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

struct Till {
    app: Store,
    cli: Store,
    manager: Actor,
    code: String,
    token: String,
    _dir: tempfile::TempDir,
}

async fn till() -> Till {
    let dir = tempfile::tempdir().unwrap();
    let (app, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let member = app
        .enroll(
            &manager,
            &NewMember {
                name: "Kovács Anna".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    let card = app.current_card(&manager, member.id).await.unwrap();
    // A second store on the same file: another process, with its own memory.
    let cli = Store::open(&dir.path().join("tessera.db")).await.unwrap();
    Till {
        app,
        cli,
        manager,
        code: card.code,
        token: card.token,
        _dir: dir,
    }
}

async fn scan(store: &Store, input: &str) -> ScanOutcome {
    store.lookup(input, &[]).await.unwrap()
}

fn programs_on(outcome: &ScanOutcome) -> Vec<String> {
    match outcome {
        ScanOutcome::Member(MemberView { cards, .. }) => {
            cards.iter().map(|c| c.program_name.clone()).collect()
        }
        other => panic!("no member: {other:?}"),
    }
}

#[tokio::test]
async fn a_program_changed_by_another_process_shows_at_the_next_scan() {
    let till = till().await;
    let before = programs_on(&scan(&till.app, &till.code).await);
    // Twice: the second scan is answered from memory.
    assert_eq!(programs_on(&scan(&till.app, &till.code).await), before);

    till.cli
        .add_program(
            &till.manager,
            &NewProgram::stamps("Croissant", 6, "Un croissant"),
        )
        .await
        .unwrap();
    let added = programs_on(&scan(&till.app, &till.code).await);
    assert_eq!(added.len(), before.len() + 1, "{added:?}");
    assert!(added.contains(&"Croissant".to_string()));

    // Behind every store's back, as a sync writes a program it received.
    sqlx::query("UPDATE program SET name = 'Pain au chocolat' WHERE name = 'Croissant'")
        .execute(till.cli.pool())
        .await
        .unwrap();
    let renamed = programs_on(&scan(&till.app, &till.token).await);
    assert!(
        renamed.contains(&"Pain au chocolat".to_string()),
        "{renamed:?}"
    );
    sqlx::query("UPDATE program SET active = 0 WHERE name = 'Pain au chocolat'")
        .execute(till.cli.pool())
        .await
        .unwrap();
    assert_eq!(programs_on(&scan(&till.app, &till.code).await), before);
}

#[tokio::test]
async fn a_chain_key_that_arrives_later_verifies_its_cards_at_once() {
    let till = till().await;
    assert!(matches!(
        scan(&till.app, &till.token).await,
        ScanOutcome::Member(_)
    ));

    let code = MemberCode::parse(&till.code).unwrap();
    let new_key = ChainKey::from_parts("ZZ".into(), vec![7; 32]);
    let token = new_key.issue(&code);
    assert_eq!(scan(&till.app, &token).await, ScanOutcome::UnknownCardKey);
    sqlx::query(
        "INSERT INTO chain_key (id, secret, created_at) VALUES ('ZZ', ?, '2026-11-24T10:00:00Z')",
    )
    .bind(new_key.secret())
    .execute(till.cli.pool())
    .await
    .unwrap();
    assert!(matches!(
        scan(&till.app, &token).await,
        ScanOutcome::Member(_)
    ));
}

#[tokio::test]
async fn a_key_whose_secret_changed_no_longer_verifies_from_memory() {
    let till = till().await;
    // The key's memory is filled by a first scan, then the tokens it verified go stale.
    assert!(matches!(
        scan(&till.app, &till.token).await,
        ScanOutcome::Member(_)
    ));
    sqlx::query("UPDATE chain_key SET secret = zeroblob(32)")
        .execute(till.cli.pool())
        .await
        .unwrap();
    assert_eq!(scan(&till.app, &till.token).await, ScanOutcome::ForgedCard);
}
