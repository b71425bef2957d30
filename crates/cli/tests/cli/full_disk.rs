//! A full disk in the middle of the day: the till's database on a small tmpfs (mounted in a
//! mount namespace of its own, so the machine's disks are untouched) that fills up while the
//! CLI punches. The punch that no longer fits is refused as `disk_full`, with its message;
//! every punch before it stays; once there is room again the same till punches on, and
//! `doctor` finds the store whole.

use std::process::Command;

use serde_json::Value;

use crate::common::{Till, MANAGER, MANAGER_PIN};

/// Runs inside the namespace: $DIR is the tmpfs, $OUT an ordinary folder for the results.
const ON_A_SMALL_DISK: &str = r#"
set -u
mount -t tmpfs -o size=2m tessera-test "$DIR" || exit 90
cp "$DB" "$DIR/tessera.db"
# Leave 256 KB, and let something else on the machine take 32 KB more after each punch.
avail=$(df --output=avail -k "$DIR" | tail -1)
head -c $(( (avail - 256) * 1024 )) /dev/zero > "$DIR/filler" 2>/dev/null
punched=0
while [ "$punched" -lt 100 ]; do
    if ! "$TESSERA" --db "$DIR/tessera.db" --json punch "$CODE" > "$OUT/last.json"; then
        cp "$OUT/last.json" "$OUT/refusal.json"
        break
    fi
    punched=$((punched + 1))
    head -c 32768 /dev/zero >> "$DIR/filler" 2>/dev/null
done
echo "$punched" > "$OUT/punched"
rm "$DIR/filler"
"$TESSERA" --db "$DIR/tessera.db" --json punch "$CODE" > "$OUT/after.json" || exit 91
"$TESSERA" --db "$DIR/tessera.db" --json doctor > "$OUT/doctor.json"
"$TESSERA" --db "$DIR/tessera.db" --json scan "$CODE" > "$OUT/scan.json"
"#;

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

#[test]
fn a_disk_that_fills_up_refuses_the_punch_that_does_not_fit_and_keeps_the_others() {
    let till = Till::new();
    let code = till.with_shop();
    let disk = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            ON_A_SMALL_DISK,
        ])
        .env("DIR", disk.path())
        .env("OUT", out.path())
        .env("DB", &till.db)
        .env("CODE", &code)
        .env("TESSERA", env!("CARGO_BIN_EXE_tessera"))
        .env("LANG", "C")
        .env("TESSERA_STAFF", MANAGER)
        .env("TESSERA_PIN", MANAGER_PIN)
        .status()
        .expect("run unshare (util-linux) to mount a private tmpfs");
    assert!(
        status.success(),
        "the full-disk run failed: {status:?} (90: no tmpfs could be mounted; 91: no punch \
         once there was room again)"
    );

    let refusal = read_json(&out.path().join("refusal.json"));
    assert_eq!(refusal["error"]["code"], "disk_full", "{refusal}");
    assert!(
        refusal["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{refusal}"
    );
    let punched: i64 = std::fs::read_to_string(out.path().join("punched"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(punched >= 1, "the disk was full before the first punch");
    eprintln!("{punched} punches before the disk was full");

    assert_eq!(
        read_json(&out.path().join("after.json"))["card"]["punches_needed"],
        9
    );
    let doctor = read_json(&out.path().join("doctor.json"));
    assert_eq!(doctor["ok"], true, "{doctor}");
    // Every punch that was answered, and the one after: none more, none fewer.
    let card = &read_json(&out.path().join("scan.json"))["cards"][0];
    let total = card["rewards_earned"].as_i64().unwrap() * 9 + card["punches"].as_i64().unwrap();
    assert_eq!(total, punched + 1, "{card}");
}
