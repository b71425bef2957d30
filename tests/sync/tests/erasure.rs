//! An erasure travels and sticks: a member erased in one shop while another shop, offline,
//! corrects their details and asks their consent, is erased in every shop once they have
//! synced, and a till that joins later receives only the erased record. The ledger stays.

use tessera_sync_tests::{two_shops, Till};

#[tokio::test]
async fn an_erasure_wins_over_a_later_edit_made_offline_in_another_shop() {
    let dir = tempfile::tempdir().unwrap();
    let (hub, a, b) = two_shops(dir.path());
    let code = a.enroll("Judit Elfelejtett");
    a.punch(&code, 2);
    for till in [&a, &b] {
        till.sync();
    }
    // A erases; B, not yet told, corrects her email and records her yes to emails.
    a.run(&["member", "erase", &code]);
    b.run(&[
        "member",
        "edit",
        &code,
        "--email",
        "judit@example.hu",
        "--birthday",
        "14.03.",
    ]);
    b.run(&[
        "member", "consent", &code, "--email", "yes", "--panel", "yes",
    ]);
    for till in [&b, &a, &b] {
        till.sync();
    }
    for till in [&a, &b] {
        let shown = till.run(&["member", "show", &code]);
        assert!(shown["erased_at"].is_string(), "{}: {shown}", till.name);
        assert_eq!(shown["member"]["name"], "", "{}", till.name);
        assert_eq!(
            shown["member"]["email"],
            serde_json::Value::Null,
            "{}",
            till.name
        );
        for gone in [
            &shown["consent"]["email"],
            &shown["consent"]["panel"],
            &shown["birthday"],
        ] {
            assert_eq!(gone, &serde_json::Value::Null, "{}: {shown}", till.name);
        }
        assert_eq!(
            shown["cards"][0]["punches"], 2,
            "{}: the card stays",
            till.name
        );
        assert!(till
            .run(&["member", "find", "Judit"])
            .as_array()
            .unwrap()
            .is_empty());
    }
    // A till that joins the chain now gets the erased member only.
    let (token, _) = hub.add_device("Café Lumière");
    let c = Till::new(dir.path(), "c");
    c.join(&hub.url, &token);
    let shown = c.run(&["member", "show", &code]);
    assert!(shown["erased_at"].is_string(), "{shown}");
    assert_eq!(shown["member"]["name"], "");
}
