//! Segments and campaigns (issue 13, item 5; decision 0031) on a history whose answers are
//! known: who is in each segment, and of them exactly who may be written to on each channel.
//! A member without a yes on the channel, with a no, without an address, or erased, is never
//! in the file; the unsubscribe link in it takes a member off for good.

mod common;

use chrono::{Datelike, Duration, Utc};
use tessera_core::care::campaigns::{Campaign, CampaignChannel, CampaignCoupon, CampaignPlan};
use tessera_core::care::segments::Segment;
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::counter::programs::NewProgram;
use tessera_core::ids::MemberId;
use tessera_core::ledger::EventKind;
use tessera_core::people::member_data::{Channel, ConsentSource, MemberEdit};
use tessera_core::people::members::NewMember;
use tessera_core::people::shop::Actor;
use tessera_core::Store;

struct Shop {
    store: Store,
    manager: Actor,
    members: Vec<(&'static str, MemberId)>,
    _dir: tempfile::TempDir,
}

impl Shop {
    fn id(&self, name: &str) -> MemberId {
        self.members.iter().find(|(n, _)| *n == name).unwrap().1
    }

    fn names(&self, ids: &[MemberId]) -> Vec<&'static str> {
        let mut names: Vec<_> = ids
            .iter()
            .map(|id| self.members.iter().find(|(_, m)| m == id).unwrap().0)
            .collect();
        names.sort();
        names
    }

    async fn segment(&self, segment: Segment) -> Vec<&'static str> {
        let today = self.store.require_shop().await.unwrap().today(Utc::now());
        let ids = self
            .store
            .segment_members(&self.manager, segment, today)
            .await
            .unwrap();
        self.names(&ids)
    }

    async fn export(&self, segment: Segment, channel: CampaignChannel) -> (Campaign, String) {
        let plan = CampaignPlan {
            segment,
            channel,
            message: Some("Új kenyerünk van!\nKóstolja meg.".into()),
            coupon: Some(CampaignCoupon {
                kind: CouponKind::FreeItem,
                value: 1,
                text: "Egy kávé".into(),
                expires_on: None,
            }),
            link_base: Some("https://pekseg.example:8470/".into()),
            with_we_did: false,
        };
        let (campaign, csv) = self
            .store
            .export_campaign(&self.manager, &plan)
            .await
            .unwrap();
        (campaign, String::from_utf8(csv).unwrap())
    }
}

/// A name, an email, a phone, days since joining, days since each visit.
type Person = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    i64,
    &'static [i64],
);

/// Who is who. Everyone but Hanna joined 300 days ago; the coffee card needs 10 stamps.
/// - Anna: a regular now (visits 50, 40, 30 and 20 days ago), birthday this month; email yes.
/// - Béla, Cili, Dani, Emma, Feri, Gabi: regulars once (200, 190, 180 days ago), gone since:
///   at risk. Béla: email yes. Cili: never asked. Dani: said no to emails. Emma: email yes
///   but no address. Feri: email yes, then erased. Gabi: texts yes, on the panel.
/// - Hanna: joined 5 days ago; email yes; said no to the panel; birthday next month.
async fn history() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (store, manager) = common::bakery_with_a_cashier(dir.path()).await;
    let coffee = store
        .add_program(&manager, &NewProgram::stamps("Kávé", 10, "Egy kávé"))
        .await
        .unwrap()
        .id;
    let now = Utc::now();
    let ago = |days: i64| now - Duration::days(days);
    let mut members = Vec::new();
    let mut w = store.history_writer().await.unwrap();
    let people: [Person; 8] = [
        (
            "Anna",
            Some("anna@example.hu"),
            None,
            300,
            &[50, 40, 30, 20],
        ),
        ("Béla", Some("bela@example.hu"), None, 300, &[200, 190, 180]),
        ("Cili", Some("cili@example.hu"), None, 300, &[200, 190, 180]),
        ("Dani", Some("dani@example.hu"), None, 300, &[200, 190, 180]),
        ("Emma", None, None, 300, &[200, 190, 180]),
        ("Feri", Some("feri@example.hu"), None, 300, &[200, 190, 180]),
        ("Gabi", None, Some("+36 30 123 4567"), 300, &[200, 190, 180]),
        ("Hanna", Some("hanna@example.hu"), None, 5, &[]),
    ];
    for (name, email, phone, joined, visits) in people {
        let new = NewMember {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            language: Some(if name == "Anna" { "fr" } else { "hu" }.into()),
        };
        let id = w.enrol(manager.staff_id, &new, ago(joined)).await.unwrap();
        for days in visits {
            w.event(
                manager.staff_id,
                EventKind::Punch,
                id,
                Some(coffee),
                1,
                ago(*days),
            )
            .await
            .unwrap();
        }
        members.push((name, id));
    }
    w.finish().await.unwrap();
    let shop = Shop {
        store,
        manager,
        members,
        _dir: dir,
    };
    let consent = |name: &'static str, channel: Channel, granted: bool| {
        let (store, manager, id) = (&shop.store, &shop.manager, shop.id(name));
        async move {
            store
                .set_consent(manager, id, channel, granted, ConsentSource::Counter)
                .await
                .unwrap();
        }
    };
    for name in ["Anna", "Béla", "Emma", "Feri", "Hanna"] {
        consent(name, Channel::Email, true).await;
    }
    consent("Dani", Channel::Email, false).await;
    consent("Gabi", Channel::Sms, true).await;
    consent("Gabi", Channel::Panel, true).await;
    consent("Hanna", Channel::Panel, false).await;
    let today = shop.store.require_shop().await.unwrap().today(now);
    let next_month = today.with_day(1).unwrap() + Duration::days(32);
    for (name, day) in [("Anna", today), ("Hanna", next_month)] {
        let edit = MemberEdit {
            birthday: Some(format!("{:02}-{:02}", day.month(), day.day().min(28))),
            ..MemberEdit::default()
        };
        shop.store
            .edit_member(&shop.manager, shop.id(name), &edit)
            .await
            .unwrap();
    }
    shop.store
        .erase_member(&shop.manager, shop.id("Feri"))
        .await
        .unwrap();
    shop
}

#[tokio::test]
async fn each_segment_holds_the_members_its_rule_names_and_never_an_erased_one() {
    let shop = history().await;
    // First: the visits are counted by day before any report has been read.
    assert_eq!(shop.segment(Segment::Regulars).await, ["Anna"]);
    assert_eq!(
        shop.segment(Segment::AtRisk).await,
        ["Béla", "Cili", "Dani", "Emma", "Gabi"]
    );
    assert_eq!(shop.segment(Segment::New).await, ["Hanna"]);
    assert_eq!(shop.segment(Segment::Birthday).await, ["Anna"]);
    assert_eq!(shop.segment(Segment::Panel).await, ["Gabi"]);
}

#[tokio::test]
async fn an_export_has_exactly_the_consented_members_with_an_address_each_with_a_coupon() {
    let shop = history().await;
    // What the manager sees before: the same counts, and nothing written.
    let preview = shop
        .store
        .preview_campaign(&shop.manager, Segment::AtRisk, CampaignChannel::Email)
        .await
        .unwrap();
    let counts = (
        preview.in_segment,
        preview.reachable,
        preview.without_consent,
        preview.without_contact,
    );
    assert_eq!(counts, (5, 1, 3, 1));
    assert!(shop
        .store
        .open_coupons_of(shop.id("Béla"))
        .await
        .unwrap()
        .is_empty());
    let (campaign, csv) = shop.export(Segment::AtRisk, CampaignChannel::Email).await;
    assert_eq!(campaign.in_segment, 5);
    // Cili (never asked), Dani (no), Gabi (texts only); Emma has no address.
    assert_eq!((campaign.without_consent, campaign.without_contact), (3, 1));
    let written: Vec<MemberId> = campaign.recipients.iter().map(|r| r.member_id).collect();
    assert_eq!(shop.names(&written), ["Béla"]);

    // The file a spreadsheet opens: a BOM, `;` for a Hungarian shop, one line per member.
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    let cell = |name: &str| rows[0][header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(cell("name"), "Béla");
    assert_eq!(cell("email"), "bela@example.hu");
    assert_eq!(cell("language"), "hu");
    assert_eq!(cell("coupon_text"), "Egy kávé");
    // The coupon is Béla's own: it shows at his next scan, and its token is the voucher's.
    let coupon = shop.store.scan_coupon(&cell("coupon_token")).await.unwrap();
    assert_eq!(coupon.member_id, Some(shop.id("Béla")));
    let open = shop.store.open_coupons_of(shop.id("Béla")).await.unwrap();
    assert_eq!(open.len(), 1);
    assert!(
        cell("unsubscribe").starts_with("https://pekseg.example:8470/u/TU1"),
        "{}",
        cell("unsubscribe")
    );

    // Texts go to whoever said yes to them and has a number.
    let (by_text, _) = shop.export(Segment::AtRisk, CampaignChannel::Sms).await;
    let written: Vec<MemberId> = by_text.recipients.iter().map(|r| r.member_id).collect();
    assert_eq!(shop.names(&written), ["Gabi"]);
    assert_eq!(by_text.recipients[0].contact, "+36 30 123 4567");

    // Béla follows his link: no more emails, from the link, and no longer in the next file.
    let link = cell("unsubscribe");
    let token = link.rsplit('/').next().unwrap();
    let asked = shop.store.unsubscribe_link(token).await.unwrap();
    assert_eq!((asked.language.as_str(), asked.already_off), ("hu", false));
    let done = shop.store.unsubscribe(token).await.unwrap();
    assert!(done.already_off);
    let details = shop.store.member_details(shop.id("Béla")).await.unwrap();
    let email = details.consent.email.unwrap();
    assert!(!email.granted);
    assert_eq!(email.source, ConsentSource::Link);
    // Following it again changes nothing.
    assert!(
        shop.store
            .unsubscribe_link(token)
            .await
            .unwrap()
            .already_off
    );
    shop.store.unsubscribe(token).await.unwrap();
    let again = shop.store.member_details(shop.id("Béla")).await.unwrap();
    assert_eq!(again.consent.email.unwrap().at, email.at);
    let (after, _) = shop.export(Segment::AtRisk, CampaignChannel::Email).await;
    assert!(after.recipients.is_empty());
    assert_eq!(after.without_consent, 4);
}

#[tokio::test]
async fn a_changed_unsubscribe_link_is_refused_and_changes_nobody() {
    let shop = history().await;
    let (campaign, _) = shop.export(Segment::Regulars, CampaignChannel::Email).await;
    assert_eq!(campaign.recipients.len(), 1, "{campaign:?}");
    let token = &campaign.recipients[0].unsubscribe_token;
    // The last character changed: another MAC.
    let mut forged = token[..token.len() - 1].to_string();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let refused = shop.store.unsubscribe(&forged).await.unwrap_err();
    assert_eq!(refused.code(), "unsubscribe_link_invalid");
    let refused = shop.store.unsubscribe(&token[..30]).await.unwrap_err();
    assert_eq!(refused.code(), "unsubscribe_link_invalid");
    let anna = shop.store.member_details(shop.id("Anna")).await.unwrap();
    assert!(anna.consent.email.unwrap().granted);
}

#[tokio::test]
async fn campaigns_are_for_managers_and_written_in_the_audit_trail() {
    let shop = history().await;
    let sam = Actor::from(&shop.store.sign_in("Sam", "0000").await.unwrap());
    let plan = CampaignPlan {
        segment: Segment::Panel,
        channel: CampaignChannel::Sms,
        message: None,
        coupon: None,
        link_base: None,
        with_we_did: false,
    };
    let refused = shop.store.export_campaign(&sam, &plan).await.unwrap_err();
    assert_eq!(refused.code(), "manager_only");
    let (campaign, _) = shop
        .store
        .export_campaign(&shop.manager, &plan)
        .await
        .unwrap();
    assert_eq!(campaign.recipients.len(), 1);
    assert_eq!(campaign.recipients[0].coupon_id, None);
    let audited = common::audited(
        &shop.store,
        &shop.manager,
        tessera_core::audit::AuditKind::CampaignRun,
    )
    .await;
    assert_eq!(audited, [Some("export panel sms: 1 of 1".to_string())]);
}
