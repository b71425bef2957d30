//! The same reward spent in two shops that were apart, and a punch voided after another shop
//! gave its reward: both redemptions stay, the case lands in the conflict queue of every till,
//! and a manager settles it with an event that syncs. Nothing is silently rewritten.

use tessera_sync_tests::{two_shops, Hub, Till};

/// A hub and two tills of one chain that both know Claire's card with one reward on it (the
/// 9 punches' event id is returned).
fn chain_with_a_reward(dir: &std::path::Path) -> (Hub, Till, Till, String, String) {
    let (hub, a, b) = two_shops(dir);
    let claire = a.enroll("Claire Dubois");
    let punches = a.punch(&claire, 9);
    for till in [&a, &b] {
        till.sync();
    }
    assert_eq!(b.card(&claire), (0, 1));
    (hub, a, b, claire, punches)
}

fn conflicts(till: &Till) -> Vec<serde_json::Value> {
    till.run(&["conflicts"]).as_array().unwrap().clone()
}

#[tokio::test]
async fn a_reward_redeemed_in_two_offline_shops_is_a_conflict_everywhere_until_charged_back() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b, claire, _) = chain_with_a_reward(dir.path());
    // Apart, each shop gives the reward it knows of.
    a.redeem(&claire);
    let later = b.redeem(&claire);
    assert!(conflicts(&a).is_empty(), "alone, nothing is wrong");
    for till in [&a, &b, &a] {
        till.sync();
    }
    // Both redemptions stay; both tills name the same one (the later) as not paid for.
    for till in [&a, &b] {
        let queue = conflicts(till);
        assert_eq!(queue.len(), 1, "{}: {queue:?}", till.name);
        assert_eq!(queue[0]["id"], later.as_str());
        assert_eq!(queue[0]["balance"], -1);
        assert_eq!(queue[0]["shop_name"], "Café de la Gare");
        assert_eq!(
            till.card(&claire),
            (0, 0),
            "the screen shows no reward, not minus one"
        );
    }
    // A conflict that is not one is refused.
    assert_eq!(
        a.refused(&["conflicts", "resolve", &claire, "--accept", "--reason", "x"]),
        "no_such_conflict"
    );
    // B's manager charges it to the next reward; the decision travels.
    b.run(&[
        "conflicts",
        "resolve",
        &later,
        "--charge-back",
        "--reason",
        "second coffee by mistake",
    ]);
    for till in [&b, &a] {
        till.sync();
    }
    assert!(conflicts(&a).is_empty() && conflicts(&b).is_empty());
    // The next 9 punches pay the debt: no reward shows until then.
    a.punch(&claire, 9);
    assert_eq!(a.card(&claire), (0, 0));
    let history = a.run(&["history", &claire]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "redeem").count(),
        2,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"charge_back"));
}

#[tokio::test]
async fn a_void_of_punches_whose_reward_another_shop_gave_is_a_conflict_a_manager_can_forgive() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b, claire, punches) = chain_with_a_reward(dir.path());
    let given = b.redeem(&claire);
    a.void(&punches);
    for till in [&a, &b, &a] {
        till.sync();
    }
    let queue = conflicts(&b);
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["id"], given.as_str());
    a.run(&[
        "conflicts",
        "resolve",
        &given,
        "--accept",
        "--reason",
        "our mistake",
    ]);
    for till in [&a, &b] {
        till.sync();
    }
    for till in [&a, &b] {
        assert!(conflicts(till).is_empty(), "{}", till.name);
        assert_eq!(till.card(&claire), (0, 0));
    }
    // Forgiven is not voided: the redemption still counts as given in the history.
    let history = b.run(&["history", &claire]);
    let redemption = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == given.as_str())
        .unwrap();
    assert_eq!(redemption["voided"], false);
}
