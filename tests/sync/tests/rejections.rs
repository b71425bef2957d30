//! A refusal never blocks the queue behind it: an event the hub refuses (here one made in
//! another shop's name, written into a till's file behind its back) is answered "rejected" with
//! its reason, the till's next events go up all the same, and the refusal stays listed on the
//! till for a manager. Other tills never receive the refused event.

use std::path::Path;

use sqlx::{ConnectOptions, Connection};
use tessera_sync_tests::two_shops;

/// Writes into a till's file, behind its back, a punch at the next place of its ledger: a copy
/// of one of its punches with the id `id`, in the name of `shop` if one is given.
async fn forge_next_event(db: &Path, id: uuid::Uuid, shop: Option<uuid::Uuid>) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .unwrap();
    // The ledger names ids by short id (migration 0025): a shop it has not seen gets one.
    sqlx::query("INSERT OR IGNORE INTO short_id (id) SELECT ? WHERE ?1 IS NOT NULL")
        .bind(shop)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO ledger (id, device, seq, shop, staff, at, kind, member, program, amount)
         SELECT ?1, (SELECT n FROM short_id WHERE id = d.id), d.next_seq,
                coalesce((SELECT n FROM short_id WHERE id = ?2), e.shop), e.staff, e.at, e.kind,
                e.member, e.program, 5
         FROM device d, ledger e WHERE e.kind = 2 LIMIT 1",
    )
    .bind(id)
    .bind(shop)
    .execute(&mut conn)
    .await
    .unwrap();
    // The till's counter moved past it with the insert (migration 0024's trigger).
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_refused_event_is_listed_for_a_manager_and_the_events_behind_it_go_up() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    a.punch(&claire, 1);
    a.sync();

    // An event in the name of a shop this till is not, at the next place of its ledger.
    forge_next_event(&a.db, uuid::Uuid::now_v7(), Some(uuid::Uuid::now_v7())).await;
    a.punch(&claire, 1);

    let report = a.sync();
    assert_eq!(report["rejected"], 1, "{report}");
    let status = a.run(&["sync", "status"]);
    assert_eq!(status["events_waiting"], 0, "the queue went on: {status}");
    assert_eq!(status["rejected"], 1);
    assert_eq!(status["rejections"][0]["reason"], "wrong_shop");
    assert_eq!(status["rejections"][0]["log"], "event");

    b.sync();
    assert_eq!(
        b.card(&claire),
        (2, 0),
        "the refused 5 stamps never reach another till"
    );
}

/// Event ids are the chain's: a till whose event has an id the hub holds already (another
/// till's) gets that event refused, "id_taken", and its other events go up around it.
#[tokio::test]
async fn an_event_whose_id_another_till_has_is_refused_and_the_rest_go_up() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    a.punch(&claire, 1);
    a.sync();
    let taken: uuid::Uuid = {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&a.db)
            .connect()
            .await
            .unwrap();
        sqlx::query_scalar("SELECT id FROM event WHERE kind = 'punch'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };

    let odon = b.enroll("Szabó Ödön");
    b.punch(&odon, 1);
    forge_next_event(&b.db, taken, None).await;
    b.punch(&odon, 1);

    let report = b.sync();
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(
        report["pushed_events"], 4,
        "enrolment, two punches, the refused one: {report}"
    );
    let status = b.run(&["sync", "status"]);
    assert_eq!(status["events_waiting"], 0, "{status}");
    assert_eq!(status["rejections"][0]["reason"], "id_taken", "{status}");

    a.sync();
    assert_eq!(
        a.card(&odon),
        (2, 0),
        "the two real punches reach the other till"
    );
    assert_eq!(
        a.card(&claire),
        (1, 0),
        "the first event of that id stays what it was"
    );
}
