//! Who is at the counter: a scanned or typed code read back to a member (or the reason it
//! finds nobody), and the member with their cards as the screens show them.

use chrono::{DateTime, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::cards::registry::verify_readings;
use crate::codes::token::ChainKey;
use crate::counter::card::{CardTotals, CardView};
use crate::counter::coupons::CouponView;
use crate::counter::programs::Program;
use crate::error::{CoreError, Result};
use crate::ids::{MemberId, ProgramId};
use crate::people::members::Member;
use crate::scan::{self, Decoded};
use crate::store::Store;

/// A member with each of their cards in the shop's active programs (default program first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberView {
    pub member: Member,
    pub cards: Vec<CardView>,
    /// A card from another shop whose member's details have not arrived yet: punches are taken,
    /// and the screens say "new to this shop" instead of a name.
    pub new_here: bool,
    /// The coupons given to this member that they can use now.
    pub coupons: Vec<CouponView>,
}

/// What a scan or a typed code found. Not finding a member is an expected outcome, not an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ScanOutcome {
    Member(MemberView),
    /// A valid code that no member here has.
    UnknownCode {
        code: String,
    },
    /// The check character does not match: mistyped or misread.
    MistypedCode,
    /// Not a member code at all.
    NotACode,
    /// A card that was revoked; `replaced` when a new card was issued in its place.
    CardRevoked {
        revoked_at: DateTime<Utc>,
        replaced: bool,
    },
    /// A card token that does not verify: altered, misread or forged.
    ForgedCard,
    /// A card token made under a chain key this till does not know.
    UnknownCardKey,
    /// Only part of a card token was read.
    TruncatedCard,
    /// A coupon, with where it stands (a used or expired one says so in its `refusal`).
    Coupon(CouponView),
    /// A coupon token that does not verify: altered, misread or forged.
    ForgedCoupon,
    /// A coupon made under a chain key this till does not know yet.
    UnknownCouponKey,
    /// Only part of a coupon token was read.
    TruncatedCoupon,
}

impl ScanOutcome {
    /// Why this scan finds nobody, as a person is told it: the one mapping from a scan's
    /// outcome to a message, used by the till, the scanner test screen and the CLI.
    pub fn refusal(&self) -> Option<CoreError> {
        Some(match self {
            // A coupon is found, whatever its state: its view says whether it can be used.
            ScanOutcome::Member(_) | ScanOutcome::Coupon(_) => return None,
            ScanOutcome::UnknownCode { .. } => CoreError::UnknownCode,
            ScanOutcome::MistypedCode => CoreError::MistypedCode,
            ScanOutcome::NotACode => CoreError::NotACode,
            ScanOutcome::CardRevoked {
                revoked_at,
                replaced,
            } => {
                let date = revoked_at.date_naive().to_string();
                if *replaced {
                    CoreError::CardReplaced { date }
                } else {
                    CoreError::CardRevoked { date }
                }
            }
            ScanOutcome::ForgedCard => CoreError::ForgedCard,
            ScanOutcome::UnknownCardKey => CoreError::UnknownCardKey,
            ScanOutcome::TruncatedCard => CoreError::TruncatedCard,
            ScanOutcome::ForgedCoupon => CoreError::ForgedCoupon,
            ScanOutcome::UnknownCouponKey => CoreError::UnknownCouponKey,
            ScanOutcome::TruncatedCoupon => CoreError::TruncatedCoupon,
        })
    }

    /// The member found, for what only a member's card can do (punch, redeem a reward...).
    pub fn into_result(self) -> Result<MemberView> {
        match self {
            ScanOutcome::Member(view) => Ok(view),
            ScanOutcome::Coupon(_) => Err(CoreError::CouponNotCard),
            other => Err(other
                .refusal()
                .expect("only a member or a coupon has no refusal")),
        }
    }
}

/// A scan as the screens get it: what it found, and, when it found nobody, the message that
/// says why (from [`ScanOutcome::refusal`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Scanned {
    pub outcome: ScanOutcome,
    pub refusal: Option<crate::ErrorBody>,
}

impl From<ScanOutcome> for Scanned {
    fn from(outcome: ScanOutcome) -> Scanned {
        let refusal = outcome.refusal().map(|e| e.body());
        Scanned { outcome, refusal }
    }
}

/// How a scan was read, and what it found: the scanner test screen shows both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ScanExplanation {
    pub readings: Vec<scan::Reading>,
    pub scanned: Scanned,
}

/// A row of the quick scan's statement: the member, one of their cards (if any), the counters.
#[derive(sqlx::FromRow)]
struct QuickRow {
    #[sqlx(flatten)]
    member: Member,
    program_id: Option<ProgramId>,
    punches_total: Option<i64>,
    redeemed_total: Option<i64>,
    programs_stamp: i64,
    chain_keys_stamp: i64,
    /// The member (or one merged into them) was given a coupon not withdrawn: only then is a
    /// second statement needed to say which are open (issue 12: each is a round trip).
    holds_coupons: bool,
}

/// Whether a view asks for the member's open coupons, or already knows there are none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Coupons {
    Ask,
    NoneGiven,
}

/// The member with their card in every active program, and in a paused or retired one while the
/// card still has something to redeem. `totals` are the member's card rows.
async fn view_with(
    conn: &mut sqlx::SqliteConnection,
    programs: &[Program],
    member: Member,
    totals: &[(ProgramId, i64, i64)],
    coupons: Coupons,
    now: DateTime<Utc>,
) -> Result<MemberView> {
    let mut cards = Vec::new();
    for program in programs {
        let card = totals
            .iter()
            .find(|(id, _, _)| *id == program.id)
            .map(|&(_, punches_total, redeemed_total)| CardTotals {
                punches_total,
                redeemed_total,
            })
            .unwrap_or_default();
        if !program.active && card.rewards_available(program.punches_needed) < 1 {
            continue;
        }
        let view = CardView::read(conn, program, member.id, card, now).await?;
        if program.active || view.rewards_available > 0 {
            cards.push(view);
        }
    }
    let new_here = member.name.is_empty()
        && member.id == crate::counter::foreign::provisional_id(&member.code);
    let coupons = match coupons {
        Coupons::Ask => crate::counter::coupons::open_coupons(conn, member.id).await?,
        Coupons::NoneGiven => Vec::new(),
    };
    Ok(MemberView {
        member,
        cards,
        new_here,
        coupons,
    })
}

impl Store {
    /// Everything a scanner or a person types goes through here. `key_codes` are the physical
    /// keys of a scan when the UI knows them (`KeyboardEvent.code`), else empty.
    pub async fn lookup(&self, input: &str, key_codes: &[String]) -> Result<ScanOutcome> {
        let decoded = scan::decode(input, key_codes);
        if let Some(view) = self.quick_lookup(&decoded).await? {
            return Ok(ScanOutcome::Member(view));
        }
        let (code, verified) = match decoded {
            Decoded::Code(code) => (code, false),
            Decoded::Token(readings) => match self.verify_token(&readings).await {
                Ok(code) => (code, true),
                Err(CoreError::ForgedCard) => return Ok(ScanOutcome::ForgedCard),
                Err(CoreError::UnknownCardKey) => return Ok(ScanOutcome::UnknownCardKey),
                Err(CoreError::TruncatedCard) => return Ok(ScanOutcome::TruncatedCard),
                Err(other) => return Err(other),
            },
            Decoded::Coupon(readings) => {
                return match self.coupon_from_readings(&readings).await {
                    Ok(coupon) => Ok(ScanOutcome::Coupon(coupon)),
                    Err(CoreError::ForgedCoupon) => Ok(ScanOutcome::ForgedCoupon),
                    Err(CoreError::UnknownCouponKey) => Ok(ScanOutcome::UnknownCouponKey),
                    Err(CoreError::TruncatedCoupon) => Ok(ScanOutcome::TruncatedCoupon),
                    Err(other) => Err(other),
                }
            }
            Decoded::Mistyped => return Ok(ScanOutcome::MistypedCode),
            Decoded::NotACode => return Ok(ScanOutcome::NotACode),
        };
        match self.card_record(&code).await? {
            // A till with no shop yet knows no card: that is what to say, not "unknown card".
            None if self.shop().await?.is_none() => Err(CoreError::ShopNotSetUp),
            // A genuine card of the chain whose member has not arrived yet: punches are taken
            // under a provisional member (counter::foreign). A typed code proves nothing.
            None if verified => {
                let member = self.provisional_member(&code).await?;
                Ok(ScanOutcome::Member(self.view_of(member).await?))
            }
            None => Ok(ScanOutcome::UnknownCode {
                code: code.to_string(),
            }),
            Some(card) => match card.revoked_at {
                Some(revoked_at) => Ok(ScanOutcome::CardRevoked {
                    revoked_at,
                    replaced: card.replaced_by.is_some(),
                }),
                None => Ok(ScanOutcome::Member(self.member_view(card.member_id).await?)),
            },
        }
    }

    pub async fn explain_scan(&self, input: &str, key_codes: &[String]) -> Result<ScanExplanation> {
        Ok(ScanExplanation {
            readings: scan::readings(input, key_codes),
            scanned: self.lookup(input, key_codes).await?.into(),
        })
    }

    /// The member with their cards; a merged member's view is the kept member's.
    pub async fn member_view(&self, member_id: MemberId) -> Result<MemberView> {
        let member_id = crate::counter::merge::canonical(self.pool(), member_id).await?;
        let member = match self.member(member_id).await {
            Err(CoreError::MemberNotFound) => self
                .provisional(member_id)
                .await?
                .ok_or(CoreError::MemberNotFound)?,
            found => found?,
        };
        self.view_of(member).await
    }

    pub(crate) async fn view_of(&self, member: Member) -> Result<MemberView> {
        let mut views = self.views_of(vec![member]).await?;
        Ok(views.remove(0))
    }

    /// The common scan in one statement: a card of a member here, its member (through a
    /// merge), their card totals and the `cache_stamp` counters, with the programs and the
    /// chain keys from memory. `None` sends the scan down the full path, which says why it
    /// found nobody: an unknown, revoked or foreign card, keys or programs changed since they
    /// were kept, or nothing kept yet (the full path keeps them for the next scan).
    async fn quick_lookup(&self, decoded: &Decoded) -> Result<Option<MemberView>> {
        let (code, keys_used) = match decoded {
            Decoded::Code(code) => (code.clone(), None),
            Decoded::Token(readings) => {
                let Some((stamp, keys)) = self.memo().latest::<Vec<ChainKey>>() else {
                    return Ok(None);
                };
                match verify_readings(readings, &keys) {
                    Ok(code) => (code, Some(stamp)),
                    Err(_) => return Ok(None),
                }
            }
            Decoded::Coupon(_) | Decoded::Mistyped | Decoded::NotACode => return Ok(None),
        };
        let rows: Vec<QuickRow> = sqlx::query_as(
            "SELECT m.id, m.code, m.name, m.email, m.phone, m.language, m.created_at,
                    t.program_id, t.punches_total, t.redeemed_total,
                    s.programs AS programs_stamp, s.chain_keys AS chain_keys_stamp,
                    EXISTS (SELECT 1 FROM coupon k
                            WHERE k.member_id IN (SELECT m.id UNION ALL
                                                  SELECT a.alias_id FROM member_alias a
                                                  WHERE a.member_id = m.id)
                              AND k.withdrawn_at IS NULL) AS holds_coupons
             FROM member_card c
             JOIN member m ON m.id = coalesce(
                 (SELECT a.member_id FROM member_alias a WHERE a.alias_id = c.member_id),
                 c.member_id)
             JOIN cache_stamp s ON s.id = 1
             LEFT JOIN card t ON t.member_id = m.id
             WHERE c.code = ? AND c.revoked_at IS NULL",
        )
        .bind(code.as_str())
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if keys_used.is_some_and(|stamp| stamp != first.chain_keys_stamp) {
            return Ok(None);
        }
        let programs = self.programs_as_of(first.programs_stamp).await?;
        let totals: Vec<(ProgramId, i64, i64)> = rows
            .iter()
            .filter_map(|r| Some((r.program_id?, r.punches_total?, r.redeemed_total?)))
            .collect();
        let member = first.member.clone();
        let coupons = if first.holds_coupons {
            Coupons::Ask
        } else {
            Coupons::NoneGiven
        };
        // Taken only now: holding it while the programs are read would take a second one.
        let mut conn = self.pool().acquire().await?;
        let now = chrono::Utc::now();
        let view = view_with(&mut conn, &programs, member, &totals, coupons, now).await?;
        Ok(Some(view))
    }

    /// Each member with their cards (read once for all of them: search results and duplicate
    /// warnings show several members at a time).
    pub(crate) async fn views_of(&self, members: Vec<Member>) -> Result<Vec<MemberView>> {
        let programs = self.programs_as_of(self.stamps().await?.programs).await?;
        let now = chrono::Utc::now();
        let mut conn = self.pool().acquire().await?;
        let mut views = Vec::with_capacity(members.len());
        for member in members {
            let totals: Vec<(ProgramId, i64, i64)> = sqlx::query_as(
                "SELECT program_id, punches_total, redeemed_total FROM card WHERE member_id = ?",
            )
            .bind(member.id)
            .fetch_all(&mut *conn)
            .await?;
            views.push(view_with(&mut conn, &programs, member, &totals, Coupons::Ask, now).await?);
        }
        Ok(views)
    }

    /// [`Store::find_members`], each with their cards: the search results show the stamps.
    pub async fn find_member_views(&self, query: &str) -> Result<Vec<MemberView>> {
        // A merged member is found as the member they stand for, once.
        let mut members = Vec::new();
        for found in self.find_members(query).await? {
            let kept = crate::counter::merge::canonical(self.pool(), found.id).await?;
            let member = if kept == found.id {
                found
            } else {
                self.member(kept).await?
            };
            if !members
                .iter()
                .any(|m: &crate::people::members::Member| m.id == member.id)
            {
                members.push(member);
            }
        }
        self.views_of(members).await
    }
}
