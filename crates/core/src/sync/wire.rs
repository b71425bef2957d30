//! Version 1 of the sync wire: an event as tills and hubs exchange it. Conversions from and to the ledger's rows are written out field by field; the JSON
//! shape is pinned by a test, so a change to it is a deliberate new version.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ledger::{Event, EventKind, ReasonCode};

/// Longest reason text accepted from the wire (as at the till).
const REASON_MAX: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireKind {
    Enroll,
    Punch,
    Redeem,
    Void,
    Forgive,
    ChargeBack,
    Merge,
    CouponRedeem,
}

impl WireKind {
    /// Names another event in `voids` (a void, or a conflict's settlement).
    fn refers(self) -> bool {
        EventKind::from(self).refers()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireReason {
    WrongMember,
    ScannedTwice,
    WrongCard,
    Other,
}

/// One ledger event on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    pub id: Uuid,
    pub device: Uuid,
    pub seq: i64,
    pub shop: Uuid,
    pub staff: Uuid,
    pub at: DateTime<Utc>,
    pub kind: WireKind,
    pub member: Uuid,
    pub program: Option<Uuid>,
    pub amount: i64,
    pub voids: Option<Uuid>,
    pub reason_code: Option<WireReason>,
    pub reason: Option<String>,
    /// For a merge: the member merged into `member`.
    pub other_member: Option<Uuid>,
    /// The card the event was made on, when another till needs it.
    pub card_code: Option<String>,
    /// The coupon used (and on a void or settlement of its use). Added with coupons; absent
    /// from every other event, which so keeps the exact shape it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<Uuid>,
}

/// Why an event from the wire is not a ledger event.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("a void or a settlement names the event it acts on, and only they do")]
    VoidTarget,
    #[error("sequence numbers start at 1")]
    Sequence,
    #[error("a punch or a redemption counts at least 1")]
    Amount,
    #[error("a punch, a redemption or a void belongs to a program")]
    Program,
    #[error("the reason is longer than {REASON_MAX} characters")]
    ReasonTooLong,
    #[error("a merge names the member it merges, and only a merge does")]
    MergeTarget,
    #[error("a coupon's use names its coupon, and only it, its void or its settlement do")]
    Coupon,
}

impl From<EventKind> for WireKind {
    fn from(kind: EventKind) -> WireKind {
        match kind {
            EventKind::Enroll => WireKind::Enroll,
            EventKind::Punch => WireKind::Punch,
            EventKind::Redeem => WireKind::Redeem,
            EventKind::Void => WireKind::Void,
            EventKind::Forgive => WireKind::Forgive,
            EventKind::ChargeBack => WireKind::ChargeBack,
            EventKind::Merge => WireKind::Merge,
            EventKind::CouponRedeem => WireKind::CouponRedeem,
        }
    }
}

impl From<WireKind> for EventKind {
    fn from(kind: WireKind) -> EventKind {
        match kind {
            WireKind::Enroll => EventKind::Enroll,
            WireKind::Punch => EventKind::Punch,
            WireKind::Redeem => EventKind::Redeem,
            WireKind::Void => EventKind::Void,
            WireKind::Forgive => EventKind::Forgive,
            WireKind::ChargeBack => EventKind::ChargeBack,
            WireKind::Merge => EventKind::Merge,
            WireKind::CouponRedeem => EventKind::CouponRedeem,
        }
    }
}

impl From<ReasonCode> for WireReason {
    fn from(code: ReasonCode) -> WireReason {
        match code {
            ReasonCode::WrongMember => WireReason::WrongMember,
            ReasonCode::ScannedTwice => WireReason::ScannedTwice,
            ReasonCode::WrongCard => WireReason::WrongCard,
            ReasonCode::Other => WireReason::Other,
        }
    }
}

impl From<WireReason> for ReasonCode {
    fn from(code: WireReason) -> ReasonCode {
        match code {
            WireReason::WrongMember => ReasonCode::WrongMember,
            WireReason::ScannedTwice => ReasonCode::ScannedTwice,
            WireReason::WrongCard => ReasonCode::WrongCard,
            WireReason::Other => ReasonCode::Other,
        }
    }
}

impl From<&Event> for WireEvent {
    fn from(e: &Event) -> WireEvent {
        WireEvent {
            id: e.id.0,
            device: e.device_id.0,
            seq: e.seq,
            shop: e.shop_id.0,
            staff: e.staff_id.0,
            at: e.at,
            kind: e.kind.into(),
            member: e.member_id.0,
            program: e.program_id.map(|p| p.0),
            amount: e.amount,
            voids: e.voids.map(|v| v.0),
            reason_code: e.reason_code.map(Into::into),
            reason: e.reason.clone(),
            other_member: e.other_member.map(|m| m.0),
            card_code: e.card_code.clone(),
            coupon: e.coupon_id.map(|c| c.0),
        }
    }
}

impl TryFrom<WireEvent> for Event {
    type Error = Invalid;

    /// The checks an event from another till must pass before it may enter the ledger.
    fn try_from(w: WireEvent) -> Result<Event, Invalid> {
        if w.kind.refers() != w.voids.is_some() {
            return Err(Invalid::VoidTarget);
        }
        if w.seq < 1 {
            return Err(Invalid::Sequence);
        }
        if (w.kind == WireKind::Merge) != w.other_member.is_some() {
            return Err(Invalid::MergeTarget);
        }
        let about_coupon = matches!(
            w.kind,
            WireKind::CouponRedeem | WireKind::Void | WireKind::Forgive
        );
        if (w.kind == WireKind::CouponRedeem && w.coupon.is_none())
            || (!about_coupon && w.coupon.is_some())
        {
            return Err(Invalid::Coupon);
        }
        let counts = !matches!(w.kind, WireKind::Enroll | WireKind::Merge);
        if counts && w.amount < 1 {
            return Err(Invalid::Amount);
        }
        // A coupon's use, and its void, belong to no program.
        if counts && w.program.is_none() && w.coupon.is_none() {
            return Err(Invalid::Program);
        }
        if w.reason
            .as_deref()
            .is_some_and(|r| r.chars().count() > REASON_MAX)
        {
            return Err(Invalid::ReasonTooLong);
        }
        Ok(Event {
            id: w.id.into(),
            device_id: w.device.into(),
            seq: w.seq,
            shop_id: w.shop.into(),
            staff_id: w.staff.into(),
            at: w.at,
            kind: w.kind.into(),
            member_id: w.member.into(),
            program_id: w.program.map(Into::into),
            amount: w.amount,
            voids: w.voids.map(Into::into),
            reason_code: w.reason_code.map(Into::into),
            reason: w.reason,
            other_member: w.other_member.map(Into::into),
            card_code: w.card_code,
            coupon_id: w.coupon.map(Into::into),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn void() -> Event {
        Event {
            id: uuid(1).into(),
            device_id: uuid(2).into(),
            seq: 7,
            shop_id: uuid(3).into(),
            staff_id: uuid(4).into(),
            at: "2026-11-23T10:42:00Z".parse().unwrap(),
            kind: EventKind::Void,
            member_id: uuid(5).into(),
            program_id: Some(uuid(6).into()),
            amount: 2,
            voids: Some(uuid(8).into()),
            reason_code: Some(ReasonCode::ScannedTwice),
            reason: None,
            other_member: None,
            card_code: None,
            coupon_id: None,
        }
    }

    /// The wire, written out: a change here is a new protocol version, never a side effect of
    /// renaming something in the ledger.
    #[test]
    fn the_json_of_version_1_is_pinned() {
        let json = serde_json::to_string(&WireEvent::from(&void())).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"id":"00000000-0000-0000-0000-000000000001","#,
                r#""device":"00000000-0000-0000-0000-000000000002","seq":7,"#,
                r#""shop":"00000000-0000-0000-0000-000000000003","#,
                r#""staff":"00000000-0000-0000-0000-000000000004","#,
                r#""at":"2026-11-23T10:42:00Z","kind":"void","#,
                r#""member":"00000000-0000-0000-0000-000000000005","#,
                r#""program":"00000000-0000-0000-0000-000000000006","amount":2,"#,
                r#""voids":"00000000-0000-0000-0000-000000000008","#,
                r#""reason_code":"scanned_twice","reason":null,"other_member":null,"#,
                r#""card_code":null}"#
            )
        );
    }

    #[test]
    fn an_event_goes_over_the_wire_and_comes_back_the_same() {
        let event = void();
        let back = Event::try_from(WireEvent::from(&event)).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn a_coupon_use_goes_over_the_wire_with_its_coupon_and_no_program() {
        let event = Event {
            kind: EventKind::CouponRedeem,
            program_id: None,
            amount: 1,
            voids: None,
            reason_code: None,
            coupon_id: Some(uuid(9).into()),
            ..void()
        };
        let wire = WireEvent::from(&event);
        let json = serde_json::to_string(&wire).unwrap();
        assert!(json.contains(r#""kind":"coupon_redeem""#), "{json}");
        assert!(
            json.ends_with(r#""coupon":"00000000-0000-0000-0000-000000000009"}"#),
            "{json}"
        );
        assert_eq!(Event::try_from(wire).unwrap(), event);
    }

    #[test]
    fn a_field_the_wire_does_not_know_is_refused() {
        let mut json = serde_json::to_value(WireEvent::from(&void())).unwrap();
        json["balance"] = 12.into();
        assert!(serde_json::from_value::<WireEvent>(json).is_err());
    }

    #[rstest]
    #[case::a_void_of_nothing(|w: &mut WireEvent| w.voids = None, Invalid::VoidTarget)]
    #[case::a_punch_that_voids(|w: &mut WireEvent| w.kind = WireKind::Punch, Invalid::VoidTarget)]
    #[case::sequence_zero(|w: &mut WireEvent| w.seq = 0, Invalid::Sequence)]
    #[case::no_program(|w: &mut WireEvent| w.program = None, Invalid::Program)]
    #[case::a_punch_of_nothing(|w: &mut WireEvent| { w.kind = WireKind::Punch; w.voids = None; w.amount = 0; }, Invalid::Amount)]
    #[case::a_long_reason(|w: &mut WireEvent| w.reason = Some("x".repeat(201)), Invalid::ReasonTooLong)]
    #[case::a_merge_of_nobody(|w: &mut WireEvent| { w.kind = WireKind::Merge; w.voids = None; }, Invalid::MergeTarget)]
    #[case::a_void_that_merges(|w: &mut WireEvent| w.other_member = Some(Uuid::nil()), Invalid::MergeTarget)]
    #[case::a_coupon_use_without_its_coupon(|w: &mut WireEvent| { w.kind = WireKind::CouponRedeem; w.voids = None; w.program = None; }, Invalid::Coupon)]
    #[case::a_punch_on_a_coupon(|w: &mut WireEvent| { w.kind = WireKind::Punch; w.voids = None; w.coupon = Some(Uuid::nil()); }, Invalid::Coupon)]
    fn an_event_that_breaks_a_rule_is_refused(
        #[case] spoil: fn(&mut WireEvent),
        #[case] why: Invalid,
    ) {
        let mut wire = WireEvent::from(&void());
        spoil(&mut wire);
        assert_eq!(Event::try_from(wire).unwrap_err(), why);
    }
}
