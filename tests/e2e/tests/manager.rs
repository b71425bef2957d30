//! The manager's side on screen: staff (a cashier added, who then signs in and has no manager
//! screen), the audit trail showing it, a backup taken and restored.

use tessera_e2e::{Session, Start, ENTER};

#[tokio::test]
async fn a_manager_adds_a_cashier_sees_it_in_the_audit_and_backs_up_and_restores() {
    let mut s = Session::launch("manager", Start::Shop).await;
    s.menu("manage-button").await;
    s.click("manage-tab-staff").await;
    s.el("staff-panel").await;
    s.fill("staff-name", "Sam").await;
    s.click("staff-role-cashier").await;
    s.fill("staff-new-pin", "12").await;
    s.click("staff-add").await;
    // A PIN too short is the core's refusal, said on screen; nothing is added.
    s.el("staff-error").await;
    assert_eq!(s.all("staff-row").await.len(), 1);
    s.fill("staff-new-pin", "0000").await;
    s.click("staff-add").await;
    s.eventually("Sam in the staff list", async |s| {
        (s.all("staff-row").await.len() == 2).then_some(())
    })
    .await;
    let staff = s.cli(&["staff", "list"]);
    assert_eq!(staff[1]["name"], "Sam");
    assert_eq!(staff[1]["role"], "cashier");
    s.client
        .execute(
            "document.querySelector('[data-testid=manage-back]').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    s.shot("staff").await;

    s.click("manage-tab-audit").await;
    s.eventually("the staff added in the audit trail", async |s| {
        for row in s.all("audit-row").await {
            if row.attr("data-kind").await.ok().flatten().as_deref() == Some("staff_added") {
                return Some(());
            }
        }
        None
    })
    .await;
    s.shot("audit").await;

    // A backup now (Sam in it); a member enrolled after it is gone once it is restored.
    s.click("manage-tab-backups").await;
    s.click("backup-now").await;
    // The app's daily automatic backup may be listed too: the one taken by hand is named
    // "manual-…", and that is the one restored.
    let manual = s
        .eventually("the backup in the list", async |s| {
            for row in s.all("backup-row").await {
                if row.text().await.unwrap_or_default().contains("manual-") {
                    return Some(row);
                }
            }
            None
        })
        .await;
    s.cli(&["member", "add", "--name", "After The Backup"]);
    manual
        .find(fantoccini::Locator::Css(&Session::selector(
            "backup-restore",
        )))
        .await
        .expect("a restore button on the backup taken by hand")
        .click()
        .await
        .unwrap();
    s.click("backup-restore-confirm").await;
    // Everyone signs in again; the member added after the backup is gone from the till.
    s.el("signin-screen").await;
    assert!(s
        .cli(&["member", "find", "After"])
        .as_array()
        .unwrap()
        .is_empty());
    s.shot("restored").await;

    // Sam signs in: a cashier has no manager screen.
    let names = s.all("signin-staff").await;
    let mut sam = None;
    for button in names {
        if button.text().await.unwrap_or_default().trim() == "Sam" {
            sam = Some(button);
        }
    }
    sam.expect("Sam on the sign-in screen")
        .click()
        .await
        .unwrap();
    s.fill("signin-pin", "0000").await;
    s.keys(&ENTER.to_string()).await;
    s.el("cashier-screen").await;
    s.click("menu-button").await;
    s.el("signout-button").await;
    assert!(
        !s.exists("manage-button").await,
        "a cashier sees the manager screen"
    );
    s.finish().await;
}
