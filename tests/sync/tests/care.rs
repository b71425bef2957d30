//! Care travels (issue 13): a coupon issued in one shop is honoured in another, and used in
//! both while they were apart it lands in the conflict queue of every till until a manager
//! accepts the loss (docs/decisions/0029-coupons.md); a complaint logged in one shop is put
//! right in another (0030); a member's panel yes and birthday given in one shop put them in
//! another shop's campaign (0031); a member asked for their opinion in one shop is left alone in
//! the other, and their answers reach every till's report (0032); a manager's compensation rules
//! reach every till of the shop. Real hub and tills (the CLI) on loopback.

use tessera_sync_tests::{two_shops, Hub, Till};

fn conflicts(till: &Till) -> Vec<serde_json::Value> {
    till.run(&["conflicts"]).as_array().unwrap().clone()
}

fn issue(till: &Till, member: &str) -> (String, String) {
    let coupon = till.run(&[
        "coupon",
        "issue",
        "--kind",
        "free-item",
        "--text",
        "A croissant",
        "--member",
        member,
    ]);
    (
        coupon["id"].as_str().unwrap().to_string(),
        coupon["token"].as_str().unwrap().to_string(),
    )
}

/// A hub and two tills of one chain that both know Claire's coupon: (hub, a, b, id, token).
fn chain_with_a_coupon(dir: &std::path::Path) -> (Hub, Till, Till, String, String) {
    let (hub, a, b) = two_shops(dir);
    let claire = a.enroll("Claire Dubois");
    let (id, token) = issue(&a, &claire);
    for till in [&a, &b] {
        till.sync();
    }
    (hub, a, b, id, token)
}

#[tokio::test]
async fn a_coupon_issued_in_one_shop_shows_in_the_other_and_is_used_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b, id, token) = chain_with_a_coupon(dir.path());
    // B knows the coupon whole: its words and its member, not only what its token says.
    let shown = b.run(&["scan", &token]);
    assert_eq!(shown["coupon"]["id"], id.as_str());
    assert_eq!(shown["coupon"]["text"], "A croissant");
    assert_eq!(shown["coupon"]["member_name"], "Claire Dubois");
    assert_eq!(shown["coupon"]["state"], "open");

    let used = b.run(&["coupon", "redeem", &token]);
    assert_eq!(used["event"]["kind"], "coupon_redeem");
    for till in [&b, &a] {
        till.sync();
    }
    assert_eq!(a.refused(&["coupon", "redeem", &token]), "coupon_used");
    let seen = a.run(&["coupon", "show", &id]);
    assert_eq!(seen["state"], "used");
    assert_eq!(seen["used_in"], "Café de la Gare");
}

#[tokio::test]
async fn a_coupon_used_in_two_offline_shops_is_a_conflict_everywhere_until_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b, id, token) = chain_with_a_coupon(dir.path());
    // Apart, each shop takes the coupon it knows is good.
    let first = a.run(&["coupon", "redeem", &token])["event"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = b.run(&["coupon", "redeem", &token])["event"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(conflicts(&a).is_empty(), "alone, nothing is wrong");
    for till in [&a, &b, &a] {
        till.sync();
    }
    // Both uses stay; both tills name the same one (the later) as the one too many.
    for till in [&a, &b] {
        let queue = conflicts(till);
        assert_eq!(queue.len(), 1, "{}: {queue:?}", till.name);
        assert_eq!(queue[0]["id"], second.as_str());
        assert_eq!(queue[0]["coupon_id"], id.as_str());
        assert_eq!(queue[0]["coupon_text"], "A croissant");
        assert_eq!(queue[0]["shop_name"], "Café de la Gare");
        let shown = till.run(&["coupon", "show", &id]);
        assert_eq!(shown["use_event"], first.as_str(), "the first use stands");
    }
    // There is no next reward to take a coupon from.
    assert_eq!(
        b.refused(&[
            "conflicts",
            "resolve",
            &second,
            "--charge-back",
            "--reason",
            "x"
        ]),
        "coupon_charge_back"
    );
    let settled = b.run(&[
        "conflicts",
        "resolve",
        &second,
        "--accept",
        "--reason",
        "our mistake, the voucher was good",
    ]);
    assert_eq!(settled["event"]["kind"], "forgive");
    assert!(settled["card"].is_null());
    for till in [&b, &a] {
        till.sync();
    }
    for till in [&a, &b] {
        assert!(conflicts(till).is_empty(), "{}", till.name);
        assert_eq!(till.refused(&["coupon", "redeem", &token]), "coupon_used");
        let doctor = till.run(&["doctor"]);
        assert_eq!(doctor["ok"], true, "{}: {doctor}", till.name);
    }
}

#[tokio::test]
async fn a_complaint_logged_in_one_shop_is_compensated_and_resolved_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    let logged = a.run(&[
        "complaint",
        "add",
        "--member",
        &claire,
        "--category",
        "wait",
        "--severity",
        "high",
        "--note",
        "Twenty minutes for a coffee",
    ]);
    let id = logged["id"].as_str().unwrap().to_string();
    for till in [&a, &b] {
        till.sync();
    }
    let open = b.run(&["complaint", "list"]);
    assert_eq!(open[0]["id"], id.as_str(), "{open}");
    assert_eq!(open[0]["member_name"], "Claire Dubois");
    let coupon = b.run(&["complaint", "compensate", &id]);
    b.run(&[
        "complaint",
        "resolve",
        &id,
        "--note",
        "A second barista at eight",
    ]);
    for till in [&b, &a] {
        till.sync();
    }
    // A sees what B did: the coupon given, the complaint closed; and it refuses a second
    // coupon for it.
    let seen = a.run(&["complaint", "list", "--all"]);
    assert_eq!(seen[0]["coupon_id"], coupon["id"]);
    assert!(seen[0]["resolved_at"].is_string(), "{seen}");
    assert_eq!(
        a.refused(&["complaint", "compensate", &id]),
        "complaint_compensated"
    );
    assert_eq!(
        a.run(&["scan", coupon["token"].as_str().unwrap()])["coupon"]["state"],
        "open"
    );
}

#[tokio::test]
async fn a_panel_yes_and_a_birthday_given_in_one_shop_put_the_member_in_another_shop_s_segments() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    for till in [&a, &b] {
        till.sync();
    }
    // At B's counter she joins the panel, says yes to emails and gives her birthday.
    b.run(&[
        "member",
        "edit",
        &claire,
        "--email",
        "claire@example.fr",
        "--birthday",
        "03-14",
    ]);
    b.run(&[
        "member", "consent", &claire, "--panel", "yes", "--email", "yes",
    ]);
    for till in [&b, &a] {
        till.sync();
    }
    let shown = a.run(&["member", "show", &claire]);
    assert_eq!(shown["consent"]["panel"]["granted"], true, "{shown}");
    assert_eq!(shown["birthday"], "03-14");
    let out = dir.path().join("panel.csv");
    let done = a.run(&[
        "campaign",
        "export",
        "--segment",
        "panel",
        "--channel",
        "email",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        done["recipients"][0]["contact"], "claire@example.fr",
        "{done}"
    );
}

#[tokio::test]
async fn a_member_asked_in_one_shop_is_left_alone_in_the_other_and_the_answers_travel() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, a, b) = two_shops(dir.path());
    let claire = a.enroll("Claire Dubois");
    a.run(&["member", "consent", &claire, "--panel", "yes"]);
    for till in [&a, &b] {
        till.sync();
    }
    assert_eq!(b.run(&["survey", "due", &claire])["due"], true);
    // Asked at A's counter...
    let asked = a.run(&["survey", "ask", "--member", &claire]);
    let token = asked["token"].as_str().unwrap().to_string();
    for till in [&a, &b] {
        till.sync();
    }
    // ...she is not asked again in B for the chain's interval.
    assert_eq!(b.run(&["survey", "due", &claire])["due"], false);
    assert_eq!(
        b.refused(&["survey", "ask", "--member", &claire]),
        "survey_asked_recently"
    );
    // Her link works at B's pages too (the chain's keys; the survey arrived), and her answers
    // reach A's report.
    b.run(&[
        "survey", "answer", &token, "--nps", "4", "--topic", "price", "--score", "2",
    ]);
    for till in [&b, &a] {
        till.sync();
    }
    let report = a.run(&["report", "surveys"]);
    assert_eq!(report["answered"], 1, "{report}");
    assert_eq!(report["nps"], -100, "{report}");
    assert_eq!(report["topics"][0]["topic"], "price", "{report}");
    assert_eq!(
        a.refused(&["survey", "answer", &token, "--nps", "10"]),
        "survey_answered"
    );
}

#[tokio::test]
async fn a_manager_s_compensation_rules_reach_every_till_of_the_shop() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(dir.path());
    let (first, _) = hub.add_device("Café Lumière");
    let (second, _) = hub.add_device("Café Lumière");
    let counter = Till::new(dir.path(), "counter");
    counter.set_up("Café Lumière");
    counter.join(&hub.url, &first);
    let terrace = Till::new(dir.path(), "terrace");
    terrace.join(&hub.url, &second);
    counter.run(&[
        "complaint",
        "rule",
        "--category",
        "price",
        "--kind",
        "free-item",
        "--text",
        "A cake on us",
    ]);
    for till in [&counter, &terrace] {
        till.sync();
    }
    let logged = terrace.run(&[
        "complaint",
        "add",
        "--category",
        "price",
        "--severity",
        "low",
        "--note",
        "Charged twice",
    ]);
    assert_eq!(
        logged["proposed_coupon"]["text"], "A cake on us",
        "{logged}"
    );
}
