//! Members' data (issue 11, part 4; decision 0021): files of members in and out as shops'
//! spreadsheets write them, consent per channel with its time and source, the access export,
//! and erasure that leaves nothing of the person in the database files.

mod common;

use tessera_core::audit::AuditKind;
use tessera_core::people::member_data::{Channel, ConsentSource, MemberEdit};
use tessera_core::people::members::NewMember;
use tessera_core::people::members_csv::ImportOptions;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

async fn bakery() -> (Store, Actor, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    (store, manager, dir)
}

async fn member_count(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM member")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

const WRITE: ImportOptions = ImportOptions {
    dry_run: false,
    allow_duplicates: false,
};

/// As Excel saves "CSV (séparateur : point-virgule)" in France: Windows-1252, semicolons,
/// CRLF, French headers, a trailing empty row.
fn french_excel() -> Vec<u8> {
    let text = "Nom;Courriel;Téléphone;Langue;email_consent\r\n\
                Françoise Lefèvre;francoise@example.fr;06 12 34 56 78;fr;oui\r\n\
                Hélène Müller;;+33 6 98 76 54 32;;non\r\n\
                ;;;;\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[tokio::test]
async fn a_french_excel_file_is_read_with_its_accents_and_consent() {
    let (store, manager, _dir) = bakery().await;
    let before = member_count(&store).await;
    let report = store
        .import_members(&manager, &french_excel(), WRITE)
        .await
        .unwrap();
    assert_eq!(report.encoding, "windows-1252");
    assert_eq!(report.delimiter, ";");
    assert_eq!((report.rows, report.added, report.written), (2, 2, true));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(member_count(&store).await, before + 2);
    let found = store.find_members("lefevre").await.unwrap();
    assert_eq!(found.len(), 1, "accent-insensitive search finds the import");
    let francoise = store.member_details(found[0].id).await.unwrap();
    assert_eq!(francoise.member.name, "Françoise Lefèvre");
    assert_eq!(francoise.member.language, "fr");
    let email = francoise.consent.email.expect("her yes to emails");
    assert!(email.granted);
    assert_eq!(email.source, ConsentSource::Import);
    assert_eq!(francoise.consent.sms, None, "never asked about texts");
    let helene = &store.find_members("Hélène").await.unwrap()[0];
    assert_eq!(
        helene.language, "hu",
        "the shop's language when the file has none"
    );
}

#[tokio::test]
async fn a_utf8_file_with_a_byte_order_mark_and_commas() {
    let (store, manager, _dir) = bakery().await;
    let file = "\u{FEFF}name,email,phone\nŐry Zsuzsa,zsuzsa@example.hu,+36 30 123 4567\n\"Kiss, Anna\",,\n";
    let report = store
        .import_members(&manager, file.as_bytes(), WRITE)
        .await
        .unwrap();
    assert_eq!(
        (report.encoding.as_str(), report.delimiter.as_str()),
        ("UTF-8", ",")
    );
    assert_eq!(report.added, 2);
    assert_eq!(
        store.find_members("Őry").await.unwrap()[0].name,
        "Őry Zsuzsa"
    );
    assert_eq!(
        store.find_members("Kiss").await.unwrap()[0].name,
        "Kiss, Anna"
    );
}

#[tokio::test]
async fn bad_rows_are_named_by_line_and_field_and_nothing_is_written() {
    let (store, manager, _dir) = bakery().await;
    let before = member_count(&store).await;
    let file = "name;email;phone;language;sms_consent\n\
                Good Row;good@example.com;;;\n\
                ;no-name@example.com;;;\n\
                Bad Email;not-an-email;12;;\n\
                Bad Language;;;xx;perhaps\n";
    let report = store
        .import_members(&manager, file.as_bytes(), WRITE)
        .await
        .unwrap();
    assert!(!report.written);
    assert_eq!(report.added, 0);
    let problems: Vec<(u64, &str, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.field.as_str(), p.error.code.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (3, "name", "empty_field"),
            (4, "email", "invalid_email"),
            (4, "phone", "invalid_phone"),
            (5, "language", "invalid_language"),
            (5, "sms_consent", "invalid_characters"),
        ]
    );
    assert_eq!(member_count(&store).await, before, "a refused file wrote");
    let no_name = store
        .import_members(&manager, b"email,phone\na@b.c,\n", WRITE)
        .await
        .unwrap_err();
    assert_eq!(no_name.code(), "csv_no_name_column");
}

#[tokio::test]
async fn likely_duplicates_are_flagged_and_imported_only_when_allowed() {
    let (store, manager, _dir) = bakery().await;
    let known = store
        .enroll(
            &manager,
            &NewMember {
                name: "Kovács Anna".into(),
                email: Some("anna@example.hu".into()),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    let file = "name,email,phone\n\
                Anna K.,anna@example.hu,\n\
                Béla,,+36 30 111 2222\n\
                Béla Tóth,,06 30 111 2222\n";
    let dry = ImportOptions {
        dry_run: true,
        allow_duplicates: false,
    };
    let before = member_count(&store).await;
    let preview = store
        .import_members(&manager, file.as_bytes(), dry)
        .await
        .unwrap();
    let flagged: Vec<(u64, &str, Option<&str>, Option<u64>)> = preview
        .duplicates
        .iter()
        .map(|d| (d.line, d.field.as_str(), d.member.as_deref(), d.other_line))
        .collect();
    assert_eq!(
        flagged,
        [
            (2, "email", Some(known.code.as_str()), None),
            (4, "phone", None, Some(3)),
        ]
    );
    assert!(!preview.written);
    let refused = store
        .import_members(&manager, file.as_bytes(), WRITE)
        .await
        .unwrap();
    assert!(!refused.written);
    assert_eq!(member_count(&store).await, before);
    let allowed = store
        .import_members(
            &manager,
            file.as_bytes(),
            ImportOptions {
                dry_run: false,
                allow_duplicates: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(allowed.added, 3);
    assert_eq!(member_count(&store).await, before + 3);
}

#[tokio::test]
async fn an_export_reads_back_as_an_import_and_is_audited() {
    let (store, manager, _dir) = bakery().await;
    store
        .import_members(&manager, &french_excel(), WRITE)
        .await
        .unwrap();
    let exported = store.export_members(&manager).await.unwrap();
    assert!(
        exported.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(exported[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("code;name;email;phone;language;member_since;email_consent;sms_consent")
    );
    assert!(text.contains(";Françoise Lefèvre;francoise@example.fr;06 12 34 56 78;fr;"));
    assert!(text.contains(";yes;"), "{text}");

    // Into another shop's till, as is.
    let other = tempfile::tempdir().unwrap();
    let (elsewhere, their_manager) = common::bakery_with_a_cashier(other.path()).await;
    let report = elsewhere
        .import_members(&their_manager, &exported, WRITE)
        .await
        .unwrap();
    assert_eq!(report.added, 2, "{:?}", report.problems);

    for kind in [AuditKind::MembersImported, AuditKind::MembersExported] {
        assert_eq!(
            common::audited(&store, &manager, kind).await,
            [Some("2 members".to_string())],
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn consent_is_kept_per_channel_with_its_time_and_source() {
    let (store, _manager, _dir) = bakery().await;
    let cashier = Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    let member = store
        .enroll(
            &cashier,
            &NewMember {
                name: "Nagy Péter".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    let before = chrono::Utc::now();
    let consent = store
        .set_consent(
            &cashier,
            member.id,
            Channel::Sms,
            true,
            ConsentSource::Counter,
        )
        .await
        .unwrap();
    let sms = consent.sms.expect("his yes to texts");
    assert!(sms.granted && sms.at >= before && sms.source == ConsentSource::Counter);
    assert_eq!(consent.email, None);
    let withdrawn = store
        .set_consent(&cashier, member.id, Channel::Sms, false, ConsentSource::Cli)
        .await
        .unwrap();
    assert!(!withdrawn.sms.unwrap().granted);
    // The panel is a consent of its own: a yes to it says nothing of email or texts.
    let panel = store
        .set_consent(
            &cashier,
            member.id,
            Channel::Panel,
            true,
            ConsentSource::Counter,
        )
        .await
        .unwrap();
    assert!(panel.granted(Channel::Panel));
    assert!(!panel.granted(Channel::Email) && !panel.granted(Channel::Sms));
    assert!(panel.panel.unwrap().at >= before);
    // A correction at the counter, with enrolment's checks.
    let edited = store
        .edit_member(
            &cashier,
            member.id,
            &MemberEdit {
                email: Some("peter@example.hu".into()),
                ..MemberEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.email.as_deref(), Some("peter@example.hu"));
    let refused = store
        .edit_member(
            &cashier,
            member.id,
            &MemberEdit {
                phone: Some("call me".into()),
                ..MemberEdit::default()
            },
        )
        .await;
    assert_eq!(refused.unwrap_err().code(), "invalid_phone");
    // Bulk and erasure are a manager's.
    assert_eq!(
        store.export_members(&cashier).await.unwrap_err().code(),
        "manager_only"
    );
    assert_eq!(
        store
            .erase_member(&cashier, member.id)
            .await
            .unwrap_err()
            .code(),
        "manager_only"
    );
}

/// Every file of the database, read as raw bytes.
fn database_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    ["tessera.db", "tessera.db-wal", "tessera.db-shm"]
        .iter()
        .filter_map(|name| {
            std::fs::read(dir.join(name))
                .ok()
                .map(|bytes| (name.to_string(), bytes))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn an_erased_member_is_found_nowhere_in_the_files_and_the_ledger_stays_true() {
    let (store, manager, dir) = bakery().await;
    let program = store
        .add_program(
            &manager,
            &tessera_core::counter::programs::NewProgram::stamps("Kávé", 5, "Egy kávé"),
        )
        .await
        .unwrap();
    let (name, email, phone) = (
        "Zsófia Törölhető",
        "zsofia.torolheto@example.hu",
        "+36 70 555 0199",
    );
    let member = store
        .enroll(
            &manager,
            &NewMember {
                name: name.into(),
                email: Some(email.into()),
                phone: Some(phone.into()),
                ..NewMember::default()
            },
        )
        .await
        .unwrap();
    store
        .set_consent(
            &manager,
            member.id,
            Channel::Email,
            true,
            ConsentSource::Counter,
        )
        .await
        .unwrap();
    store
        .punch(&manager, member.id, Some(program.id), 7)
        .await
        .unwrap();
    let card_before = store.member_view(member.id).await.unwrap().cards;
    let events_before: i64 = sqlx::query_scalar("SELECT count(*) FROM event")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let export = store.export_member_data(&manager, member.id).await.unwrap();
    assert_eq!(export.member.email.as_deref(), Some(email));
    assert_eq!(export.history.len(), 2, "enrolment and the punch");

    store.erase_member(&manager, member.id).await.unwrap();

    for (file, bytes) in database_bytes(dir.path()) {
        for personal in [
            name,
            "Zsófia",
            "Törölhető",
            email,
            "zsofia",
            phone,
            "705550199",
        ] {
            assert!(
                !contains(&bytes, personal),
                "{personal:?} is still in {file}"
            );
        }
    }
    let details = store.member_details(member.id).await.unwrap();
    assert!(details.erased_at.is_some());
    assert_eq!(details.member.name, "");
    assert_eq!((details.member.email, details.member.phone), (None, None));
    assert_eq!(details.consent, Default::default());
    assert_eq!(details.cards, card_before, "the card and its stamps stay");
    let events_after: i64 = sqlx::query_scalar("SELECT count(*) FROM event")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(events_after, events_before, "the ledger is untouched");
    let doctor = store.doctor(&manager, false).await.unwrap();
    assert!(doctor.ok, "{:?}", doctor.checks);
    assert!(store.find_members("Zsófia").await.unwrap().is_empty());
    assert_eq!(
        store
            .edit_member(
                &manager,
                member.id,
                &MemberEdit {
                    name: Some("Back".into()),
                    ..MemberEdit::default()
                }
            )
            .await
            .unwrap_err()
            .code(),
        "member_erased"
    );
}
