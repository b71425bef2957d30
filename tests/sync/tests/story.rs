//! The chain's story with real processes: one hub, three tills (one that worked alone before
//! joining, two that start empty in a second shop), enrolling, punching, redeeming, voiding and
//! merging, offline and online in turns, the hub killed in the middle. At the end every till holds the
//! same events, members and records, and the cards are the projection of their union.

use std::collections::BTreeSet;

use tessera_sync_tests::{assert_converged, two_shops, Hub, PgCluster, Till};

#[tokio::test]
async fn on_sqlite_three_tills_and_a_hub_converge_through_offline_work_and_a_hub_crash() {
    let dir = tempfile::tempdir().unwrap();
    story(&mut [Hub::start(dir.path())]).await;
}

#[tokio::test]
async fn on_postgresql_the_same_story_converges() {
    let cluster = PgCluster::start();
    story(&mut [Hub::on(&cluster.url)]).await;
}

/// Two hub processes over one PostgreSQL database, the tills spread over both: nothing a hub
/// process keeps in memory is needed by the other.
#[tokio::test]
async fn two_hub_processes_on_one_postgresql_database_serve_one_chain() {
    let cluster = PgCluster::start();
    story(&mut [Hub::on(&cluster.url), Hub::on(&cluster.url)]).await;
}

/// Till i talks to hub i mod n; devices are added through the first.
async fn story(hubs: &mut [Hub]) {
    let dir = tempfile::tempdir().unwrap();
    let (token_a, _) = hubs[0].add_device("Café Lumière");
    let (token_b, _) = hubs[0].add_device("Café de la Gare");
    let (token_c, _) = hubs[0].add_device("Café de la Gare");
    let hub_of = |i: usize| i % hubs.len();
    let mut acknowledged = BTreeSet::new();

    // Till A worked alone for a while: a program, a member, punches.
    let a = Till::new(dir.path(), "a");
    a.set_up("Café Lumière");
    a.add_coffee_program(9);
    let claire = a.enroll("Claire Dubois");
    acknowledged.insert(a.punch(&claire, 3));
    // ... then joins: its shop, program, member, key and history go up.
    let joined = a.join(&hubs[hub_of(0)].url, &token_a);
    assert_eq!(joined["device_no"], 1);
    assert!(
        joined["sync"]["pushed_events"].as_u64().unwrap() >= 2,
        "{joined}"
    );

    // Two empty tills join the second shop: the first starts the shop, the second finds it.
    let b = Till::new(dir.path(), "b");
    let c = Till::new(dir.path(), "c");
    assert_eq!(
        b.join(&hubs[hub_of(1)].url, &token_b)["shop_name"],
        "Café de la Gare"
    );
    assert_eq!(
        c.join(&hubs[hub_of(2)].url, &token_c)["shop_name"],
        "Café de la Gare"
    );
    // The chain's manager signs in everywhere (TESSERA_STAFF=Manager), and Claire's card works.
    assert_eq!(b.card(&claire), (3, 0));

    // Codes made after joining carry the till's prefix: no other till can draw them.
    let marc = c.enroll("Marc Petit");
    assert!(
        marc.starts_with("02"),
        "till 3's codes start with 02: {marc}"
    );
    acknowledged.insert(c.punch(&marc, 2));

    // Offline work on every till (nobody syncs): A and B both punch Claire.
    acknowledged.insert(a.punch(&claire, 4));
    let wrong = b.punch(&claire, 5);
    acknowledged.insert(wrong.clone());
    acknowledged.insert(b.void(&wrong));
    acknowledged.insert(b.punch(&claire, 2));
    assert_eq!(a.card(&claire), (7, 0), "A alone knows 3 + 4");

    // The hubs die; the tills keep working and fail to sync without losing anything.
    for hub in hubs.iter_mut() {
        hub.kill();
    }
    acknowledged.insert(c.punch(&claire, 1));
    assert_eq!(a.refused(&["sync"]), "hub_unreachable");
    for hub in hubs.iter_mut() {
        hub.restart();
    }

    // Everyone syncs (twice round, so each sees what the others sent).
    for till in [&a, &b, &c, &a, &b] {
        till.sync();
    }
    // 3 + 4 + 2 + 1 = 10 punches on Claire's card: one reward, in every shop.
    for till in [&a, &b, &c] {
        assert_eq!(till.card(&claire), (1, 1), "{}", till.name);
    }
    acknowledged.insert(c.redeem(&claire));
    for till in [&c, &a, &b] {
        till.sync();
    }
    assert_eq!(a.card(&claire), (1, 0));

    // Marc was enrolled again at B, offline; B's manager merges the two, and C, not told yet,
    // stamps the card it knows. Every till ends with one Marc and every stamp.
    let marc_again = b.enroll("Marc Petit");
    acknowledged.insert(b.punch(&marc_again, 1));
    for till in [&b, &c, &a] {
        till.sync();
    }
    b.run(&["member", "merge", &marc, &marc_again]);
    acknowledged.insert(c.punch(&marc_again, 1));
    for till in [&b, &c, &a, &b, &c] {
        till.sync();
    }
    for till in [&a, &b, &c] {
        assert_eq!(till.card(&marc_again), (4, 0), "{}", till.name);
        assert_eq!(till.card(&marc), (4, 0), "{}", till.name);
    }

    // Syncing again changes nothing: pushing or pulling twice is harmless.
    let again = a.sync();
    assert_eq!(again["pushed_events"], 0);
    assert_eq!(again["pulled_events"], 0);

    let replica = assert_converged(&[&a, &b, &c], &acknowledged).await;
    assert_eq!(replica.members.len(), 3);
    assert_eq!(replica.aliases.len(), 1, "one Marc stands for the other");
    let status = a.run(&["sync", "status"]);
    assert_eq!(status["events_waiting"], 0);
    assert_eq!(status["changes_waiting"], 0);
    assert_eq!(status["rejected"], 0);
}

/// A backup of a till of a chain is refused on restore (the hub already holds the till's later
/// events under the sequence numbers the backup would hand out again), and nothing is touched.
#[test]
fn a_backup_of_a_till_of_a_chain_is_not_restored() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, _b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    let backup = dir.path().join("a-backup.db");
    a.run(&["backup", backup.to_str().unwrap()]);
    a.punch(&claire, 1);
    a.sync();
    let before = std::fs::read(&a.db).unwrap();
    assert_eq!(
        a.refused(&["restore", backup.to_str().unwrap()]),
        "restore_in_chain"
    );
    assert_eq!(
        std::fs::read(&a.db).unwrap(),
        before,
        "the database was touched"
    );
    assert_eq!(a.card(&claire), (1, 0));
}
