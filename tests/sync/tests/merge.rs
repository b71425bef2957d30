//! The same person enrolled in two shops is two members until a manager merges them: no punch
//! is lost, the merge syncs, both old cards lead to the kept member everywhere, and a punch
//! made on the merged member's card by a till that had not heard of the merge yet counts too.

use std::collections::BTreeSet;

use tessera_sync_tests::{assert_converged, two_shops};

#[tokio::test]
async fn two_enrolments_of_one_person_merge_into_one_card_in_every_shop() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let mut acknowledged = BTreeSet::new();

    // Apart, each shop enrols Marie and stamps her card.
    let in_a = a.enroll("Marie Curie");
    let in_b = b.enroll("Marie Curie");
    acknowledged.insert(a.punch(&in_a, 3));
    acknowledged.insert(b.punch(&in_b, 4));
    for till in [&a, &b, &a] {
        till.sync();
    }
    assert_eq!(
        a.run(&["member", "find", "curie"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A's manager merges B's Marie into A's; B, not yet told, stamps the card it knows.
    let merged = a.run(&["member", "merge", &in_a, &in_b]);
    assert_eq!(merged["cards"][0]["punches"], 7);
    acknowledged.insert(b.punch(&in_b, 1));
    for till in [&a, &b, &a] {
        till.sync();
    }

    for till in [&a, &b] {
        for card in [&in_a, &in_b] {
            let view = till.run(&["scan", card]);
            assert_eq!(
                view["member"]["code"],
                in_a.as_str(),
                "{}: {card}",
                till.name
            );
            assert_eq!(view["cards"][0]["punches"], 8, "{}: {card}", till.name);
        }
        let found = till.run(&["member", "find", "curie"]);
        assert_eq!(found.as_array().unwrap().len(), 1, "{}: {found}", till.name);
        let history = till.run(&["history", &in_b]);
        assert_eq!(
            history.as_array().unwrap().len(),
            6,
            "{}: {history}",
            till.name
        );
        till.run(&["doctor"]);
    }
    assert_eq!(
        a.refused(&["member", "merge", &in_b, &in_a]),
        "already_one_member"
    );
    let replica = assert_converged(&[&a, &b], &acknowledged).await;
    assert_eq!(replica.aliases.len(), 1);
}
