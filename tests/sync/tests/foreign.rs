//! A card from another shop works before its member's enrolment arrives: shop B is offline, a
//! member enrolled at shop A shows their card, B verifies its token under the chain's key and
//! takes punches on it; after sync those punches belong to the member, on every till.

use std::collections::BTreeSet;

use tessera_sync_tests::{assert_converged, two_shops};

#[tokio::test]
async fn a_card_from_another_shop_punched_before_its_member_arrives_ends_up_on_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let mut acknowledged = BTreeSet::new();

    // Yesterday at A; B has not synced since.
    let claire = a.enroll("Claire Dubois");
    acknowledged.insert(a.punch(&claire, 2));
    a.sync();
    let token = a.run(&["cards", "show", &claire])["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Typed, the code proves nothing: refused. Scanned, the card verifies: new to this shop.
    assert_eq!(b.refused(&["scan", &claire]), "unknown_code");
    let seen = b.run(&["scan", &token]);
    assert_eq!(seen["new_here"], true, "{seen}");
    assert_eq!(seen["member"]["code"], claire.as_str());
    acknowledged.insert(b.punch(&token, 3));
    assert_eq!(b.card(&token), (3, 0));

    // The line comes back: the punches are Claire's, everywhere.
    for till in [&b, &a, &b] {
        till.sync();
    }
    for till in [&a, &b] {
        let view = till.run(&["scan", &claire]);
        assert_eq!(view["member"]["name"], "Claire Dubois", "{}", till.name);
        assert_eq!(view["new_here"], false);
        assert_eq!(view["cards"][0]["punches"], 5, "{}: {view}", till.name);
        let history = till.run(&["history", &claire]);
        assert_eq!(
            history.as_array().unwrap().len(),
            3,
            "{}: {history}",
            till.name
        );
        till.run(&["doctor"]);
    }
    // And a punch on the card at B now is plainly Claire's.
    acknowledged.insert(b.punch(&token, 1));
    b.sync();
    a.sync();
    assert_eq!(a.card(&claire), (6, 0));
    assert_converged(&[&a, &b], &acknowledged).await;
}
