//! The desktop app in a chain: it joins from its first-run screen, the header says online,
//! offline (with what waits to go up) and online again as the hub goes away and comes back,
//! and a manager settles on screen a reward the chain gave twice. A real hub process and a
//! second till (the CLI) share the chain with it.

use tessera_e2e::{Session, Start, ENTER};
use tessera_sync_tests::{Hub, Till};

async fn line(s: &Session) -> (String, String) {
    (
        s.attr("sync-badge", "data-line").await.unwrap_or_default(),
        s.attr("sync-badge", "data-waiting")
            .await
            .unwrap_or_default(),
    )
}

async fn wait_for_line(s: &Session, wanted: &str, waiting: &str) {
    s.eventually(
        &format!("the header to say {wanted}, {waiting} waiting"),
        async |s| (line(s).await == (wanted.to_string(), waiting.to_string())).then_some(()),
    )
    .await;
}

#[tokio::test]
async fn the_app_joins_a_chain_shows_its_line_and_settles_a_conflict() {
    let hub_dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(hub_dir.path());
    // The chain's first till, a second till of the same shop for the app.
    let (token_first, _) = hub.add_device("Café Lumière");
    let (token_app, _) = hub.add_device("Café Lumière");
    let first = Till::new(hub_dir.path(), "first");
    first.set_up("Café Lumière");
    first.add_coffee_program(9);
    let claire = first.enroll("Claire Dubois");
    first.punch(&claire, 9);
    first.join(&hub.url, &token_first);

    let mut s = Session::launch("chain", Start::FirstRun).await;
    s.click("setup-join").await;
    s.fill("setup-join-hub", &hub.url).await;
    s.fill("setup-join-token", &token_app).await;
    s.click("setup-join-submit").await;
    // The chain's manager (tessera_sync_tests' tills are run by "Manager") signs in here.
    s.sign_in().await;
    s.shot("joined").await;
    wait_for_line(&s, "online", "0").await;

    // The hub goes away: the till keeps stamping, and says what waits to go up.
    hub.kill();
    s.scan(&claire).await;
    s.keys(&ENTER.to_string()).await;
    s.eventually("the punch to be written", async |s| {
        (s.ledger_card(&claire).0 == 1).then_some(())
    })
    .await;
    s.click("sync-badge").await;
    s.click("sync-now").await;
    wait_for_line(&s, "offline", "1").await;
    s.shot("offline").await;
    hub.restart();
    s.click("sync-now").await;
    wait_for_line(&s, "online", "0").await;

    // The same reward given in both tills while apart (the app's by its manager, from a script).
    let app = Till {
        name: "app".into(),
        db: s.db.clone(),
    };
    first.sync();
    app.run(&["redeem", &claire]);
    let later = first.redeem(&claire);
    first.sync();
    s.click("sync-now").await;
    s.eventually("the conflict on screen", async |s| {
        (s.attr("conflict", "data-id").await.as_deref() == Some(later.as_str())).then_some(())
    })
    .await;
    s.shot("conflict").await;
    s.fill("conflict-reason", "second coffee by mistake").await;
    s.click("conflict-charge-back").await;
    s.el("conflicts-none").await;
    let queue = app.run(&["conflicts"]);
    assert_eq!(queue.as_array().map(Vec::len), Some(0), "{queue}");
    let history = app.run(&["history", &claire]);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "charge_back" && e["reason"] == "second coffee by mistake"),
        "{history}"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_manager_merges_a_member_enrolled_twice_on_screen() {
    let mut s = Session::launch("merge", Start::Shop).await;
    let first = s.enroll("Marie Curie");
    let again = s.cli(&[
        "member",
        "add",
        "--name",
        "Marie Curie",
        "--allow-duplicate",
    ])["code"]
        .as_str()
        .expect("code")
        .to_string();
    s.cli(&["punch", &first, "--count", "3"]);
    s.cli(&["punch", &again, "--count", "2"]);

    s.scan(&first).await;
    s.menu("manage-button").await;
    s.fill("merge-other", &again).await;
    s.click("merge-button").await;
    s.el("member-merged").await;
    s.shot("merged").await;

    // Both cards lead to the member kept, with every stamp.
    for card in [&first, &again] {
        let view = s.cli(&["scan", card]);
        assert_eq!(view["member"]["code"], first.as_str(), "{card}");
        assert_eq!(view["cards"][0]["punches"], 5, "{card}");
    }
    s.finish().await;
}
