//! `tessera member import|export|show|edit|consent|erase|export-data`: members' data from a
//! script, files as Excel writes them, a refused import that writes nothing.

use crate::common::Till;

#[test]
fn an_excel_file_is_previewed_refused_with_its_problems_then_imported() {
    let till = Till::new();
    till.with_shop();
    let file = till.dir.path().join("clients.csv");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
        "Nom;Courriel;Téléphone\r\nFrançoise Lefèvre;francoise@example.fr;06 12 34 56 78\r\n\
         Sans Courriel;pas-un-email;\r\n",
    );
    std::fs::write(&file, &bytes).unwrap();
    let path = file.to_str().unwrap();
    let before = till.footprint();

    let preview = till.ok(&["member", "import", path, "--dry-run"]);
    assert_eq!(preview["rows"], 2);
    assert_eq!(preview["written"], false);
    assert_eq!(preview["encoding"], "windows-1252");
    assert_eq!(preview["problems"][0]["line"], 3, "{preview}");
    assert_eq!(preview["problems"][0]["field"], "email");

    let refused = till.run(&["member", "import", path]);
    assert_eq!(
        refused.output.status.code(),
        Some(1),
        "a refused import exits 1"
    );
    assert_eq!(refused.json["written"], false);
    assert_eq!(till.footprint(), before, "a refused import wrote");

    let (fixed, _, _) = encoding_rs::WINDOWS_1252.encode(
        "Nom;Courriel;Téléphone\r\nFrançoise Lefèvre;francoise@example.fr;06 12 34 56 78\r\n",
    );
    std::fs::write(&file, &fixed).unwrap();
    let imported = till.ok(&["member", "import", path]);
    assert_eq!(imported["added"], 1);
    let found = till.ok(&["member", "find", "lefevre"]);
    assert_eq!(found[0]["name"], "Françoise Lefèvre");

    let out = till.dir.path().join("export.csv");
    till.ok(&["member", "export", out.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(exported.contains("Françoise Lefèvre"), "{exported}");
}

#[test]
fn consent_erasure_and_the_access_export_from_a_script() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["member", "edit", &code, "--email", "claire@example.fr"]);
    let consented = till.ok(&["member", "consent", &code, "--email", "yes", "--sms", "no"]);
    assert_eq!(consented["consent"]["email"]["granted"], true);
    assert_eq!(consented["consent"]["email"]["source"], "cli");
    assert_eq!(consented["consent"]["sms"]["granted"], false);
    till.ok(&["punch", &code]);

    let data = till.dir.path().join("claire.json");
    till.ok(&[
        "member",
        "export-data",
        &code,
        "--out",
        data.to_str().unwrap(),
    ]);
    let export: serde_json::Value = serde_json::from_slice(&std::fs::read(&data).unwrap()).unwrap();
    assert_eq!(export["member"]["email"], "claire@example.fr");
    assert_eq!(export["history"].as_array().unwrap().len(), 2);

    let erased = till.ok(&["member", "erase", &code]);
    assert!(erased["erased_at"].is_string());
    assert_eq!(erased["member"]["name"], "");
    assert!(till
        .ok(&["member", "find", "Claire"])
        .as_array()
        .unwrap()
        .is_empty());
    // The card still scans, anonymous, with its stamp.
    let scanned = till.ok(&["scan", &code]);
    assert_eq!(scanned["cards"][0]["punches"], 1);
    let again = till.run(&["member", "edit", &code, "--name", "Claire"]);
    assert_eq!(again.error_code(), "member_erased");
    let audit = till.ok(&["audit"]);
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"member_erased") && kinds.contains(&"member_data_exported"));
}
