//! The shop's rules, driven through the real store on a real SQLite file in a temp dir.

use rstest::rstest;
use tessera_core::counter::actions::ActionResult;
use tessera_core::counter::enrol::{EnrollOptions, EnrollOutcome};
use tessera_core::counter::lookup::ScanOutcome;
use tessera_core::counter::programs::{NewProgram, Program, ProgramEdit};
use tessera_core::first_run::NewShop;
use tessera_core::ledger::{EventKind, ReasonCode, VoidReason};
use tessera_core::people::members::{Member, NewMember};
use tessera_core::people::shop::{Actor, Role};
use tessera_core::{CoreError, Store};

/// A reason as a script types it.
fn said(text: &str) -> VoidReason {
    VoidReason::from_text(text).unwrap()
}

/// "Other", in the staff member's own words (which may be blank).
fn own_words(text: &str) -> VoidReason {
    VoidReason {
        code: ReasonCode::Other,
        note: Some(text.into()),
    }
}

struct Shop {
    store: Store,
    manager: Actor,
    program: Program,
    member: Member,
    /// When "the manager signed in": before anything in the test happened.
    session_start: chrono::DateTime<chrono::Utc>,
    _dir: tempfile::TempDir,
}

/// A shop with one program ("buy 9, the 10th is free") and one member.
async fn shop() -> Shop {
    let session_start = chrono::Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("tessera.db")).await.unwrap();
    let set_up = store
        .init_shop(&NewShop {
            shop_name: "Café Lumière".into(),
            language: "fr".into(),
            currency: "eur".into(),
            manager_name: "Ana".into(),
            manager_pin: "1234".into(),
        })
        .await
        .unwrap();
    let manager = Actor::from(&set_up.manager);
    let program = store
        .add_program(
            &manager,
            &NewProgram {
                name: "Coffee card".into(),
                punches_needed: 9,
                reward: "Free coffee".into(),
                ..NewProgram::default()
            },
        )
        .await
        .unwrap();
    let member = store
        .enroll(
            &manager,
            &NewMember {
                name: "Claire Dubois".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    Shop {
        store,
        manager,
        program,
        member,
        session_start,
        _dir: dir,
    }
}

impl Shop {
    /// Sam, a cashier of the shop, added by its manager.
    async fn cashier(&self) -> Actor {
        Actor::from(
            &self
                .store
                .add_staff(&self.manager, "Sam", Role::Cashier, "0000")
                .await
                .unwrap(),
        )
    }

    async fn punch(&self, count: i64) -> Result<ActionResult, CoreError> {
        self.store
            .punch(&self.manager, self.member.id, None, count)
            .await
    }

    async fn redeem(&self) -> Result<ActionResult, CoreError> {
        self.store.redeem(&self.manager, self.member.id, None).await
    }

    async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM event")
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    async fn card(&self) -> (i64, i64) {
        let view = self.store.member_view(self.member.id).await.unwrap();
        (view.cards[0].punches, view.cards[0].rewards_available)
    }
}

#[rstest]
#[case::eight_punches_no_reward_yet(8, 8, 0)]
#[case::nine_punches_fill_the_card(9, 0, 1)]
#[case::ten_punches_one_reward_one_stamp(10, 1, 1)]
#[case::nineteen_punches_two_rewards(19, 1, 2)]
#[tokio::test]
async fn single_punches_to_reward_at_the_boundary(
    #[case] punches: i64,
    #[case] stamps: i64,
    #[case] rewards: i64,
) {
    let shop = shop().await;
    let mut earned_now = 0;
    for _ in 0..punches {
        earned_now += shop.punch(1).await.unwrap().rewards_earned_now;
    }
    assert_eq!(shop.card().await, (stamps, rewards));
    assert_eq!(earned_now, rewards, "each filled card is celebrated once");
}

#[rstest]
#[case::count_crossing_one_boundary(7, 5, 3, 1, 1)]
#[case::count_landing_on_the_boundary(4, 5, 0, 1, 1)]
#[case::count_crossing_two_boundaries(0, 20, 2, 2, 2)]
#[case::count_short_of_the_boundary(2, 3, 5, 0, 0)]
#[tokio::test]
async fn punching_with_a_count(
    #[case] before: i64,
    #[case] count: i64,
    #[case] stamps: i64,
    #[case] rewards: i64,
    #[case] earned_now: i64,
) {
    let shop = shop().await;
    if before > 0 {
        shop.punch(before).await.unwrap();
    }
    let result = shop.punch(count).await.unwrap();
    assert_eq!(
        (result.card.punches, result.card.rewards_available),
        (stamps, rewards)
    );
    assert_eq!(result.rewards_earned_now, earned_now);
    assert_eq!(
        result.event.amount, count,
        "one event carries the whole count"
    );
}

#[rstest]
#[case::never_punched(0)]
#[case::almost_full(8)]
#[tokio::test]
async fn redeeming_with_no_reward_is_refused_and_writes_nothing(#[case] punches: i64) {
    let shop = shop().await;
    if punches > 0 {
        shop.punch(punches).await.unwrap();
    }
    let events = shop.event_count().await;
    let error = shop.redeem().await.unwrap_err();
    assert_eq!(error.code(), "nothing_to_redeem");
    assert_eq!(shop.event_count().await, events);
    assert_eq!(shop.card().await, (punches, 0));
}

#[tokio::test]
async fn rewards_pile_up_and_a_redemption_consumes_one() {
    let shop = shop().await;
    shop.punch(18).await.unwrap();
    let result = shop.redeem().await.unwrap();
    assert_eq!(result.card.rewards_available, 1);
    shop.redeem().await.unwrap();
    assert_eq!(shop.redeem().await.unwrap_err().code(), "nothing_to_redeem");
}

#[tokio::test]
async fn voiding_a_punch_takes_its_stamps_back() {
    let shop = shop().await;
    shop.punch(2).await.unwrap();
    let mistake = shop.punch(3).await.unwrap();
    let void = shop
        .store
        .void(&shop.manager, mistake.event.id, &said("scanned twice"))
        .await
        .unwrap();
    assert_eq!(void.event.kind, EventKind::Void);
    assert_eq!(void.event.voids, Some(mistake.event.id));
    assert_eq!(void.event.reason_code, Some(ReasonCode::ScannedTwice));
    assert_eq!(void.event.reason, None, "a code's words are not stored");
    assert_eq!(shop.card().await, (2, 0));
}

#[tokio::test]
async fn voiding_a_redemption_gives_the_reward_back() {
    let shop = shop().await;
    shop.punch(9).await.unwrap();
    let redemption = shop.redeem().await.unwrap();
    shop.store
        .void(&shop.manager, redemption.event.id, &said("wrong member"))
        .await
        .unwrap();
    assert_eq!(shop.card().await, (0, 1));
}

#[tokio::test]
async fn voiding_a_punch_that_earned_an_unspent_reward_takes_the_reward_back() {
    let shop = shop().await;
    shop.punch(8).await.unwrap();
    let filling = shop.punch(1).await.unwrap();
    assert_eq!(shop.card().await, (0, 1));
    shop.store
        .void(&shop.manager, filling.event.id, &said("wrong member"))
        .await
        .unwrap();
    assert_eq!(shop.card().await, (8, 0));
}

#[tokio::test]
async fn voiding_a_punch_whose_reward_was_spent_is_refused_and_writes_nothing() {
    let shop = shop().await;
    let filling = shop.punch(9).await.unwrap();
    shop.redeem().await.unwrap();
    let events = shop.event_count().await;
    let error = shop
        .store
        .void(&shop.manager, filling.event.id, &said("wrong member"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "reward_already_redeemed");
    assert_eq!(shop.event_count().await, events);
    assert_eq!(shop.card().await, (0, 0));
}

#[tokio::test]
async fn an_event_is_voided_once_and_only_punches_and_redemptions_are_voidable() {
    let shop = shop().await;
    let punch = shop.punch(1).await.unwrap();
    let void = shop
        .store
        .void(&shop.manager, punch.event.id, &said("oops"))
        .await
        .unwrap();
    let again = shop
        .store
        .void(&shop.manager, punch.event.id, &said("oops"))
        .await;
    assert_eq!(again.unwrap_err().code(), "already_voided");
    let of_void = shop
        .store
        .void(&shop.manager, void.event.id, &said("oops"))
        .await;
    assert_eq!(of_void.unwrap_err().code(), "not_voidable");
    let no_reason = shop
        .store
        .void(
            &shop.manager,
            shop.punch(1).await.unwrap().event.id,
            &own_words("  "),
        )
        .await;
    assert_eq!(no_reason.unwrap_err().code(), "reason_required");
}

#[tokio::test]
async fn undo_cancels_the_last_action_of_this_staff_member_only() {
    let shop = shop().await;
    let cashier = shop.cashier().await;
    shop.punch(2).await.unwrap();
    let last = shop.punch(1).await.unwrap();
    shop.store
        .punch(&cashier, shop.member.id, None, 4)
        .await
        .unwrap();
    let session = shop.session_start;
    let candidate = shop
        .store
        .last_undoable(&shop.manager, session)
        .await
        .unwrap();
    assert_eq!(candidate.event.id, last.event.id);
    assert_eq!(candidate.member_name, "Claire Dubois");
    let reason = VoidReason::code(ReasonCode::ScannedTwice);
    shop.store
        .undo(&shop.manager, session, candidate.event.id, &reason)
        .await
        .unwrap();
    assert_eq!(shop.card().await, (6, 0));
    // Undo again reaches further back, to the first punch of 2.
    let next = shop
        .store
        .last_undoable(&shop.manager, session)
        .await
        .unwrap();
    assert_eq!(next.event.amount, 2);
    // A stale dialog (the event is no longer the last) does not undo something else.
    let stale = shop
        .store
        .undo(&shop.manager, session, last.event.id, &reason)
        .await;
    assert_eq!(stale.unwrap_err().code(), "nothing_to_undo");
}

#[tokio::test]
async fn undo_does_not_reach_before_the_session_began() {
    let shop = shop().await;
    shop.punch(1).await.unwrap();
    // The cashier signs in (again, or after a restart) after that punch.
    let session = chrono::Utc::now();
    let undo = shop.store.last_undoable(&shop.manager, session).await;
    assert_eq!(undo.unwrap_err().code(), "nothing_to_undo");
    let mine = shop.punch(1).await.unwrap();
    let candidate = shop
        .store
        .last_undoable(&shop.manager, session)
        .await
        .unwrap();
    assert_eq!(candidate.event.id, mine.event.id);
}

#[tokio::test]
async fn undo_does_not_reach_an_action_older_than_the_window() {
    let shop = shop().await;
    let punch = shop.punch(1).await.unwrap();
    // The same punch, as if made six minutes ago: written through SQL with an older time
    // (the ledger refuses edits, so a copy with the next sequence number stands in for it).
    let old = punch.event.at - chrono::Duration::minutes(6);
    shop.store
        .void(&shop.manager, punch.event.id, &said("wrong member"))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO ledger (id, device, seq, shop, staff, at, kind, member, program, amount)
         SELECT ?, p.device, d.next_seq, p.shop, p.staff, ?, p.kind, p.member, p.program, 1
         FROM ledger p, device d WHERE p.id = ?",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(old.timestamp_nanos_opt().unwrap())
    .bind(punch.event.id)
    .execute(shop.store.pool())
    .await
    .unwrap();
    let long_ago = old - chrono::Duration::hours(1);
    let undo = shop.store.last_undoable(&shop.manager, long_ago).await;
    assert_eq!(
        undo.unwrap_err().code(),
        "nothing_to_undo",
        "an action {} minutes old is a manager's void, not Undo",
        tessera_core::counter::actions::UNDO_WINDOW.num_minutes() + 1
    );
}

#[tokio::test]
async fn rebuilt_balances_equal_the_materialised_ones() {
    let shop = shop().await;
    let other = shop
        .store
        .enroll(
            &shop.manager,
            &NewMember {
                name: "Ștefan Ionescu".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    shop.punch(12).await.unwrap();
    shop.redeem().await.unwrap();
    let voided = shop.punch(2).await.unwrap();
    shop.store
        .void(&shop.manager, voided.event.id, &said("wrong card"))
        .await
        .unwrap();
    shop.store
        .punch(&shop.manager, other.id, None, 20)
        .await
        .unwrap();
    assert!(shop.store.card_differences().await.unwrap().is_empty());
    let before = (
        shop.card().await,
        shop.store.member_view(other.id).await.unwrap().cards,
    );

    // Damage the materialised table behind the store's back: doctor sees it, rebuild mends it.
    sqlx::query("UPDATE card SET punches_total = 0, redeemed_total = 5")
        .execute(shop.store.pool())
        .await
        .unwrap();
    let report = shop.store.doctor(&shop.manager, false).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.differences.len(), 2);
    let report = shop.store.doctor(&shop.manager, true).await.unwrap();
    assert!(report.rebuilt);
    assert!(shop.store.card_differences().await.unwrap().is_empty());
    let after = (
        shop.card().await,
        shop.store.member_view(other.id).await.unwrap().cards,
    );
    assert_eq!(before, after);
    assert!(shop.store.doctor(&shop.manager, false).await.unwrap().ok);
}

#[tokio::test]
async fn the_device_sequence_has_no_gap_even_after_refused_actions() {
    let shop = shop().await;
    let first = shop.punch(1).await.unwrap().event.seq;
    assert!(shop.redeem().await.is_err());
    assert!(shop.punch(0).await.is_err());
    let next = shop.punch(1).await.unwrap().event.seq;
    assert_eq!(next, first + 1);
    let report = shop.store.doctor(&shop.manager, false).await.unwrap();
    assert!(report.checks.iter().all(|c| c.ok), "{report:?}");
}

#[tokio::test]
async fn every_event_carries_its_identity() {
    let shop = shop().await;
    let event = shop.punch(1).await.unwrap().event;
    let shop_row = shop.store.require_shop().await.unwrap();
    assert_eq!(event.id.as_uuid().get_version_num(), 7);
    assert_eq!(event.shop_id, shop_row.id);
    assert_eq!(event.staff_id, shop.manager.staff_id);
    assert_eq!(event.member_id, shop.member.id);
    assert_eq!(event.program_id, Some(shop.program.id));
    assert_ne!(event.device_id, tessera_core::ids::DeviceId::nil());
}

#[tokio::test]
async fn the_ledger_refuses_edits_and_deletions() {
    let shop = shop().await;
    shop.punch(1).await.unwrap();
    let update = sqlx::query("UPDATE ledger SET amount = 100")
        .execute(shop.store.pool())
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM ledger")
        .execute(shop.store.pool())
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    // The events as the code reads them are a view of it, which takes no writes at all.
    let through_the_view = sqlx::query("DELETE FROM event")
        .execute(shop.store.pool())
        .await;
    assert!(through_the_view.is_err());
}

/// The ledger keeps times as 64-bit nanoseconds (migration 0025): an event from another till
/// timed past 2262 (a broken clock, or a forged event) is refused, and so is the page it came
/// in; nothing of it is written.
#[tokio::test]
async fn an_event_timed_past_what_the_ledger_keeps_is_refused_with_its_page() {
    let shop = shop().await;
    let punch = shop.punch(1).await.unwrap();
    let ledger = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ledger")
            .fetch_one(shop.store.pool())
            .await
            .unwrap()
    };
    let before = ledger().await;
    let mut sound = punch.event.clone();
    sound.id = tessera_core::ids::EventId::new();
    sound.device_id = tessera_core::ids::DeviceId::new();
    sound.seq = 1;
    let mut far = sound.clone();
    far.id = tessera_core::ids::EventId::new();
    far.seq = 2;
    far.at = "2300-01-01T00:00:00Z".parse().unwrap();

    let page = shop
        .store
        .receive_events(&[sound.clone(), far.clone()])
        .await;
    assert_eq!(page.unwrap_err().code(), "event_time_out_of_range");
    let alone = shop.store.receive_event(&far).await;
    assert_eq!(alone.unwrap_err().code(), "event_time_out_of_range");
    assert_eq!(ledger().await, before, "nothing of the page was written");
    // The sound event alone goes in.
    shop.store.receive_event(&sound).await.unwrap();
    assert_eq!(ledger().await, before + 1);
}

#[tokio::test]
async fn an_acknowledged_punch_is_there_after_reopening() {
    let shop = shop().await;
    shop.punch(4).await.unwrap();
    let path = shop.store.path().to_path_buf();
    shop.store.clone().close().await;
    let reopened = Store::open(&path).await.unwrap();
    let view = reopened.member_view(shop.member.id).await.unwrap();
    assert_eq!(view.cards[0].punches, 4);
}

#[tokio::test]
async fn scanning_tells_member_unknown_mistyped_and_not_a_code_apart() {
    let shop = shop().await;
    let code = &shop.member.code;
    match shop.store.lookup(code, &[]).await.unwrap() {
        ScanOutcome::Member(view) => assert_eq!(view.member.id, shop.member.id),
        other => panic!("{other:?}"),
    }
    let mut typo: Vec<char> = code.chars().collect();
    typo.swap(2, 3);
    if typo[2] != typo[3] {
        let typo: String = typo.into_iter().collect();
        assert_eq!(
            shop.store.lookup(&typo, &[]).await.unwrap(),
            ScanOutcome::MistypedCode
        );
    }
    let unknown = tessera_core::codes::member_code::MemberCode::generate(&mut rand::thread_rng());
    assert!(matches!(
        shop.store.lookup(unknown.as_str(), &[]).await.unwrap(),
        ScanOutcome::UnknownCode { .. }
    ));
    assert_eq!(
        shop.store.lookup("Claire", &[]).await.unwrap(),
        ScanOutcome::NotACode
    );
}

#[rstest]
#[case::first_name_prefix("clai", "Claire Dubois")]
#[case::last_name_prefix_any_case("DUB", "Claire Dubois")]
#[case::without_diacritics("stef", "Ștefan Ionescu")]
#[case::hungarian_accents("odon", "Tóth Ödön")]
#[case::phone_digits_as_typed("06 12", "Tóth Ödön")]
#[case::phone_national_form_of_an_international_number("0612340408", "Ștefan Ionescu")]
#[case::phone_last_digits("04 08", "Ștefan Ionescu")]
#[case::phone_international_form_of_a_national_number("+33 6 12 34 56 78", "Tóth Ödön")]
#[case::phone_international_as_stored("+33 6 12 34 04", "Ștefan Ionescu")]
#[case::email_prefix("stefan@", "Ștefan Ionescu")]
#[tokio::test]
async fn search_finds_members_by_name_phone_and_email(#[case] query: &str, #[case] expected: &str) {
    let shop = shop().await;
    for (name, email, phone) in [
        (
            "Ștefan Ionescu",
            Some("Stefan@Example.ro"),
            Some("+33 6 12 34 04 08"),
        ),
        ("Tóth Ödön", None, Some("06 12 34 56 78")),
    ] {
        shop.store
            .enroll(
                &shop.manager,
                &NewMember {
                    name: name.into(),
                    email: email.map(Into::into),
                    phone: phone.map(Into::into),
                    language: None,
                },
            )
            .await
            .unwrap();
    }
    let found = shop.store.find_members(query).await.unwrap();
    let names: Vec<_> = found.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec![expected], "query {query:?}");
}

fn new_member(name: &str, email: Option<&str>, phone: Option<&str>) -> NewMember {
    NewMember {
        name: name.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        language: None,
    }
}

#[rstest]
#[case::same_name_other_case(new_member("claire DUBOIS", None, None))]
#[case::same_email(new_member("C. Dubois", Some("CLAIRE@example.fr"), None))]
#[case::same_phone_other_form(new_member("Claire D.", None, Some("0612340408")))]
#[tokio::test]
async fn a_likely_duplicate_is_shown_and_nothing_is_written(#[case] again: NewMember) {
    let shop = shop().await;
    let first = shop
        .store
        .enroll(
            &shop.manager,
            &new_member(
                "Claire Martin",
                Some("claire@example.fr"),
                Some("+33 6 12 34 04 08"),
            ),
        )
        .await
        .unwrap();
    let events = shop.event_count().await;
    let at_counter = EnrollOptions::default();
    let outcome = shop
        .store
        .enroll_with(&shop.manager, &again, &at_counter)
        .await
        .unwrap();
    let EnrollOutcome::LikelyDuplicates { members } = outcome else {
        panic!("enrolled a likely duplicate: {outcome:?}");
    };
    let ids: Vec<_> = members.iter().map(|v| v.member.id).collect();
    // "claire DUBOIS" is the shop's first member, the others match "Claire Martin".
    assert!(
        ids.contains(&first.id) || ids.contains(&shop.member.id),
        "{ids:?}"
    );
    assert_eq!(shop.event_count().await, events, "nothing was written");

    let anyway = EnrollOptions {
        allow_likely_duplicate: true,
        first_stamp: None,
    };
    let outcome = shop
        .store
        .enroll_with(&shop.manager, &again, &anyway)
        .await
        .unwrap();
    assert!(matches!(outcome, EnrollOutcome::Enrolled { .. }));
}

#[tokio::test]
async fn someone_new_is_enrolled_with_their_first_stamp_in_one_action() {
    let shop = shop().await;
    let options = EnrollOptions {
        allow_likely_duplicate: false,
        first_stamp: Some(shop.program.id),
    };
    let outcome = shop
        .store
        .enroll_with(
            &shop.manager,
            &new_member("Ödön Tóth", None, None),
            &options,
        )
        .await
        .unwrap();
    let EnrollOutcome::Enrolled {
        member,
        first_stamp: Some(stamp),
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(stamp.event.member_id, member.id);
    assert_eq!(stamp.card.punches, 1);
    let view = shop.store.member_view(member.id).await.unwrap();
    assert_eq!(view.cards[0].punches, 1);
}

#[tokio::test]
async fn a_database_deleted_while_open_refuses_every_write_instead_of_losing_it() {
    let shop = shop().await;
    shop.punch(1).await.unwrap();
    let path = shop.store.path().to_path_buf();
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let _ = std::fs::remove_file(file);
    }
    // Reads of the deleted file may fail before the write's own check: what the till is told
    // goes through `explain`, which names the cause whatever failed first.
    let punch = shop.punch(1).await.unwrap_err();
    assert_eq!(shop.store.explain(punch).code(), "database_gone");
    let enrol = shop
        .store
        .enroll(&shop.manager, &new_member("Nobody", None, None))
        .await
        .unwrap_err();
    assert_eq!(shop.store.error_body(enrol).code, "database_gone");
    assert!(!path.exists(), "no new file was made in its place");
}

#[tokio::test]
async fn a_database_replaced_while_open_refuses_every_write() {
    let shop = shop().await;
    let path = shop.store.path().to_path_buf();
    let elsewhere = path.with_file_name("moved.db");
    std::fs::rename(&path, &elsewhere).unwrap();
    std::fs::copy(&elsewhere, &path).unwrap();
    let punch = shop.punch(1).await.unwrap_err();
    assert_eq!(shop.store.explain(punch).code(), "database_gone");
}

#[tokio::test]
async fn a_missing_database_that_must_exist_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone.db");
    let error = Store::open_existing(&path).await.unwrap_err();
    assert_eq!(error.code(), "database_missing");
    assert_eq!(error.body().args["path"], path.display().to_string());
    assert!(!path.exists());
}

#[tokio::test]
async fn search_by_the_start_of_a_code() {
    let shop = shop().await;
    let found = shop
        .store
        .find_members(&shop.member.code[..5])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, shop.member.id);
}

#[tokio::test]
async fn a_cashier_cannot_add_programs() {
    let shop = shop().await;
    let cashier = shop.cashier().await;
    let refused = shop
        .store
        .add_program(
            &cashier,
            &NewProgram {
                name: "Sneaky".into(),
                punches_needed: 1,
                reward: "Everything".into(),
                ..NewProgram::default()
            },
        )
        .await;
    assert_eq!(refused.unwrap_err().code(), "manager_only");
}

#[tokio::test]
async fn sign_in_checks_the_pin_against_its_slow_hash() {
    let shop = shop().await;
    assert_eq!(shop.store.sign_in("ana", "1234").await.unwrap().name, "Ana");
    assert_eq!(
        shop.store.sign_in("Ana", "4321").await.unwrap_err().code(),
        "wrong_pin"
    );
    let stored: String = sqlx::query_scalar("SELECT pin_hash FROM staff")
        .fetch_one(shop.store.pool())
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"));
    assert!(!stored.contains("1234"));
}

#[tokio::test]
async fn demo_data_sets_up_a_consistent_cafe() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("demo.db")).await.unwrap();
    let set_up = tessera_core::support::demo::load_demo(&store, "it")
        .await
        .unwrap();
    assert_eq!(set_up.shop.language, "it");
    assert_eq!(store.programs().await.unwrap().len(), 2);
    assert!(store.find_members("Giulia").await.unwrap().len() == 1);
    let manager = Actor::from(&set_up.manager);
    assert!(store.doctor(&manager, false).await.unwrap().ok);
}

/// The permission table holds in the core, whichever shell calls it: each manager-only action
/// is refused to a cashier with `manager_only`, and writes nothing.
#[tokio::test]
async fn every_manager_only_action_is_refused_to_a_cashier_in_the_core() {
    let shop = shop().await;
    let cashier = shop.cashier().await;
    let managers_punch = shop.punch(2).await.unwrap();
    let events = shop.event_count().await;
    let code = shop.member.code.clone();
    let refusals = [
        (
            "void a manager's punch",
            shop.store
                .void(&cashier, managers_punch.event.id, &said("wrong member"))
                .await
                .err(),
        ),
        (
            "add a program",
            shop.store
                .add_program(
                    &cashier,
                    &NewProgram {
                        name: "Sneaky".into(),
                        punches_needed: 1,
                        reward: "Everything".into(),
                        ..NewProgram::default()
                    },
                )
                .await
                .err(),
        ),
        (
            "rename a program",
            shop.store
                .edit_program(
                    &cashier,
                    shop.program.id,
                    &ProgramEdit {
                        name: Some("Mine".into()),
                        ..ProgramEdit::default()
                    },
                )
                .await
                .err(),
        ),
        (
            "pause a program",
            shop.store
                .pause_program(&cashier, shop.program.id)
                .await
                .err(),
        ),
        (
            "resume a program",
            shop.store
                .resume_program(&cashier, shop.program.id)
                .await
                .err(),
        ),
        (
            "retire a program",
            shop.store
                .retire_program(&cashier, shop.program.id)
                .await
                .err(),
        ),
        (
            "add staff",
            shop.store
                .add_staff(&cashier, "Eve", Role::Manager, "9999")
                .await
                .err(),
        ),
        (
            "list the staff with their locks",
            shop.store.staff_members(&cashier).await.err(),
        ),
        (
            "rename a manager",
            shop.store
                .rename_staff(&cashier, shop.manager.staff_id, "Eve")
                .await
                .err(),
        ),
        (
            "make themselves a manager",
            shop.store
                .set_staff_role(&cashier, cashier.staff_id, Role::Manager)
                .await
                .err(),
        ),
        (
            "set a manager's PIN",
            shop.store
                .set_pin(&cashier, shop.manager.staff_id, "9999")
                .await
                .err(),
        ),
        (
            "deactivate a manager",
            shop.store
                .set_staff_active(&cashier, shop.manager.staff_id, false)
                .await
                .err(),
        ),
        (
            "lift a sign-in lock",
            shop.store
                .unlock_staff(&cashier, shop.manager.staff_id)
                .await
                .err(),
        ),
        (
            "read the audit trail",
            shop.store
                .audit_trail(
                    &cashier,
                    chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
                    chrono::Utc::now(),
                    100,
                )
                .await
                .err(),
        ),
        (
            "read a card token",
            shop.store
                .current_card(&cashier, shop.member.id)
                .await
                .err(),
        ),
        (
            "revoke a card",
            shop.store.revoke_card(&cashier, &code).await.err(),
        ),
        (
            "reissue a card",
            shop.store.reissue_card(&cashier, &code).await.err(),
        ),
        (
            "print cards",
            shop.store
                .print_cards(
                    &cashier,
                    &tessera_core::cards::print::Selection::All,
                    tessera_core::cards::pdf::Sheet::Cr80,
                    None,
                    &mut |_, _| {},
                )
                .await
                .err(),
        ),
        (
            "print the test page",
            shop.store.print_test_page(&cashier).await.err(),
        ),
        (
            "rebuild balances",
            shop.store.doctor(&cashier, true).await.err(),
        ),
    ];
    for (what, refused) in refusals {
        assert_eq!(
            refused.map(|e| e.code()),
            Some("manager_only"),
            "a cashier could {what}"
        );
    }
    assert_eq!(shop.event_count().await, events, "a refused action wrote");
    let staff: Vec<(String, String, bool)> =
        sqlx::query_as("SELECT name, role, active FROM staff ORDER BY name")
            .fetch_all(shop.store.pool())
            .await
            .unwrap();
    assert_eq!(
        staff,
        [
            ("Ana".to_string(), "manager".to_string(), true),
            ("Sam".to_string(), "cashier".to_string(), true)
        ],
        "a refused staff change wrote"
    );
    assert!(
        shop.store.sign_in("Ana", "1234").await.is_ok(),
        "the manager's PIN is unchanged"
    );
    assert!(
        shop.store.lookup(&code, &[]).await.is_ok(),
        "the card still works"
    );
}

#[tokio::test]
async fn a_cashier_stamps_redeems_and_undoes_their_own_recent_action() {
    let shop = shop().await;
    let cashier = shop.cashier().await;
    let session = chrono::Utc::now();
    shop.store
        .punch(&cashier, shop.member.id, None, 9)
        .await
        .unwrap();
    let redemption = shop
        .store
        .redeem(&cashier, shop.member.id, None)
        .await
        .unwrap();
    let undo = shop.store.last_undoable(&cashier, session).await.unwrap();
    assert_eq!(undo.event.id, redemption.event.id);
    shop.store
        .undo(
            &cashier,
            session,
            redemption.event.id,
            &VoidReason::code(ReasonCode::WrongMember),
        )
        .await
        .unwrap();
    assert_eq!(shop.card().await, (0, 1));
}
