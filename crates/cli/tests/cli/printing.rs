//! Printing through CUPS, for real: a private scheduler (tests/support/private_cups.rs) with a
//! queue whose backend writes each job to a file. `tessera cards pdf --print`
//! sends the PDF with `lp`; the file the queue writes must be that PDF, byte for byte.

use crate::common::Till;
use crate::private_cups::{PrivateCups, QUEUE};

const MANAGER: [&str; 4] = ["--staff", "Ana", "--pin", "1234"];

fn manager(args: &[&str]) -> Vec<String> {
    MANAGER.iter().chain(args).map(|s| s.to_string()).collect()
}

#[test]
fn a_pdf_of_cards_sent_with_print_reaches_the_queue_whole() {
    let cups = PrivateCups::start();
    let till = Till::new();
    till.with_shop();
    let env = [("CUPS_SERVER", cups.server())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The printers CUPS knows, the test queue among them.
    let printers = till.run_with_env(&["cards", "printers"], &env);
    assert!(printers.ok, "{}", printers.json);
    assert_eq!(printers.json["names"][0], QUEUE);

    let pdf = till.dir.path().join("cards.pdf");
    let pdf_arg = pdf.display().to_string();
    let args = manager(&["cards", "pdf", "--out", &pdf_arg, "--printer", QUEUE]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let sent = till.run_with_env(&args, &env);
    assert!(sent.ok, "{}", sent.json);
    assert_eq!(sent.json["printed"]["printer"], QUEUE);
    let job = sent.json["printed"]["job"].as_str().unwrap();
    assert!(
        job.starts_with(&format!("{QUEUE}-")),
        "CUPS's job id: {job}"
    );

    let written = std::fs::read(&pdf).unwrap();
    assert_eq!(cups.next_job(), written, "the PDF, byte for byte");
    assert!(written.starts_with(b"%PDF"));
}

#[test]
fn the_till_s_printer_is_used_and_a_missing_one_is_refused_with_a_code() {
    let cups = PrivateCups::start();
    let till = Till::new();
    till.with_shop();
    let env = [("CUPS_SERVER", cups.server())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = till.dir.path().join("test-page.pdf");
    let page_arg = page.display().to_string();

    // No such printer: a refusal with CUPS's words; the PDF itself is written and kept.
    let args = manager(&[
        "cards",
        "test-page",
        "--out",
        &page_arg,
        "--printer",
        "Nowhere",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let refused = till.run_with_env(&args, &env);
    assert_eq!(refused.error_code(), "print_failed");
    assert!(!refused.json["error"]["args"]["detail"]
        .as_str()
        .unwrap()
        .is_empty());
    assert!(page.exists());

    // --print alone goes to the printer of the till's settings.
    crate::common::block_on(async {
        let store = tessera_core::Store::open(&till.db).await.unwrap();
        let ana = store.sign_in("Ana", "1234").await.unwrap();
        let actor = tessera_core::people::shop::Actor::from(&ana);
        let mut till_settings = store.till_settings().await.unwrap();
        till_settings.printer = Some(QUEUE.into());
        store
            .set_till_settings(&actor, &till_settings)
            .await
            .unwrap();
        store.close().await;
    });
    let args = manager(&["cards", "test-page", "--out", &page_arg, "--print"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let sent = till.run_with_env(&args, &env);
    assert!(sent.ok, "{}", sent.json);
    assert_eq!(sent.json["printed"]["printer"], QUEUE);
    assert_eq!(cups.next_job(), std::fs::read(&page).unwrap());
}
