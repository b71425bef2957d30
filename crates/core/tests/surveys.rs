//! Surveys through the real store (issue 13, items 3, 4, 6 and 7; decision 0032): only members
//! on the panel are asked, each once in the shop's interval; a link shows what is known and
//! keeps the answers once; the report gives the NPS and where to act; an erasure keeps the
//! figures without the member's words. The page in a real browser is
//! `tests/e2e/tests/survey_page.rs`; across two tills, `tests/sync/tests/care.rs`.

mod common;

use chrono::{Duration, Utc};
use tessera_core::care::surveys::{SurveyAnswers, SurveyWay, Topic};
use tessera_core::counter::programs::NewProgram;
use tessera_core::ids::MemberId;
use tessera_core::ledger::EventKind;
use tessera_core::people::member_data::{Channel, ConsentSource};
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::{Actor, ShopSettings};
use tessera_core::reports::Period;
use tessera_core::{CoreError, Store};

struct Shop {
    store: Store,
    manager: Actor,
    sam: Actor,
    /// On the panel, three visits on the coffee card, French.
    ana: MemberId,
    /// Never asked about the panel.
    bob: MemberId,
    /// Said no to the panel.
    cid: MemberId,
    _dir: tempfile::TempDir,
}

async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let sam = Actor::from(&store.sign_in("Sam", "0000").await.unwrap());
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Kávékártya", 10, "Egy kávé"))
        .await
        .unwrap()
        .id;
    let now = Utc::now();
    let mut w = store.history_writer().await.unwrap();
    let mut enrol = async |name: &str, language: &str, visits: &[i64]| {
        let new = NewMember {
            name: name.into(),
            language: Some(language.into()),
            ..NewMember::default()
        };
        let id = w
            .enrol(manager.staff_id, &new, now - Duration::days(100))
            .await
            .unwrap();
        for days in visits {
            w.event(
                manager.staff_id,
                EventKind::Punch,
                id,
                Some(coffee),
                1,
                now - Duration::days(*days),
            )
            .await
            .unwrap();
        }
        id
    };
    let ana = enrol("Ana", "fr", &[30, 20, 10]).await;
    let bob = enrol("Bob", "hu", &[5]).await;
    let cid = enrol("Cid", "hu", &[]).await;
    w.finish().await.unwrap();
    for (id, granted) in [(ana, true), (cid, false)] {
        store
            .set_consent(
                &manager,
                id,
                Channel::Panel,
                granted,
                ConsentSource::Counter,
            )
            .await
            .unwrap();
    }
    Shop {
        store,
        manager,
        sam,
        ana,
        bob,
        cid,
        _dir: dir,
    }
}

impl Shop {
    /// Moves every survey's asking back by `days`, as if asked then.
    async fn asked_days_ago(&self, days: i64) {
        sqlx::query("UPDATE survey SET asked_at = ?")
            .bind(Utc::now() - Duration::days(days))
            .execute(self.store.pool())
            .await
            .unwrap();
    }

    async fn set_interval(&self, days: Option<i64>) -> Result<(), CoreError> {
        let shop = self.store.require_shop().await.unwrap();
        let settings = ShopSettings {
            name: shop.name,
            language: shop.language,
            currency: shop.currency,
            time_zone: shop.time_zone,
            survey_interval_days: days,
        };
        self.store
            .set_shop_settings(&self.manager, &settings)
            .await
            .map(|_| ())
    }
}

fn answers(nps: i64, topic: Option<Topic>, score: Option<i64>, comment: &str) -> SurveyAnswers {
    SurveyAnswers {
        nps: Some(nps),
        topic,
        topic_score: score,
        comment: Some(comment.into()),
    }
}

#[tokio::test]
async fn only_panel_members_are_asked_and_each_once_in_the_shop_s_interval() {
    let shop = shop().await;
    let (store, sam) = (&shop.store, &shop.sam);
    assert!(store.survey_due(shop.ana).await.unwrap());
    // Never asked about the panel counts as no, like a no.
    for member in [shop.bob, shop.cid] {
        assert!(!store.survey_due(member).await.unwrap());
        let refused = store
            .ask_survey(sam, Some(member), SurveyWay::Screen, None)
            .await;
        assert!(matches!(refused, Err(CoreError::NotOnPanel)), "{refused:?}");
    }
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM survey")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(none, 0, "a refused ask writes nothing");

    // A cashier asks Ana; from then on she is left alone for the shop's 90 days.
    store
        .ask_survey(sam, Some(shop.ana), SurveyWay::Screen, None)
        .await
        .unwrap();
    assert!(!store.survey_due(shop.ana).await.unwrap());
    let today = store.require_shop().await.unwrap().today(Utc::now());
    let again = store
        .ask_survey(&shop.manager, Some(shop.ana), SurveyWay::Link, None)
        .await;
    match again {
        Err(CoreError::SurveyAskedRecently { date }) => {
            assert_eq!(date, (today + Duration::days(90)).to_string())
        }
        other => panic!("{other:?}"),
    }

    // The shop's own interval: out of range refused; 7 days, and 8 days later she may be asked.
    for wrong in [0, -3, 3651] {
        assert!(matches!(
            shop.set_interval(Some(wrong)).await,
            Err(CoreError::InvalidSurveyInterval)
        ));
    }
    shop.set_interval(Some(7)).await.unwrap();
    shop.asked_days_ago(6).await;
    assert!(!store.survey_due(shop.ana).await.unwrap());
    shop.asked_days_ago(8).await;
    assert!(store.survey_due(shop.ana).await.unwrap());

    // Erased, she is never asked again.
    store.erase_member(&shop.manager, shop.ana).await.unwrap();
    assert!(!store.survey_due(shop.ana).await.unwrap());
}

#[tokio::test]
async fn a_link_shows_what_is_known_and_keeps_the_answers_once() {
    let shop = shop().await;
    let store = &shop.store;
    let asked = store
        .ask_survey(
            &shop.sam,
            Some(shop.ana),
            SurveyWay::Link,
            Some("http://till.local:8470/"),
        )
        .await
        .unwrap();
    assert_eq!(
        asked.link.as_deref(),
        Some(format!("http://till.local:8470/s/{}", asked.token).as_str())
    );
    let page = store.survey_page(&asked.token).await.unwrap();
    // In Ana's language, with her visits and her card said, not asked.
    assert_eq!(page.language, "fr");
    assert_eq!(page.shop, "Pékség");
    assert_eq!(page.visits, Some(3));
    assert_eq!(page.favourite.as_deref(), Some("Kávékártya"));
    assert!(!page.answered);
    assert!(page.we_did.is_empty());

    // "You said, we did": a manager's words, newest first; a cashier may not write them.
    assert!(matches!(
        store.add_we_did(&shop.sam, "Nope").await,
        Err(CoreError::ManagerOnly)
    ));
    let seats = store
        .add_we_did(&shop.manager, "Több ülőhely az ablaknál")
        .await
        .unwrap();
    let early = store
        .add_we_did(&shop.manager, "Reggel 6-tól nyitunk")
        .await
        .unwrap();
    let shown = store.survey_page(&asked.token).await.unwrap().we_did;
    assert_eq!(
        shown.iter().map(|w| w.id).collect::<Vec<_>>(),
        [early.id, seats.id]
    );
    store
        .withdraw_we_did(&shop.manager, seats.id)
        .await
        .unwrap();
    assert!(matches!(
        store.withdraw_we_did(&shop.manager, seats.id).await,
        Err(CoreError::WeDidNotFound)
    ));
    let shown = store.survey_page(&asked.token).await.unwrap().we_did;
    assert_eq!(shown.iter().map(|w| w.id).collect::<Vec<_>>(), [early.id]);

    // An answer out of range is refused and nothing is kept.
    let wrong = store
        .answer_survey(&asked.token, &answers(11, None, None, ""))
        .await;
    assert!(matches!(
        wrong,
        Err(CoreError::InvalidSurveyAnswer { field: "nps" })
    ));
    assert!(!store.survey_page(&asked.token).await.unwrap().answered);

    let done = store
        .answer_survey(
            &asked.token,
            &answers(6, Some(Topic::Speed), Some(2), "Reggel hosszú a sor"),
        )
        .await
        .unwrap();
    assert!(done.answered);
    assert!(matches!(
        store
            .answer_survey(&asked.token, &answers(10, None, None, ""))
            .await,
        Err(CoreError::SurveyAnswered)
    ));
    let today = store.require_shop().await.unwrap().today(Utc::now());
    let figures = store
        .survey_figures(&shop.manager, Period::month_to(today))
        .await
        .unwrap();
    assert_eq!((figures.answered, figures.detractors), (1, 1));
    assert_eq!(figures.comments[0].comment, "Reggel hosszú a sor");

    // A changed token is not a link of this shop's.
    let mut forged = asked.token.clone().into_bytes();
    let last = forged.len() - 5;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        store.survey_page(&String::from_utf8(forged).unwrap()).await,
        Err(CoreError::SurveyLinkInvalid)
    ));

    // A link for whoever holds the receipt: the shop's language, nothing known; too old, closed.
    let receipt = store
        .ask_survey(&shop.sam, None, SurveyWay::Link, None)
        .await
        .unwrap();
    let page = store.survey_page(&receipt.token).await.unwrap();
    assert_eq!((page.language.as_str(), page.visits), ("hu", None));
    shop.asked_days_ago(31).await;
    assert!(matches!(
        store.survey_page(&receipt.token).await,
        Err(CoreError::SurveyExpired)
    ));
    // An answered survey still says thank you when its link is opened later.
    assert!(store.survey_page(&asked.token).await.unwrap().answered);

    // Erased, Ana's words are gone; her score still counts.
    store.erase_member(&shop.manager, shop.ana).await.unwrap();
    let figures = store
        .survey_figures(&shop.manager, Period::month_to(today))
        .await
        .unwrap();
    assert_eq!((figures.answered, figures.detractors), (1, 1));
    assert!(figures.comments.is_empty());
    assert!(matches!(
        store.survey_page(&asked.token).await,
        Err(CoreError::SurveyLinkInvalid)
    ));
}

#[tokio::test]
async fn the_report_gives_the_nps_and_the_topic_to_act_on_and_who_collected_feedback() {
    let shop = shop().await;
    let store = &shop.store;
    // Four customers by receipt links (three asked by Sam, one by the manager).
    let given = [
        (
            &shop.sam,
            answers(10, Some(Topic::Quality), Some(5), "Isteni kifli"),
        ),
        (&shop.sam, answers(9, Some(Topic::Speed), Some(2), "")),
        (&shop.sam, answers(8, Some(Topic::Speed), Some(3), "")),
        (
            &shop.manager,
            answers(3, Some(Topic::Speed), Some(1), "Lassú"),
        ),
    ];
    for (who, answer) in &given {
        let asked = store
            .ask_survey(who, None, SurveyWay::Link, None)
            .await
            .unwrap();
        store.answer_survey(&asked.token, answer).await.unwrap();
    }
    // One asked and never answered.
    store
        .ask_survey(&shop.sam, None, SurveyWay::Link, None)
        .await
        .unwrap();
    let today = store.require_shop().await.unwrap().today(Utc::now());
    let figures = store
        .survey_figures(&shop.manager, Period::month_to(today))
        .await
        .unwrap();
    assert_eq!((figures.asked, figures.answered), (5, 4));
    assert_eq!(
        (figures.promoters, figures.passives, figures.detractors),
        (2, 1, 1)
    );
    assert_eq!(figures.nps, Some(25));
    assert_eq!(figures.months.len(), 1);
    assert_eq!((figures.months[0].answers, figures.months[0].nps), (4, 25));
    let speed = &figures.topics[0];
    assert_eq!((speed.topic, speed.picked), (Topic::Speed, 3));
    assert_eq!(speed.satisfaction, Some(2.0));
    assert!(speed.act_here);
    assert!(figures.topics.iter().filter(|t| t.act_here).count() == 1);
    assert_eq!(
        figures
            .comments
            .iter()
            .map(|c| c.comment.as_str())
            .collect::<Vec<_>>(),
        ["Lassú", "Isteni kifli"]
    );
    // A cashier may not read it.
    assert!(matches!(
        store
            .survey_figures(&shop.sam, Period::month_to(today))
            .await,
        Err(CoreError::ManagerOnly)
    ));

    // Everyone's part: the feedback each one collected.
    let staff = store
        .staff_report(&shop.manager, Period::month_to(today))
        .await
        .unwrap();
    let collected = |name: &str| {
        staff
            .staff
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
            .map(|s| s.feedback_collected)
    };
    assert_eq!(collected("Sam"), Some(3));
    assert_eq!(collected("Ana"), Some(1));
}
