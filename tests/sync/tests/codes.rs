//! Member codes across a chain: codes made after joining cannot collide (each till draws under
//! its own prefix; the construction is tested in core), and a collision of codes made before
//! joining is found at sync and shown, never two people silently under one code.

use sqlx::{ConnectOptions, Connection};
use tessera_sync_tests::{Hub, Till};

/// Gives a new member at `till` the card code `code`, as if its till had drawn it alone.
async fn enrol_with_code(till: &Till, name: &str, code: &str) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&till.db)
        .connect()
        .await
        .unwrap();
    let id = uuid::Uuid::now_v7();
    let shop: uuid::Uuid = sqlx::query_scalar("SELECT shop_id FROM device")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO member (id, code, shop_id, name, language, created_at)
         VALUES (?, ?, ?, ?, 'fr', '2026-11-20T10:00:00Z')",
    )
    .bind(id)
    .bind(code)
    .bind(shop)
    .bind(name)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO member_card (code, member_id, issued_at) VALUES (?, ?, '2026-11-20T10:00:00Z')",
    )
    .bind(code)
    .bind(id)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_code_two_tills_drew_before_joining_is_found_and_shown_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(dir.path());
    let (token_a, _) = hub.add_device("Café Lumière");
    let (token_b, _) = hub.add_device("Bar Centrale");
    let a = Till::new(dir.path(), "a");
    a.set_up("Café Lumière");
    let claire = a.enroll("Claire Dubois");
    let b = Till::new(dir.path(), "b");
    b.set_up("Bar Centrale");
    enrol_with_code(&b, "Bruno Rossi", &claire).await;

    a.join(&hub.url, &token_a);
    let joined = b.join(&hub.url, &token_b);
    assert!(
        joined["sync"]["code_clashes"].as_u64().unwrap() >= 1,
        "{joined}"
    );
    a.sync();

    for (till, here, other) in [
        (&a, "Claire Dubois", "Bruno Rossi"),
        (&b, "Bruno Rossi", "Claire Dubois"),
    ] {
        // The code still leads to the member who had it here...
        assert_eq!(till.run(&["scan", &claire])["member"]["name"], here);
        // ... and the other is set aside and shown, not merged into them or dropped.
        let status = till.run(&["sync", "status"]);
        assert_eq!(status["code_clashes"], 1, "{}: {status}", till.name);
        assert_eq!(status["clashes"][0]["code"], claire.as_str());
        assert_eq!(status["clashes"][0]["name"], other);
        assert_eq!(status["clashes"][0]["holder"], here);
    }
}
