//! Programs as a manager runs them (issue 11, part 2; decision 0019): edited, paused, resumed,
//! retired; a new number of stamps makes a new program and members keep what they earned;
//! points for an amount spent with rewards at thresholds; a minimum time between two punches
//! that a cashier overrides with a reason, seen in the audit trail.

mod common;

use tessera_core::audit::AuditKind;
use tessera_core::counter::actions::Punch;
use tessera_core::counter::programs::{
    NewProgram, PointsReward, Program, ProgramEdit, ProgramKind, ProgramStatus,
};
use tessera_core::ids::MemberId;
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

struct Shop {
    store: Store,
    manager: Actor,
    cashier: Actor,
    member: MemberId,
    _dir: tempfile::TempDir,
}

async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let cashier = Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    let member = store
        .enroll(
            &manager,
            &NewMember {
                name: "Kovács Anna".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap()
        .id;
    Shop {
        store,
        manager,
        cashier,
        member,
        _dir: dir,
    }
}

impl Shop {
    async fn stamps(&self, needed: i64) -> Program {
        self.program(NewProgram::stamps("Kávé", needed, "Egy kávé"))
            .await
    }

    async fn punch(&self, program: &Program, count: i64) -> tessera_core::Result<i64> {
        self.store
            .punch(&self.cashier, self.member, Some(program.id), count)
            .await
            .map(|r| r.card.rewards_available)
    }

    async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM event")
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    async fn audited(&self, kind: AuditKind) -> Vec<Option<String>> {
        common::audited(&self.store, &self.manager, kind).await
    }

    async fn program(&self, new: NewProgram) -> Program {
        self.store.add_program(&self.manager, &new).await.unwrap()
    }
}

#[tokio::test]
async fn renaming_and_a_new_reward_text_change_the_program_in_place_and_no_event() {
    let shop = shop().await;
    let program = shop.stamps(9).await;
    shop.punch(&program, 3).await.unwrap();
    let events = shop.event_count().await;
    let edited = shop
        .store
        .edit_program(
            &shop.manager,
            program.id,
            &ProgramEdit {
                name: Some("Kávékártya".into()),
                reward: Some("Egy cappuccino".into()),
                ..ProgramEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.replaced, None);
    assert_eq!(edited.program.id, program.id);
    assert_eq!(edited.program.name, "Kávékártya");
    assert_eq!(shop.event_count().await, events, "an edit wrote an event");
    let card = &shop.store.member_view(shop.member).await.unwrap().cards[0];
    assert_eq!((card.punches, card.reward.as_str()), (3, "Egy cappuccino"));
    assert_eq!(
        shop.audited(AuditKind::ProgramChanged).await,
        [Some("edited".to_string()), Some("added".to_string())]
    );
}

#[tokio::test]
async fn a_new_number_of_stamps_makes_a_new_program_and_members_keep_what_they_earned() {
    let shop = shop().await;
    let old = shop.stamps(5).await;
    assert_eq!(shop.punch(&old, 7).await.unwrap(), 1);
    let edited = shop
        .store
        .edit_program(
            &shop.manager,
            old.id,
            &ProgramEdit {
                punches_needed: Some(8),
                ..ProgramEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.replaced, Some(old.id));
    let new = edited.program;
    assert_ne!(new.id, old.id);
    assert_eq!((new.punches_needed, new.name.as_str()), (8, "Kávé"));
    let old_now = shop.store.program(old.id).await.unwrap();
    assert_eq!(old_now.status(), ProgramStatus::Retired);
    assert_eq!(old_now.punches_needed, 5, "the old program's terms changed");

    // The old card still holds its reward and its stamps, and shows while it has a reward.
    let cards = shop.store.member_view(shop.member).await.unwrap().cards;
    let on_old = cards.iter().find(|c| c.program_id == old.id).unwrap();
    assert_eq!((on_old.punches, on_old.rewards_available), (2, 1));
    assert_eq!(on_old.status, ProgramStatus::Retired);
    // No more stamps on it; its reward is still given.
    assert_eq!(
        shop.punch(&old, 1).await.unwrap_err().code(),
        "program_retired"
    );
    shop.store
        .redeem(&shop.cashier, shop.member, Some(old.id))
        .await
        .unwrap();
    let cards = shop.store.member_view(shop.member).await.unwrap().cards;
    assert!(
        cards.iter().all(|c| c.program_id != old.id),
        "a retired program with nothing left to redeem still shows"
    );
    // The one key punches the new program: the only active one.
    let punched = shop
        .store
        .punch(&shop.cashier, shop.member, None, 1)
        .await
        .unwrap();
    assert_eq!(punched.card.program_id, new.id);
    assert_eq!(punched.card.punches, 1);
    // By name, the program is the one not retired.
    assert_eq!(shop.store.program_named("kávé").await.unwrap().id, new.id);
}

#[tokio::test]
async fn a_paused_program_takes_no_stamps_gives_its_rewards_and_resumes() {
    let shop = shop().await;
    let program = shop.stamps(2).await;
    shop.punch(&program, 2).await.unwrap();
    shop.store
        .pause_program(&shop.manager, program.id)
        .await
        .unwrap();
    let events = shop.event_count().await;
    assert_eq!(
        shop.punch(&program, 1).await.unwrap_err().code(),
        "program_inactive"
    );
    assert_eq!(
        shop.store
            .punch(&shop.cashier, shop.member, None, 1)
            .await
            .unwrap_err()
            .code(),
        "no_active_program"
    );
    assert_eq!(shop.event_count().await, events);
    shop.store
        .redeem(&shop.cashier, shop.member, Some(program.id))
        .await
        .unwrap();
    let resumed = shop
        .store
        .resume_program(&shop.manager, program.id)
        .await
        .unwrap();
    assert_eq!(resumed.status(), ProgramStatus::Active);
    assert_eq!(shop.punch(&program, 1).await.unwrap(), 0);

    shop.store
        .retire_program(&shop.manager, program.id)
        .await
        .unwrap();
    for refused in [
        shop.store
            .resume_program(&shop.manager, program.id)
            .await
            .err(),
        shop.store
            .edit_program(
                &shop.manager,
                program.id,
                &ProgramEdit {
                    name: Some("Back".into()),
                    ..ProgramEdit::default()
                },
            )
            .await
            .err(),
    ] {
        assert_eq!(refused.map(|e| e.code()), Some("program_retired"));
    }
    assert_eq!(
        shop.audited(AuditKind::ProgramChanged).await,
        ["retired", "resumed", "paused", "added"].map(|s| Some(s.to_string()))
    );
}

#[tokio::test]
async fn points_are_earned_on_the_amount_spent_and_spent_on_a_reward_tier() {
    let shop = shop().await;
    let points = shop
        .store
        .add_program(
            &shop.manager,
            &NewProgram::points(
                "Pontok",
                2,
                vec![
                    PointsReward {
                        points: 250,
                        reward: "Egy torta".into(),
                    },
                    PointsReward {
                        points: 100,
                        reward: "Egy kávé".into(),
                    },
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(points.kind, ProgramKind::Points);
    assert_eq!(points.punches_needed, 1);
    assert_eq!(
        points.tiers.iter().map(|t| t.points).collect::<Vec<_>>(),
        [100, 250],
        "tiers are kept cheapest first"
    );
    let punch = |spent: Option<&str>| Punch {
        program_id: Some(points.id),
        spent: spent.map(str::to_string),
        ..Punch::default()
    };
    let events = shop.event_count().await;
    for (spent, refusal) in [
        (None, "amount_required"),
        (Some("0,40"), "no_points_for_amount"),
        (Some("12 Ft"), "invalid_number"),
    ] {
        let refused = shop
            .store
            .punch_with(&shop.cashier, shop.member, &punch(spent))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), refusal, "{spent:?}");
    }
    assert_eq!(shop.event_count().await, events, "a refused punch wrote");

    // 2 points per whole unit: 55,90 is 55 units, 110 points.
    let earned = shop
        .store
        .punch_with(&shop.cashier, shop.member, &punch(Some("55,90")))
        .await
        .unwrap();
    assert_eq!(earned.event.amount, 110);
    assert_eq!(earned.card.rewards_available, 110);
    assert_eq!(
        earned.rewards_earned_now, 1,
        "the balance reached the 100-point reward"
    );
    let redeem = |tier| {
        shop.store
            .redeem_tier(&shop.cashier, shop.member, Some(points.id), tier)
    };
    assert_eq!(redeem(None).await.unwrap_err().code(), "reward_required");
    assert_eq!(
        redeem(Some(99)).await.unwrap_err().code(),
        "reward_required"
    );
    assert_eq!(
        redeem(Some(250)).await.unwrap_err().code(),
        "nothing_to_redeem"
    );
    let coffee = redeem(Some(100)).await.unwrap();
    assert_eq!(coffee.event.amount, 100);
    assert_eq!(coffee.card.reward_of(&coffee.event), "Egy kávé");
    assert_eq!(coffee.card.rewards_available, 10);
    // The points the coffee was paid with cannot be taken back while it stands.
    assert_eq!(
        shop.store
            .void(
                &shop.manager,
                earned.event.id,
                &tessera_core::ledger::VoidReason::from_text("wrong member").unwrap()
            )
            .await
            .unwrap_err()
            .code(),
        "reward_already_redeemed"
    );
    // Enrolment's first stamp cannot be points: there is no amount yet.
    let enrolled = shop
        .store
        .enroll_with(
            &shop.cashier,
            &NewMember {
                name: "Tóth Béla".into(),
                ..NewMember::default()
            },
            &tessera_core::counter::enrol::EnrollOptions {
                first_stamp: Some(points.id),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(enrolled.unwrap_err().code(), "amount_required");
}

#[tokio::test]
async fn a_punch_inside_the_minimum_time_needs_a_reason_which_the_audit_shows() {
    let shop = shop().await;
    let program = shop
        .program(NewProgram {
            min_gap_minutes: Some(10),
            ..NewProgram::stamps("Kávé", 9, "Egy kávé")
        })
        .await;
    let first = shop
        .store
        .punch(&shop.cashier, shop.member, Some(program.id), 1)
        .await
        .unwrap();
    let events = shop.event_count().await;
    let again = shop.punch(&program, 1).await.unwrap_err();
    assert_eq!(again.code(), "punch_too_soon");
    assert_eq!(again.args()["minutes"], "10");
    assert_eq!(shop.event_count().await, events);
    let blank = Punch {
        program_id: Some(program.id),
        override_reason: Some("  ".into()),
        ..Punch::default()
    };
    assert_eq!(
        shop.store
            .punch_with(&shop.cashier, shop.member, &blank)
            .await
            .unwrap_err()
            .code(),
        "reason_required"
    );
    let overridden = shop
        .store
        .punch_with(
            &shop.cashier,
            shop.member,
            &Punch {
                override_reason: Some("Két kávé, két vendég".into()),
                ..blank.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        overridden.event.reason.as_deref(),
        Some("Két kávé, két vendég")
    );
    assert_eq!(overridden.event.reason_code, None);
    assert_eq!(
        shop.audited(AuditKind::Override).await,
        [Some("Két kávé, két vendég".to_string())]
    );

    // A voided punch is no punch: the next one is not too soon after it.
    let other = shop
        .store
        .enroll(
            &shop.manager,
            &NewMember {
                name: "Tóth Béla".into(),
                ..NewMember::default()
            },
        )
        .await
        .unwrap()
        .id;
    let mistaken = shop
        .store
        .punch(&shop.cashier, other, Some(program.id), 1)
        .await
        .unwrap();
    shop.store
        .void(
            &shop.manager,
            mistaken.event.id,
            &tessera_core::ledger::VoidReason::from_text("wrong member").unwrap(),
        )
        .await
        .unwrap();
    shop.store
        .punch(&shop.cashier, other, Some(program.id), 1)
        .await
        .unwrap();
    // Without a minimum, a reason is not kept: no override happened.
    let no_gap = shop.stamps(5).await;
    let plain = shop
        .store
        .punch_with(
            &shop.cashier,
            shop.member,
            &Punch {
                program_id: Some(no_gap.id),
                override_reason: Some("just because".into()),
                ..Punch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(plain.event.reason, None);
    assert_ne!(first.event.id, plain.event.id);
}

#[tokio::test]
async fn program_settings_out_of_bounds_are_refused_with_the_field_named() {
    let shop = shop().await;
    let cases = [
        (
            NewProgram {
                reward_days: Some(0),
                ..NewProgram::stamps("A", 9, "B")
            },
            "reward_days",
        ),
        (
            NewProgram {
                min_gap_minutes: Some(7 * 24 * 60 + 1),
                ..NewProgram::stamps("A", 9, "B")
            },
            "min_gap_minutes",
        ),
        (
            NewProgram::points(
                "A",
                0,
                vec![PointsReward {
                    points: 10,
                    reward: "B".into(),
                }],
            ),
            "points_per_unit",
        ),
        (
            NewProgram::points(
                "A",
                1,
                vec![PointsReward {
                    points: 0,
                    reward: "B".into(),
                }],
            ),
            "tier_points",
        ),
    ];
    for (new, field) in cases {
        let refused = shop
            .store
            .add_program(&shop.manager, &new)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "invalid_number");
        assert_eq!(refused.args()["field"], field);
    }
    let same_points_twice = NewProgram::points(
        "A",
        1,
        vec![
            PointsReward {
                points: 10,
                reward: "B".into(),
            },
            PointsReward {
                points: 10,
                reward: "C".into(),
            },
        ],
    );
    for refused in [NewProgram::points("A", 1, vec![]), same_points_twice] {
        assert_eq!(
            shop.store
                .add_program(&shop.manager, &refused)
                .await
                .unwrap_err()
                .code(),
            "invalid_tiers"
        );
    }
    assert!(shop.store.programs().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reward_that_expires_says_when_and_a_new_expiry_makes_a_new_program() {
    let shop = shop().await;
    let program = shop
        .program(NewProgram {
            reward_days: Some(30),
            ..NewProgram::stamps("Kávé", 2, "Egy kávé")
        })
        .await;
    let filled = shop
        .store
        .punch(&shop.cashier, shop.member, Some(program.id), 2)
        .await
        .unwrap();
    let lapses = filled
        .card
        .next_lapse
        .expect("a reward that expires says when");
    assert_eq!(lapses, filled.event.at + chrono::Duration::days(30));
    assert_eq!(filled.card.rewards_available, 1);
    let redeemed = shop
        .store
        .redeem(&shop.cashier, shop.member, Some(program.id))
        .await
        .unwrap();
    assert_eq!(redeemed.card.next_lapse, None);
    let edited = shop
        .store
        .edit_program(
            &shop.manager,
            program.id,
            &ProgramEdit {
                reward_days: Some(0),
                ..ProgramEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.replaced, Some(program.id));
    assert_eq!(edited.program.reward_days, None);
}
