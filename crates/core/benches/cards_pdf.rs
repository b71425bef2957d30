//! Prints how long a PDF of 1,000 cards takes and how big it is, for both layouts.
//! `cargo bench -p tessera-core --bench cards_pdf` (a plain binary: it prints figures).

use std::time::Instant;

use tessera_core::cards::pdf::Sheet;
use tessera_core::cards::print::Selection;
use tessera_core::first_run::NewShop;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

const MEMBERS: usize = 1_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.db"))
        .await
        .expect("store");
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Café Lumière".into(),
            language: "fr".into(),
            currency: "EUR".into(),
            manager_name: "Ana".into(),
            manager_pin: "1234".into(),
        })
        .await
        .expect("shop");
    let manager = Actor::from(&set_up.manager);
    let languages = ["fr", "it", "ro", "hu", "en"];
    for i in 0..MEMBERS {
        store
            .enroll(
                &manager,
                &NewMember {
                    name: format!("Ștefan Őrsi-Lefèvre {i:04}"),
                    language: Some(languages[i % languages.len()].into()),
                    ..Default::default()
                },
            )
            .await
            .expect("member");
    }
    for (name, sheet) in [("cr80", Sheet::Cr80), ("a4-10", Sheet::A4Ten)] {
        let started = Instant::now();
        let printed = store
            .print_cards(&manager, &Selection::All, sheet, None, &mut |_, _| {})
            .await
            .expect("pdf");
        let elapsed = started.elapsed();
        println!(
            "cards_pdf/{name}: {} cards in {:.2} s ({:.2} ms/card), {:.2} MB ({:.1} KB/card above the fonts)",
            printed.cards.len(),
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1000.0 / printed.cards.len() as f64,
            printed.pdf.len() as f64 / 1e6,
            (printed.pdf.len() as f64 - 750_000.0) / 1e3 / printed.cards.len() as f64,
        );
    }
}
