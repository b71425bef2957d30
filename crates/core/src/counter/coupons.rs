//! Coupons: a voucher good for one use ("a free coffee", "5 € off", "10 % off"), signed like a
//! card so any till of the chain honours it offline (docs/decisions/0029-coupons.md).
//!
//! A coupon is issued as a shared record (it syncs like a member) and its token holds its
//! terms. Its use is a `coupon_redeem` event: a till refuses a coupon it knows is used, and
//! when two tills apart each took it, sync brings both uses everywhere and the second one waits
//! in the conflict queue for a manager, like a reward given twice (`counter::conflicts`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::cards::voucher::{voucher_pdf, VoucherFace, VoucherFormat};
use crate::codes::coupon_token::{self, CouponClaim, CouponKind, CouponTerms};
use crate::codes::token::{ChainKey, TokenError};
use crate::error::{CoreError, Result};
use crate::i18n::Messages;
use crate::ids::{CouponId, EventId, MemberId, ShopId};
use crate::input::validate;
use crate::ledger::{self, Event, EventKind, NewEvent};
use crate::people::auth::Permission;
use crate::people::shop::{Actor, Shop};
use crate::scan::{self, Decoded};
use crate::store::Store;

/// How long a coupon is good for when whoever issues it does not say.
pub const DEFAULT_DAYS: i64 = 90;

/// The most items one free-item coupon gives.
const MAX_ITEMS: i64 = 99;

/// What a manager (or a script) asks a coupon to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewCoupon {
    pub kind: CouponKind,
    /// How many items, the cents off, or the percentage off.
    pub value: i64,
    /// What the coupon says ("A coffee of your choice"), in the shop's words.
    pub text: String,
    /// The member it is for (shown at their next scan); none: whoever brings the voucher.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub member_id: Option<MemberId>,
    /// Its last day, in the shop's time zone; none: it never expires.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub expires_on: Option<NaiveDate>,
    /// Good only in this shop, not in every shop of the chain.
    #[serde(default)]
    pub only_here: bool,
}

/// Where a coupon stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum CouponState {
    /// Good to use now.
    Open,
    /// Used, when and where (the first use, if sync found two).
    Used {
        used_at: DateTime<Utc>,
        use_event: EventId,
        used_in: Option<String>,
    },
    /// Withdrawn by a manager.
    Withdrawn { withdrawn_at: DateTime<Utc> },
    /// Its last day has passed.
    Expired,
    /// Good only in another shop of the chain.
    OtherShop,
}

impl CouponState {
    /// Why the coupon cannot be used now, as a person is told it.
    pub fn refusal(&self, expires_on: Option<NaiveDate>) -> Option<CoreError> {
        Some(match self {
            CouponState::Open => return None,
            CouponState::Used { used_at, .. } => CoreError::CouponUsed {
                date: used_at.date_naive().to_string(),
            },
            CouponState::Withdrawn { withdrawn_at } => CoreError::CouponWithdrawn {
                date: withdrawn_at.date_naive().to_string(),
            },
            CouponState::Expired => CoreError::CouponExpired {
                date: expires_on.map(|d| d.to_string()).unwrap_or_default(),
            },
            CouponState::OtherShop => CoreError::CouponOtherShop,
        })
    }
}

/// A coupon as the counter shows it: its terms (from its token, so a coupon whose record has
/// not arrived yet still shows what it gives), what its record adds, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CouponView {
    pub id: CouponId,
    pub kind: CouponKind,
    pub value: i64,
    /// `None` until the coupon's record arrives here by sync.
    pub text: Option<String>,
    pub member_id: Option<MemberId>,
    pub member_name: Option<String>,
    pub expires_on: Option<NaiveDate>,
    /// The one shop that takes it, if it is not good in every shop.
    pub only_at: Option<ShopId>,
    /// The shop that gave it, when its record is here.
    pub shop_name: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    /// What its QR code holds: the voucher is printed from it.
    pub token: String,
    /// The currency of an amount off (the shop's).
    pub currency: String,
    #[serde(flatten)]
    pub state: CouponState,
    /// Why it cannot be used now (from `state`), for the screens.
    pub refusal: Option<crate::ErrorBody>,
}

impl CouponView {
    /// What the coupon gives, in words: "One item free", "€5.00 off", "10 % off".
    pub fn offer(&self, messages: &crate::i18n::Messages) -> String {
        offer_words(messages, self.kind, self.value, &self.currency)
    }
}

/// What a coupon of `kind` and `value` gives, in words (an amount in `currency`'s cents).
pub fn offer_words(
    messages: &crate::i18n::Messages,
    kind: CouponKind,
    value: i64,
    currency: &str,
) -> String {
    let arg = |name: &str, value: String| std::iter::once((name.to_string(), value)).collect();
    match kind {
        CouponKind::FreeItem => {
            messages.format("coupon-free-item", &arg("count", value.to_string()))
        }
        CouponKind::AmountOff => messages.format(
            "coupon-amount-off",
            &arg("amount", messages.money(value, currency)),
        ),
        CouponKind::PercentOff => {
            messages.format("coupon-percent-off", &arg("percent", value.to_string()))
        }
    }
}

/// The outcome of using a coupon: the event written and the coupon as it now stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CouponUse {
    pub event: Event,
    pub coupon: CouponView,
}

/// The record's part of a view.
#[derive(sqlx::FromRow)]
struct Stored {
    text: String,
    member_id: Option<MemberId>,
    member_name: Option<String>,
    shop_name: Option<String>,
    issued_at: DateTime<Utc>,
    withdrawn_at: Option<DateTime<Utc>>,
}

/// The first standing use of a coupon, by time then id: every till names the same one.
#[derive(sqlx::FromRow)]
struct FirstUse {
    id: EventId,
    at: DateTime<Utc>,
    shop_name: Option<String>,
}

/// A new coupon, checked and signed, not written yet.
pub(crate) struct PreparedCoupon {
    pub terms: CouponTerms,
    token: String,
    shop_id: ShopId,
    text: String,
    member_id: Option<MemberId>,
    issued_by: crate::ids::StaffId,
}

impl PreparedCoupon {
    pub(crate) async fn insert(&self, tx: &mut crate::store::WriteTx) -> Result<()> {
        sqlx::query(
            "INSERT INTO coupon (id, token, shop_id, only_here, kind, value, text, member_id,
                                 expires_on, issued_at, issued_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.terms.id)
        .bind(&self.token)
        .bind(self.shop_id)
        .bind(self.terms.only_at.is_some())
        .bind(self.terms.kind)
        .bind(self.terms.value)
        .bind(&self.text)
        .bind(self.member_id)
        .bind(self.terms.expires_on)
        .bind(Utc::now())
        .bind(self.issued_by)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// The default last day of a coupon issued `today`.
pub fn default_expiry(today: NaiveDate) -> NaiveDate {
    today + Duration::days(DEFAULT_DAYS)
}

/// A value as a person types it, in the kind's unit: how many items (1 when left out), an
/// amount in the shop's currency ("5", "2,50"), or a percentage ("10", "10 %").
pub fn typed_value(kind: CouponKind, typed: Option<&str>) -> Result<i64> {
    let typed = typed.map(str::trim).filter(|text| !text.is_empty());
    let whole = |text: &str| {
        text.trim_end_matches('%')
            .trim()
            .parse::<i64>()
            .map_err(|_| CoreError::InvalidNumber {
                field: "value",
                min: 1,
                max: 100,
            })
    };
    match (kind, typed) {
        (CouponKind::FreeItem, None) => Ok(1),
        (CouponKind::AmountOff, Some(text)) => crate::input::money::cents(text),
        (_, Some(text)) => whole(text),
        (_, None) => Err(CoreError::Empty { field: "value" }),
    }
}

/// The value checked against what the kind allows.
pub(crate) fn checked_value(kind: CouponKind, value: i64) -> Result<i64> {
    let max = match kind {
        CouponKind::FreeItem => MAX_ITEMS,
        CouponKind::AmountOff => coupon_token::MAX_VALUE,
        CouponKind::PercentOff => 100,
    };
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(CoreError::InvalidNumber {
            field: "value",
            min: 1,
            max,
        })
    }
}

/// The readings of a scan that verify, or why the most trustworthy one does not.
fn verify_coupon(
    readings: &[std::result::Result<CouponClaim, TokenError>],
    keys: &[ChainKey],
) -> Result<(CouponTerms, String)> {
    let mut first_error = None;
    for reading in readings {
        match reading.clone().and_then(|claim| {
            let terms = claim.verify(keys)?;
            Ok((terms, claim.text()))
        }) {
            Ok(found) => return Ok(found),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(match first_error.unwrap_or(TokenError::Forged) {
        TokenError::Truncated => CoreError::TruncatedCoupon,
        TokenError::UnknownKey => CoreError::UnknownCouponKey,
        TokenError::Forged => CoreError::ForgedCoupon,
    })
}

impl Store {
    /// Managers only: issues a coupon, signed under the chain's current key, and returns it
    /// with its token (what the voucher's QR code holds).
    pub async fn issue_coupon(&self, actor: &Actor, new: &NewCoupon) -> Result<CouponView> {
        actor.require(Permission::IssueCoupons)?;
        let coupon = self.prepare_coupon(actor, new).await?;
        let mut tx = self.begin_write().await?;
        coupon.insert(&mut tx).await?;
        self.commit(tx).await?;
        self.coupon(coupon.terms.id).await
    }

    /// Everything a new coupon's row needs, checked and signed, before any write: the caller
    /// inserts it in its own transaction, beside what goes with it (a complaint's link). The
    /// caller has checked the permission: a manager's coupon, or the coupon a complaint's rule
    /// proposes (care::complaints).
    pub(crate) async fn prepare_coupon(
        &self,
        actor: &Actor,
        new: &NewCoupon,
    ) -> Result<PreparedCoupon> {
        let value = checked_value(new.kind, new.value)?;
        let text = validate::text("text", &new.text, validate::TEXT_MAX)?;
        let shop = self.require_shop().await?;
        if let Some(day) = new.expires_on {
            if day < shop.today(Utc::now()) || !coupon_token::expiry_in_range(day) {
                return Err(CoreError::ExpiryPast);
            }
        }
        let member_id = match new.member_id {
            Some(id) => {
                let id = crate::counter::merge::canonical(self.pool(), id).await?;
                let member = self.member(id).await?;
                self.require_not_erased(member.id).await?;
                Some(member.id)
            }
            None => None,
        };
        let terms = CouponTerms {
            id: CouponId::new(),
            kind: new.kind,
            value,
            expires_on: new.expires_on,
            only_at: new.only_here.then_some(shop.id),
        };
        let token = self.signing_key().await?.issue_coupon(&terms);
        Ok(PreparedCoupon {
            terms,
            token,
            shop_id: shop.id,
            text,
            member_id,
            issued_by: actor.staff_id,
        })
    }

    /// Managers only: withdraws a coupon (issued by mistake, or a voucher lost): every till
    /// refuses it once the change has synced. A used coupon stays used; withdrawing twice
    /// changes nothing.
    pub async fn withdraw_coupon(&self, actor: &Actor, id: CouponId) -> Result<CouponView> {
        actor.require(Permission::IssueCoupons)?;
        let mut tx = self.begin_write().await?;
        let found =
            sqlx::query("UPDATE coupon SET withdrawn_at = coalesce(withdrawn_at, ?) WHERE id = ?")
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if found == 0 {
            return Err(CoreError::CouponNotFound);
        }
        self.commit(tx).await?;
        self.coupon(id).await
    }

    /// A coupon by its id, as it stands now (its terms from its record: this chain's own).
    pub async fn coupon(&self, id: CouponId) -> Result<CouponView> {
        let mut conn = self.pool().acquire().await?;
        let given = given_coupons(&mut conn, "id = ?1", |q| q.bind(id))
            .await?
            .pop()
            .ok_or(CoreError::CouponNotFound)?;
        let shop = crate::people::shop::this_shop(&mut conn)
            .await?
            .ok_or(CoreError::ShopNotSetUp)?;
        view(&mut conn, &shop, given.0, given.1).await
    }

    /// A coupon's scan (or its token pasted), MAC checked, as it stands now.
    pub async fn scan_coupon(&self, input: &str) -> Result<CouponView> {
        let (terms, token) = self.verified_coupon(input).await?;
        self.view_now(terms, token).await
    }

    /// The terms of the coupon a scan or a pasted token names, MAC checked.
    async fn verified_coupon(&self, input: &str) -> Result<(CouponTerms, String)> {
        let Decoded::Coupon(readings) = scan::decode(input, &[]) else {
            return Err(CoreError::NotACoupon);
        };
        verify_coupon(&readings, &self.chain_keys().await?)
    }

    pub(crate) async fn coupon_from_readings(
        &self,
        readings: &[std::result::Result<CouponClaim, TokenError>],
    ) -> Result<CouponView> {
        let (terms, token) = verify_coupon(readings, &self.chain_keys().await?)?;
        self.view_now(terms, token).await
    }

    async fn view_now(&self, terms: CouponTerms, token: String) -> Result<CouponView> {
        let shop = self.require_shop().await?;
        let mut conn = self.pool().acquire().await?;
        view(&mut conn, &shop, terms, token).await
    }

    /// Managers only: the coupon as a voucher to print, in its member's language (the shop's
    /// for a coupon given to nobody in particular).
    pub async fn coupon_pdf(
        &self,
        actor: &Actor,
        id: CouponId,
        format: VoucherFormat,
    ) -> Result<Vec<u8>> {
        actor.require(Permission::IssueCoupons)?;
        let coupon = self.coupon(id).await?;
        let shop = self.require_shop().await?;
        let language = match coupon.member_id {
            Some(member) => self.member(member).await?.language,
            None => shop.language.clone(),
        };
        let messages = Messages::new(&language);
        let say = |key: &str, name: &str, value: String| {
            messages.format(key, &std::iter::once((name.to_string(), value)).collect())
        };
        let offer = coupon.offer(&messages);
        let simple = coupon.id.0.simple().to_string().to_uppercase();
        let face = VoucherFace {
            shop: coupon.shop_name.clone().unwrap_or(shop.name),
            headline: coupon.text.clone().unwrap_or_else(|| offer.clone()),
            member: coupon
                .member_name
                .as_ref()
                .filter(|name| !name.is_empty())
                .map(|name| say("coupon-for", "member", name.clone())),
            offer,
            until: match coupon.expires_on {
                Some(day) => say("coupon-until", "date", messages.date(day)),
                None => say("coupon-no-expiry", "", String::new()),
            },
            only_here: coupon
                .only_at
                .map(|_| say("coupon-only-issuing-shop", "", String::new())),
            fine_print: say(
                "voucher-fine-print",
                "id",
                simple[simple.len() - 8..].to_string(),
            ),
            token: coupon.token,
        };
        voucher_pdf(&face, format)
    }

    /// The coupons given to a member that they can use now, soonest to expire first.
    pub async fn open_coupons_of(&self, member_id: MemberId) -> Result<Vec<CouponView>> {
        let member_id = crate::counter::merge::canonical(self.pool(), member_id).await?;
        let mut conn = self.pool().acquire().await?;
        open_coupons(&mut conn, member_id).await
    }

    /// Takes a coupon at the counter: its scan (or token) is checked, and a coupon that is
    /// used, withdrawn, expired or only good in another shop is refused saying so. One use is
    /// one `coupon_redeem` event, written in one transaction with the check.
    pub async fn redeem_coupon(&self, actor: &Actor, input: &str) -> Result<CouponUse> {
        actor.require(Permission::Redeem)?;
        let (terms, token) = self.verified_coupon(input).await?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        let before = view(&mut tx, &shop, terms.clone(), token.clone()).await?;
        if let Some(refusal) = before.state.refusal(before.expires_on) {
            return Err(refusal);
        }
        let event = ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: EventKind::CouponRedeem,
                // A voucher given to nobody in particular is used by whoever brings it: its
                // use names no member (the nil id, which no member has).
                member_id: before.member_id.unwrap_or(MemberId::nil()),
                program_id: None,
                amount: 1,
                voids: None,
                reason: None,
                other_member: None,
                note: None,
                coupon_id: Some(terms.id),
            },
        )
        .await?;
        let coupon = view(&mut tx, &shop, terms, token).await?;
        self.commit(tx).await?;
        Ok(CouponUse { event, coupon })
    }
}

/// The coupons given to a member (and to those merged into them) that they can use now,
/// soonest to expire first. Their records are this chain's, so their terms are read from them;
/// a member with none (nearly every scan) costs one indexed look.
pub(crate) async fn open_coupons(
    conn: &mut sqlx::SqliteConnection,
    member_id: MemberId,
) -> Result<Vec<CouponView>> {
    let given = given_coupons(
        conn,
        "member_id IN (SELECT ?1 UNION ALL SELECT alias_id FROM member_alias WHERE member_id = ?1)
         AND withdrawn_at IS NULL",
        |q| q.bind(member_id),
    )
    .await?;
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let shop = crate::people::shop::this_shop(conn)
        .await?
        .ok_or(CoreError::ShopNotSetUp)?;
    let mut open = Vec::new();
    for (terms, token) in given {
        let coupon = view(conn, &shop, terms, token).await?;
        if coupon.state == CouponState::Open {
            open.push(coupon);
        }
    }
    Ok(open)
}

type Query<'q> =
    sqlx::query::QueryAs<'q, sqlx::Sqlite, Given, <sqlx::Sqlite as sqlx::Database>::Arguments<'q>>;

/// A coupon's row as its record holds its terms.
#[derive(sqlx::FromRow)]
struct Given {
    id: CouponId,
    kind: CouponKind,
    value: i64,
    expires_on: Option<NaiveDate>,
    only_here: bool,
    shop_id: ShopId,
    token: String,
}

/// The terms and tokens of the coupons whose records match `filter` (SQL over `coupon`, its
/// values bound by `bind`), soonest to expire first. Records are the chain's own: their terms
/// need no MAC check, unlike a scan's.
async fn given_coupons(
    conn: &mut sqlx::SqliteConnection,
    filter: &str,
    bind: impl for<'q> FnOnce(Query<'q>) -> Query<'q>,
) -> Result<Vec<(CouponTerms, String)>> {
    let sql = format!(
        "SELECT id, kind, value, expires_on, only_here, shop_id, token FROM coupon
         WHERE {filter}
         ORDER BY coalesce(expires_on, '9999-12-31'), issued_at"
    );
    let rows: Vec<Given> = bind(sqlx::query_as(&sql)).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|g| {
            let terms = CouponTerms {
                id: g.id,
                kind: g.kind,
                value: g.value,
                expires_on: g.expires_on,
                only_at: g.only_here.then_some(g.shop_id),
            };
            (terms, g.token)
        })
        .collect())
}

/// The coupon with these verified terms as this till knows it now.
async fn view(
    conn: &mut sqlx::SqliteConnection,
    shop: &Shop,
    terms: CouponTerms,
    token: String,
) -> Result<CouponView> {
    let stored: Option<Stored> = sqlx::query_as(
        "SELECT c.text, c.member_id, m.name AS member_name, s.name AS shop_name, c.issued_at,
                c.withdrawn_at
         FROM coupon c
         LEFT JOIN member m ON m.id = c.member_id
         LEFT JOIN shop s ON s.id = c.shop_id
         WHERE c.id = ?",
    )
    .bind(terms.id)
    .fetch_optional(&mut *conn)
    .await?;
    let first_use: Option<FirstUse> = sqlx::query_as(&format!(
        "SELECT e.id, e.at, s.name AS shop_name FROM event e
         LEFT JOIN shop s ON s.id = e.shop_id
         WHERE e.coupon_id = ? AND e.kind_code = 8
           AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = e.id AND c.kind IN {})
         ORDER BY e.at_ns, e.id LIMIT 1",
        ledger::CANCELLING_KINDS
    ))
    .bind(terms.id)
    .fetch_optional(&mut *conn)
    .await?;
    let state = if let Some(used) = first_use {
        CouponState::Used {
            used_at: used.at,
            use_event: used.id,
            used_in: used.shop_name,
        }
    } else if let Some(withdrawn_at) = stored.as_ref().and_then(|s| s.withdrawn_at) {
        CouponState::Withdrawn { withdrawn_at }
    } else if terms
        .expires_on
        .is_some_and(|last| shop.today(Utc::now()) > last)
    {
        CouponState::Expired
    } else if terms.only_at.is_some_and(|only| only != shop.id) {
        CouponState::OtherShop
    } else {
        CouponState::Open
    };
    let refusal = state.refusal(terms.expires_on).map(|e| e.body());
    Ok(CouponView {
        id: terms.id,
        kind: terms.kind,
        value: terms.value,
        text: stored.as_ref().map(|s| s.text.clone()),
        member_id: stored.as_ref().and_then(|s| s.member_id),
        member_name: stored.as_ref().and_then(|s| s.member_name.clone()),
        expires_on: terms.expires_on,
        only_at: terms.only_at,
        shop_name: stored.as_ref().and_then(|s| s.shop_name.clone()),
        issued_at: stored.as_ref().map(|s| s.issued_at),
        token,
        currency: shop.currency.clone(),
        state,
        refusal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::one_free_item(CouponKind::FreeItem, 1, true)]
    #[case::a_hundred_free_items(CouponKind::FreeItem, 100, false)]
    #[case::no_amount(CouponKind::AmountOff, 0, false)]
    #[case::the_largest_amount(CouponKind::AmountOff, coupon_token::MAX_VALUE, true)]
    #[case::all_of_it(CouponKind::PercentOff, 100, true)]
    #[case::more_than_all(CouponKind::PercentOff, 101, false)]
    fn a_value_is_checked_against_its_kind(
        #[case] kind: CouponKind,
        #[case] value: i64,
        #[case] taken: bool,
    ) {
        assert_eq!(checked_value(kind, value).is_ok(), taken);
    }
}
