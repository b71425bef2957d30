//! The app and the CLI on one database at once, as on a counter PC where a script runs beside
//! the app: the app's store made the file (first run), keeps its connections open, and every
//! CLI run opens the file, writes, empties the log as it exits, and is gone. Neither may ever
//! see the other's work as a damaged or unwritable database.

use crate::common::{block_on, Till, MANAGER, MANAGER_PIN};
use tessera_core::codes::member_code::MemberCode;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

#[test]
fn a_store_that_made_the_database_and_cli_runs_beside_it_both_keep_working() {
    let till = Till::new();
    block_on(async {
        // The app's first run: its own store makes the file, and keeps it open while a script
        // sets up the shop through the CLI.
        let store = Store::open(&till.db).await.unwrap();
        let code = till.with_shop();
        let manager = Actor::from(&store.sign_in(MANAGER, MANAGER_PIN).await.unwrap());
        let member = store
            .member_by_code(&MemberCode::parse(&code).unwrap())
            .await
            .unwrap()
            .expect("the member the CLI enrolled");

        let mut punches = 0;
        for round in 1..=20 {
            // A script punches through the CLI (which empties the log as it exits)...
            till.ok(&["punch", &code]);
            // ...and the app goes on reading and writing on its open connections.
            store
                .punch(&manager, member.id, None, 1)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the app's punch failed: {e:?}"));
            punches += 2;
            let seen = store
                .member_view(member.id)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the app's read failed: {e:?}"));
            let card = &seen.cards[0];
            let total = card.rewards_earned * card.punches_needed + card.punches;
            assert_eq!(total, punches, "round {round}");
        }
        store.close().await;
    });
}
