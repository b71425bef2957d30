//! What `make fuzz` feeds with random bytes, one function per target (`fuzz/fuzz_targets/`),
//! and what `tests/fuzz_corpus.rs` replays from the committed corpus and every crash ever found
//! (`fuzz/regressions/`). Each takes any bytes, must never panic, and checks a property of what
//! it read on top: a panic here is a finding. Kept in the crate so that the fuzzer and the
//! regression test run the very same code.

use crate::codes::coupon_token::{CouponClaim, CouponKind, CouponTerms};
use crate::codes::member_code::{MemberCode, ALPHABET};
use crate::codes::token::{ChainKey, TokenClaim, TokenError};
use crate::ledger::Event;
use crate::people::members_csv;
use crate::scan::decode::{decode, readings, Decoded};
use crate::sync::protocol::{JoinRequest, PullRequest, PushRequest};

/// A fuzz target: any bytes in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: [(&str, Target); 5] = [
    ("scan_decode", scan_decode),
    ("token_verify", token_verify),
    ("member_code", member_code),
    ("csv_import", csv_import),
    ("sync_request", sync_request),
];

/// The chain key the token target verifies against: fixed, so that a corpus entry made with it
/// (a real token) reaches the MAC's success path.
pub fn fuzz_key() -> ChainKey {
    ChainKey::from_parts("K7".into(), b"tessera fuzzing key, not a secret".to_vec())
}

/// The first line is what was typed or scanned; each further line is one `KeyboardEvent.code`.
pub fn scan_decode(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let typed = lines.next().unwrap_or_default();
    let key_codes: Vec<String> = lines.map(str::to_string).collect();
    assert!(
        !readings(typed, &key_codes).is_empty(),
        "as typed is always a reading"
    );
    match decode(typed, &key_codes) {
        Decoded::Code(code) => assert_eq!(MemberCode::parse(code.as_str()), Ok(code)),
        Decoded::Token(tokens) => assert!(!tokens.is_empty(), "a token decoding reads one"),
        Decoded::Coupon(coupons) => assert!(!coupons.is_empty(), "a coupon decoding reads one"),
        Decoded::Mistyped | Decoded::NotACode => {}
    }
}

/// Only the genuine token of a code (or of a coupon's terms) verifies: whatever else verifies
/// is a forgery accepted.
pub fn token_verify(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let key = fuzz_key();
    if let Ok(coupon) = CouponClaim::parse(&text) {
        match coupon.verify(std::slice::from_ref(&key)) {
            Ok(terms) => assert_eq!(
                key.issue_coupon(&terms),
                text,
                "a token other than the coupon's verified"
            ),
            Err(TokenError::Truncated) => panic!("a parsed coupon cannot be truncated"),
            Err(TokenError::UnknownKey | TokenError::Forged) => {}
        }
        return;
    }
    let Ok(claim) = TokenClaim::parse(&text) else {
        return;
    };
    match claim.verify(std::slice::from_ref(&key)) {
        Ok(code) => assert_eq!(
            key.issue(&code),
            text,
            "a token other than the card's verified"
        ),
        Err(TokenError::Truncated) => panic!("a parsed token cannot be truncated"),
        Err(TokenError::UnknownKey | TokenError::Forged) => {}
    }
}

/// A code that parses is made of the alphabet, and reads back the same from either of its
/// written forms.
pub fn member_code(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = MemberCode::parse(&text) {
        assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(MemberCode::parse(&code.display()), Ok(code.clone()));
        assert_eq!(MemberCode::parse(code.as_str()), Ok(code));
    }
}

/// A file of members read as an import reads it: a report whatever the bytes, whose problems
/// name lines of the file and whose good rows are among those counted.
pub fn csv_import(data: &[u8]) {
    let Ok(read) = members_csv::read_file(data, "fr") else {
        return;
    };
    let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    assert!(read.rows_ok() as i64 <= read.report.rows);
    for problem in &read.report.problems {
        assert!(
            problem.line <= lines,
            "a problem on line {} of {lines}",
            problem.line
        );
    }
}

/// The first byte picks the request (join, push, pull); the rest is its JSON body as a hub
/// receives it. A push's events and changes go through the checks the hub makes before keeping
/// them, and a request read is the same request once written again.
pub fn sync_request(data: &[u8]) {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            round_trips::<JoinRequest>(body);
        }
        1 => {
            if let Some(push) = round_trips::<PushRequest>(body) {
                for wire in push.events {
                    let _ = Event::try_from(wire);
                }
                for change in push.changes {
                    let _ = change.record.check();
                }
            }
        }
        _ => {
            round_trips::<PullRequest>(body);
        }
    }
}

fn round_trips<T>(body: &[u8]) -> Option<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let request: T = serde_json::from_slice(body).ok()?;
    let again = serde_json::to_vec(&request).expect("a request read can be written");
    let reread: T = serde_json::from_slice(&again).expect("a request written can be read");
    assert_eq!(reread, request);
    Some(request)
}

/// The seeds of the committed corpus (`fuzz/corpus/<target>/<name>`), made here so that they
/// stay true to the formats: real codes and tokens, files as Excel writes them, requests as a
/// till sends them. `tests/fuzz_corpus.rs` checks the corpus holds each of them.
pub fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    let code = MemberCode::generate(&mut StdRng::seed_from_u64(12));
    let token = fuzz_key().issue(&code);
    let other_key = ChainKey::generate(&mut StdRng::seed_from_u64(13)).issue(&code);
    let mut forged = token.clone();
    forged.replace_range(
        forged.len() - 1..,
        if forged.ends_with('0') { "1" } else { "0" },
    );
    let key_codes: String = token
        .chars()
        .map(|c| match c {
            '0'..='9' => format!("\nDigit{c}"),
            _ => format!("\nKey{c}"),
        })
        .collect();
    // What a US-layout scanner types on a French AZERTY keyboard: digits come out shifted.
    let azerty: String = token
        .chars()
        .map(|c| match c {
            '1' => '&',
            '2' => 'é',
            '3' => '"',
            'A' => 'Q',
            'Q' => 'A',
            'Z' => 'W',
            'W' => 'Z',
            'M' => ':',
            other => other,
        })
        .collect();
    let coupon = fuzz_key().issue_coupon(&CouponTerms {
        id: uuid::Uuid::from_u128(0x01a2_0ef0_f49b_7697_a800_c69f_e478_07ae).into(),
        kind: CouponKind::AmountOff,
        value: 250,
        expires_on: chrono::NaiveDate::from_ymd_opt(2027, 2, 22),
        only_at: None,
    });
    let mut mistyped = code.as_str().to_string();
    mistyped.replace_range(8.., if mistyped.ends_with('0') { "1" } else { "0" });

    let text = |s: &str| s.as_bytes().to_vec();
    let mut seeds = vec![
        ("scan_decode", "code", text(code.as_str())),
        ("scan_decode", "code_grouped_enter", text(&format!("{}\r", code.display()))),
        ("scan_decode", "token", text(&token)),
        ("scan_decode", "token_aim_prefix", text(&format!("]Q1{token}\t"))),
        ("scan_decode", "token_key_codes", text(&format!("{token}{key_codes}"))),
        ("scan_decode", "token_azerty", text(&azerty)),
        ("scan_decode", "mistyped", text(&mistyped)),
        ("scan_decode", "a_name", text("Marie Dupont")),
        ("scan_decode", "coupon", text(&format!("{coupon}\r"))),
        ("token_verify", "genuine", text(&token)),
        ("token_verify", "forged", text(&forged)),
        ("token_verify", "other_chain", text(&other_key)),
        ("token_verify", "truncated", text(&token[..token.len() - 4])),
        ("token_verify", "coupon", text(&coupon)),
        ("member_code", "canonical", text(code.as_str())),
        ("member_code", "grouped", text(&code.display())),
        ("member_code", "lower_folded", text(&code.as_str().to_lowercase().replace('1', "l"))),
        ("member_code", "mistyped", text(&mistyped)),
        (
            "csv_import",
            "utf8_bom_commas",
            b"\xEF\xBB\xBFName,Email,Phone,Language,Email consent,SMS consent\r\n\
              Marie Dupont,marie@example.fr,+33 6 12 34 56 78,fr,yes,no\r\n\
              \"Kov\xC3\xA1cs, Anna\",,06 30 123 4567,hu,,igen\r\n"
                .to_vec(),
        ),
        (
            "csv_import",
            "windows1252_semicolons",
            b"Nom;Courriel;T\xE9l\xE9phone\r\nH\xE9l\xE8ne Lef\xE8vre;helene@example.fr;0612345678\r\n;;\r\n"
                .to_vec(),
        ),
        (
            "csv_import",
            "problems",
            b"nume\ttelefon\tlimba\nIon Popescu\tnot a phone\tro\n\"unterminated\tx\n".to_vec(),
        ),
    ];
    for (name, request) in sync_seeds(&code) {
        seeds.push(("sync_request", name, request));
    }
    seeds
}

fn sync_seeds(code: &MemberCode) -> Vec<(&'static str, Vec<u8>)> {
    use crate::sync::protocol::{DeviceMarks, Marks, PROTOCOL_VERSION};
    use crate::sync::records::{WireCard, WireChainKey, WireChange, WireRecord};
    use crate::sync::wire::{WireEvent, WireKind, WireReason};
    use uuid::Uuid;

    let at = chrono::DateTime::parse_from_rfc3339("2026-03-29T01:30:00+01:00")
        .expect("a fixed time")
        .to_utc();
    let (device, shop, staff, member, program) = (
        Uuid::from_u128(1),
        Uuid::from_u128(2),
        Uuid::from_u128(3),
        Uuid::from_u128(4),
        Uuid::from_u128(5),
    );
    let punch = WireEvent {
        id: Uuid::from_u128(10),
        device,
        seq: 1,
        shop,
        staff,
        at,
        kind: WireKind::Punch,
        member,
        program: Some(program),
        amount: 1,
        voids: None,
        reason_code: None,
        reason: None,
        other_member: None,
        card_code: Some(code.as_str().into()),
        coupon: None,
    };
    let void = WireEvent {
        id: Uuid::from_u128(11),
        seq: 2,
        kind: WireKind::Void,
        voids: Some(punch.id),
        reason_code: Some(WireReason::ScannedTwice),
        reason: Some("scanné deux fois".into()),
        ..punch.clone()
    };
    let changes = vec![
        WireChange {
            device,
            seq: 1,
            record: WireRecord::ChainKey(WireChainKey {
                id: "K7".into(),
                secret: "00ff".repeat(16),
                created_at: at,
                version: "1".into(),
            }),
        },
        WireChange {
            device,
            seq: 2,
            record: WireRecord::Card(WireCard {
                code: code.as_str().into(),
                member,
                issued_at: at,
                revoked_at: None,
                replaced_by: None,
                version: "1".into(),
            }),
        },
    ];
    vec![
        (
            "join",
            request(
                0,
                &JoinRequest {
                    version: PROTOCOL_VERSION,
                    device,
                    shop: Some(shop),
                },
            ),
        ),
        (
            "push",
            request(
                1,
                &PushRequest {
                    version: PROTOCOL_VERSION,
                    device,
                    changes,
                    events: vec![punch, void],
                },
            ),
        ),
        (
            "pull",
            request(
                2,
                &PullRequest {
                    version: PROTOCOL_VERSION,
                    marks: vec![DeviceMarks {
                        device,
                        marks: Marks {
                            events: 2,
                            changes: 2,
                        },
                    }],
                    limit: 1000,
                },
            ),
        ),
    ]
}

/// A sync seed: the byte that picks the request, then its JSON.
fn request(which: u8, request: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = vec![which];
    bytes.extend(serde_json::to_vec(request).expect("a request is JSON"));
    bytes
}
