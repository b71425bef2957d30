//! The manager's side on screen: staff (a cashier added, who then signs in and has no manager
//! screen), the audit trail showing it, a backup taken and restored; a program made on screen
//! and used at the till; the reports read as charts.

use fantoccini::Locator;
use tessera_e2e::{Session, Start, ENTER, MANAGER};

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
    // On the touch screen's PIN pad.
    s.el("signin-pin").await;
    for _ in 0..4 {
        s.client
            .find(fantoccini::Locator::Css(
                "[data-testid='pin-key'][data-digit='0']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    s.click("signin-submit").await;
    s.el("cashier-screen").await;
    s.click("menu-button").await;
    s.el("signout-button").await;
    assert!(
        !s.exists("manage-button").await,
        "a cashier sees the manager screen"
    );
    s.finish().await;
}

/// Manager › Programs: a points program made on screen (rewards at thresholds), the coffee
/// card paused; at the till the cashier types the amount spent, and the reward the balance
/// reached is given from the redemption dialog. Then the till's settings, the member's consent
/// and every member exported.
#[tokio::test]
async fn a_manager_creates_a_points_program_that_the_till_gives_points_in() {
    let mut s = Session::launch("programs", Start::Shop).await;
    let member = s.cli(&["member", "add", "--name", "Claire Dubois"]);
    let code = member["code"].as_str().unwrap().to_string();
    s.menu("manage-button").await;
    s.click("manage-tab-programs").await;
    s.el("programs-panel").await;
    s.click("program-new").await;
    s.click("program-kind-points").await;
    s.fill("program-name", "Points").await;
    s.fill("program-per-unit", "2").await;
    s.fill("program-tier-points", "50").await;
    s.fill("program-tier-reward", "A croissant").await;
    s.click("program-save").await;
    s.eventually("the points program in the list", async |s| {
        (s.all("program-row").await.len() == 2).then_some(())
    })
    .await;
    // The coffee card paused: the points program is the only one taking punches.
    let rows = s.all("program-row").await;
    for row in rows {
        if row.attr("data-kind").await.ok().flatten().as_deref() == Some("stamps") {
            row.find(fantoccini::Locator::Css(&Session::selector(
                "program-pause",
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        }
    }
    s.eventually("the coffee card paused", async |s| {
        for row in s.all("program-row").await {
            if row.attr("data-status").await.ok().flatten().as_deref() == Some("paused") {
                return Some(());
            }
        }
        None
    })
    .await;
    let programs = s.cli(&["program", "list"]);
    let points = programs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "points")
        .expect("the points program in the database");
    assert_eq!(points["points_per_unit"], 2);
    assert_eq!(points["tiers"][0]["reward"], "A croissant");
    s.shot("programs").await;

    // At the till: 27,50 spent is 54 points, past the croissant's 50.
    s.click("manage-back").await;
    s.scan(&code).await;
    s.fill("punch-amount", "27,50").await;
    s.keys(&ENTER.to_string()).await;
    s.eventually("the points on the card", async |s| {
        (s.text("card-points").await == "54 points").then_some(())
    })
    .await;
    assert_eq!(s.feedback_kind().await.as_deref(), Some("reward"));
    s.click("redeem-button").await;
    s.el("redeem-tier").await;
    s.click("redeem-confirm").await;
    s.eventually("4 points left after the croissant", async |s| {
        (s.text("card-points").await == "4 points").then_some(())
    })
    .await;
    let history = s.cli(&["history", &code]);
    assert_eq!(history[0]["kind"], "redeem");
    assert_eq!(history[0]["amount"], 50);

    // This till's settings: no sounds, never sign out by itself; in the audit trail.
    s.menu("manage-button").await;
    s.click("manage-tab-settings").await;
    // The shop's time zone, which syncs to every till; a wrong one is refused on screen.
    s.fill("shop-time-zone", "Europe/Atlantis").await;
    s.click("shop-save").await;
    s.el("settings-error").await;
    s.fill("shop-time-zone", "Europe/Paris").await;
    s.click("shop-save").await;
    s.el("shop-saved").await;
    assert_eq!(s.cli(&["shop", "show"])["time_zone"], "Europe/Paris");
    s.click("settings-sounds").await;
    s.fill("settings-idle", "0").await;
    s.click("settings-save").await;
    s.el("settings-saved").await;
    // The till's pages on a free port: the app serves them at once, in the shop's language.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.fill("settings-pages", &format!("127.0.0.1:{port}")).await;
    s.click("settings-save").await;
    s.el("settings-saved").await;
    let page = http_get(port, "/u/TU1NOTALINK");
    assert!(page.starts_with("HTTP/1.1 404"), "{page}");
    assert!(page.contains("This link is not one of ours"), "{page}");
    let audit = s.cli(&["audit"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "settings_changed"
                && e["detail"] == "idle_sign_out_minutes=0, sounds=false"),
        "{audit}"
    );

    // Claire, on screen: her yes to emails; then every member exported for Excel.
    s.click("manage-tab-members").await;
    s.el("member-details").await;
    let email_row = s
        .client
        .find(fantoccini::Locator::Css(
            "[data-testid='consent-row'][data-channel='email'] [data-testid='consent-yes']",
        ))
        .await
        .unwrap();
    email_row.click().await.unwrap();
    s.eventually("her yes to emails", async |s| {
        let shown = s.cli(&["member", "show", &code]);
        (shown["consent"]["email"]["granted"] == true).then_some(shown)
    })
    .await;
    s.click("members-export").await;
    let written = s.text("members-written").await;
    let path = written
        .split_whitespace()
        .find(|word| word.ends_with(".csv"))
        .expect("the file's path on screen");
    let csv = std::fs::read_to_string(path).expect("the exported file");
    // An English shop: commas; her consent in the file.
    assert!(
        csv.contains(",Claire Dubois,") && csv.contains(",yes,"),
        "{csv}"
    );
    s.shot("members").await;

    // Manager › Members › Write to members: Claire on the panel, with an email, is the one
    // member the panel's campaign reaches; the file gives her a coupon of her own.
    s.cli(&["member", "edit", &code, "--email", "claire@example.com"]);
    s.cli(&["member", "consent", &code, "--panel", "yes"]);
    s.click("campaign-segment-panel").await;
    s.eventually("the panel's reach", async |s| {
        let reach = s.attr("campaign-preview", "data-reachable").await;
        (reach.as_deref() == Some("1")).then_some(())
    })
    .await;
    s.shot("campaign").await;
    s.fill("campaign-message", "Our terrace is open again.")
        .await;
    s.click("campaign-with-coupon").await;
    s.fill("campaign-coupon-text", "A coffee on us").await;
    s.click("campaign-export").await;
    let exported = s.text("campaign-exported").await;
    let path = exported
        .split_whitespace()
        .find(|word| word.ends_with(".csv"))
        .expect("the campaign file's path on screen");
    let csv = std::fs::read_to_string(path).expect("the campaign file");
    let row = csv.lines().nth(1).expect("Claire's row");
    assert!(row.contains(",Claire Dubois,claire@example.com,"), "{csv}");
    let token = row.split(',').nth(7).unwrap();
    assert_eq!(
        s.cli(&["scan", token])["coupon"]["member_name"],
        "Claire Dubois"
    );
    s.finish().await;
}

/// Manager › Reports on a shop with a few months behind it (generated from a seed): the three
/// numbers are the core's (the CLI's report of the same days), and the charts are drawn.
#[tokio::test]
async fn a_manager_reads_the_reports_as_charts() {
    let mut s = Session::launch("reports", Start::Shop).await;
    s.cli(&["shop", "set", "--time-zone", "Europe/Paris"]);
    s.cli(&[
        "dev",
        "seed",
        "--members",
        "400",
        "--events",
        "9000",
        "--years",
        "1",
    ]);
    let summary = s.cli(&["report", "summary"]);
    let at_risk = s.cli(&["report", "at-risk"]);
    assert!(
        summary["returning_members"].as_i64().unwrap() > 0,
        "{summary}"
    );

    s.menu("manage-button").await;
    s.click("manage-tab-reports").await;
    s.el("reports-panel").await;
    for (tile, figure) in [
        ("reports-returning", "returning_members"),
        ("reports-rewards", "rewards_given"),
        ("reports-new", "new_members"),
    ] {
        let expected = summary[figure].as_i64().unwrap();
        s.eventually("the figure of the core's report", async |s| {
            // English numbers group thousands with a comma.
            let shown = s.text(tile).await.replace(',', "");
            (shown == expected.to_string()).then_some(())
        })
        .await;
    }
    assert!(s.text("reports-zone").await.contains("Europe/Paris"));
    for chart in [
        "chart-returning",
        "chart-rewards",
        "chart-new",
        "chart-visits",
        "chart-retention",
    ] {
        let painted = s
            .eventually("the chart drawn", async |s| {
                if s.attr(chart, "data-drawn").await.as_deref() != Some("true") {
                    return None;
                }
                let script = format!(
                    "const c = document.querySelector('[data-testid=\"{chart}\"]');
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     let n = 0;
                     for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                     return n;"
                );
                let painted = s.client.execute(&script, vec![]).await.ok()?;
                painted.as_u64().filter(|n| *n > 0)
            })
            .await;
        // Bars, axes and labels: more than a stray line.
        assert!(painted > 500, "{chart}: {painted} pixels painted");
    }
    let shown_at_risk = s.all("reports-at-risk-row").await.len() as u64;
    let total = at_risk["total"].as_u64().unwrap();
    assert_eq!(shown_at_risk, total.min(100), "{at_risk}");
    assert!(!s.all("reports-staff-row").await.is_empty());
    for (testid, shot) in [
        ("reports-zone", "reports"),
        ("chart-retention", "retention"),
    ] {
        let script =
            format!("document.querySelector('[data-testid=\"{testid}\"]').scrollIntoView()");
        s.client.execute(&script, vec![]).await.expect("scroll");
        s.shot(shot).await;
    }
}

/// A GET on this computer, as a phone's browser on the shop's network sends it: the answer
/// as text (status line, headers and page).
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the pages answer");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: till\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Manager › Feedback: the surveys' figures as the core counts them, the topic to act on
/// marked, the members' words, and a "you said, we did" entry written here that the survey
/// page then shows (docs/decisions/0032-surveys.md).
#[tokio::test]
async fn a_manager_reads_the_feedback_and_says_what_the_shop_changed() {
    let mut s = Session::launch("feedback", Start::Shop).await;
    // Four customers answered receipts' links: speed matters to most and pleases least.
    for (nps, topic, score, comment) in [
        ("10", "quality", "5", "Lovely croissants"),
        ("9", "speed", "2", ""),
        ("8", "speed", "2", ""),
        ("3", "speed", "1", "The queue at 8 is too long"),
    ] {
        let asked = s.cli(&["survey", "ask"]);
        let token = asked["token"].as_str().expect("a token").to_string();
        let mut args = vec![
            "survey", "answer", &token, "--nps", nps, "--topic", topic, "--score", score,
        ];
        if !comment.is_empty() {
            args.extend(["--comment", comment]);
        }
        s.cli(&args);
    }
    let figures = s.cli(&["report", "surveys"]);
    assert_eq!(figures["nps"], 25, "{figures}");
    s.cli(&[
        "complaint",
        "add",
        "--category",
        "wait",
        "--severity",
        "high",
        "--note",
        "Twenty minutes for a coffee",
    ]);

    s.menu("manage-button").await;
    s.click("manage-tab-feedback").await;
    // The open complaint, with its owner; put right here in a few words.
    let open = s.text("complaint-open").await;
    assert!(open.contains("Twenty minutes for a coffee"), "{open}");
    assert!(open.contains(&format!("Owner: {MANAGER}")), "{open}");
    assert!(s
        .text("complaints-figures")
        .await
        .contains("1 logged, 1 open"));
    s.click("complaint-resolve").await;
    s.fill("complaint-resolution", "A second machine from Monday")
        .await;
    s.click("complaint-resolve-save").await;
    s.el("complaints-none").await;
    let all = s.cli(&["complaint", "list", "--all"]);
    assert_eq!(
        all[0]["resolution"], "A second machine from Monday",
        "{all}"
    );
    s.el("surveys-panel").await;
    s.eventually("the core's score", async |s| {
        (s.text("surveys-nps").await == "+25").then_some(())
    })
    .await;
    assert_eq!(s.all("surveys-topic-row").await.len(), 2);
    assert_eq!(s.all("surveys-act-here").await.len(), 1);
    let marked = s
        .client
        .find(Locator::Css("tr.act td"))
        .await
        .expect("the row to act on")
        .text()
        .await
        .expect("its topic");
    assert_eq!(marked, "Not waiting");
    assert!(s
        .text("surveys-comments")
        .await
        .contains("The queue at 8 is too long"));
    s.eventually("the charts drawn", async |s| {
        let nps = s.attr("chart-nps", "data-drawn").await;
        let topics = s.attr("chart-topics", "data-drawn").await;
        (nps.as_deref() == Some("true") && topics.as_deref() == Some("true")).then_some(())
    })
    .await;
    for (testid, shot) in [
        ("surveys-nps", "feedback"),
        ("chart-topics", "feedback-topics"),
    ] {
        let script =
            format!("document.querySelector('[data-testid=\"{testid}\"]').scrollIntoView()");
        s.client.execute(&script, vec![]).await.expect("scroll");
        s.shot(shot).await;
    }

    s.fill("we-did-text", "A second till opens at 8").await;
    s.click("we-did-add").await;
    s.eventually("the entry listed", async |s| {
        (s.all("we-did-withdraw").await.len() == 1).then_some(())
    })
    .await;
    let listed = s.cli(&["we-did", "list"]);
    assert_eq!(listed[0]["text"], "A second till opens at 8", "{listed}");
    // The survey page shows it to the next customer.
    let asked = s.cli(&["survey", "ask", "--link-base", "http://till.local:8470"]);
    let token = asked["token"].as_str().expect("a token");
    let pages = tessera_core::Store::open(&s.db).await.expect("the store");
    let page = pages.survey_page(token).await.expect("the page");
    assert_eq!(page.we_did[0].text, "A second till opens at 8");
    s.finish().await;
}

/// Manager › Settings › Complaints: a manager makes a price complaint propose 2.50 off for 14
/// days, in their words, and takes the wait's coupon away; the till's rules are then theirs.
#[tokio::test]
async fn a_manager_sets_what_each_kind_of_complaint_proposes() {
    let mut s = Session::launch("compensation", Start::Shop).await;
    s.menu("manage-button").await;
    s.click("manage-tab-settings").await;
    s.el("compensation-panel").await;
    let row =
        |category: &str| format!("[data-testid='compensation-row'][data-category='{category}']");
    let field =
        |category: &str, testid: &str| format!("{} [data-testid='{testid}']", row(category));
    // The built-in rules are shown: the wait proposes a percentage off.
    let wait = s
        .eventually("the rules read", async |s| {
            let select = s
                .client
                .find(Locator::Css(&field("wait", "compensation-kind")))
                .await
                .ok()?;
            let value = select.prop("value").await.ok()??;
            (!value.is_empty()).then_some(value)
        })
        .await;
    assert_eq!(wait, "percent_off");
    let set = async |css: String, value: &str| {
        let element = s.client.find(Locator::Css(&css)).await.expect(&css);
        if element.tag_name().await.expect("tag") == "select" {
            element.select_by_value(value).await.expect("select");
        } else {
            element.clear().await.expect("clear");
            element.send_keys(value).await.expect("type");
        }
    };
    set(field("price", "compensation-kind"), "amount_off").await;
    set(field("price", "compensation-value"), "2.50").await;
    set(field("price", "compensation-days"), "14").await;
    set(field("price", "compensation-text"), "Sorry about the bill").await;
    set(field("wait", "compensation-kind"), "none").await;
    s.shot("compensation").await;
    s.click("compensation-save").await;
    s.el("compensation-saved").await;
    let rules = s.cli(&["complaint", "rules"]);
    let price = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "price")
        .expect("a price rule")
        .clone();
    assert_eq!(price["kind"], "amount_off", "{rules}");
    assert_eq!(price["value"], 250, "{rules}");
    assert_eq!(price["days"], 14, "{rules}");
    assert_eq!(price["text"], "Sorry about the bill", "{rules}");
    assert!(rules
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["category"] != "wait"));
    s.finish().await;
}

/// Manager › Members › Give a coupon: for the member on screen, on 80 mm receipt paper, sent to
/// the till's printer (a private CUPS queue to a file); the printed voucher's QR is the coupon,
/// which shows with the member at the counter.
#[tokio::test]
async fn a_manager_gives_a_coupon_and_prints_its_voucher() {
    let (s, cups) = Session::launch_with_printer("coupon-issue", Start::Shop).await;
    let code = s.enroll("Claire Dubois");
    s.scan(&code).await;
    assert_eq!(s.text("member-name").await, "Claire Dubois");
    s.menu("manage-button").await;
    s.click("manage-tab-members").await;
    s.el("coupon-issue-panel").await;
    s.fill("coupon-issue-text", "A cake on us").await;
    // Below the member's details, under the action bar: brought into view, as the manager
    // scrolls to it.
    s.client
        .execute(
            "document.querySelector('[data-testid=coupon-issue-format]')
                 .scrollIntoView({ block: 'center' })",
            vec![],
        )
        .await
        .expect("scroll");
    s.select("coupon-issue-format", "strip-80").await;
    s.click("coupon-issue").await;
    s.el("coupon-issued").await;
    s.click("coupon-issue-print").await;
    s.el("coupon-issue-sent").await;
    let codes = tessera_e2e::qr_codes_in_pdf(&cups.next_job(), s.temp_dir());
    let token = codes.first().expect("the voucher's QR").clone();
    assert!(token.starts_with("TC1"), "{token}");
    let scanned = s.cli(&["scan", &token]);
    assert_eq!(scanned["coupon"]["text"], "A cake on us", "{scanned}");
    assert_eq!(
        scanned["coupon"]["member_name"], "Claire Dubois",
        "{scanned}"
    );
    assert_eq!(scanned["coupon"]["state"], "open", "{scanned}");
    s.finish().await;
}
