//! Complaints (docs/decisions/0030-complaints.md): any staff member logs one in a few taps (the
//! member or nobody, a category, how bad, a note); the shop's rules propose a compensation (a
//! coupon) that they may give on the spot; the complaint has an owner and a time it is due by
//! until someone puts it right; and at the member's next visit (a later day) the till asks
//! "Was this put right?" and keeps the answer. Time to resolution is reported.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::codes::coupon_token::CouponKind;
use crate::counter::coupons::{CouponView, NewCoupon};
use crate::error::{CoreError, Result};
use crate::i18n::Messages;
use crate::ids::{ComplaintId, CouponId, MemberId, StaffId};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::shop::{Actor, Role, Shop};
use crate::store::Store;

/// What a complaint is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Category {
    /// What was sold: stale, wrong, badly made.
    Quality,
    /// How the member was served.
    Service,
    /// Waiting too long.
    Wait,
    /// The price or the bill.
    Price,
    Cleanliness,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Quality,
        Category::Service,
        Category::Wait,
        Category::Price,
        Category::Cleanliness,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Quality => "quality",
            Category::Service => "service",
            Category::Wait => "wait",
            Category::Price => "price",
            Category::Cleanliness => "cleanliness",
            Category::Other => "other",
        }
    }
}

/// How bad it is: it sets when the complaint is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    /// How long the shop has to put it right: the worse, the sooner.
    pub fn due_after(self) -> Duration {
        match self {
            Severity::Low => Duration::days(7),
            Severity::Medium => Duration::days(3),
            Severity::High => Duration::days(1),
        }
    }
}

/// What a staff member logs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewComplaint {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub member_id: Option<MemberId>,
    pub category: Category,
    pub severity: Severity,
    /// In the staff member's words ("croissant stale, second time this week").
    pub note: String,
}

/// The coupon a shop's rule gives for a category of complaint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Compensation {
    pub kind: CouponKind,
    pub value: i64,
    /// Message key of the coupon's words, said in the shop's language when it is given.
    pub text_key: String,
    /// How many days the coupon is good for.
    pub days: i64,
}

/// The rule: what each category of complaint is offered. A quality problem earns the item
/// again, a wait 10 % off, poor service a free item; a price or cleanliness problem is put
/// right otherwise (a refund at the till, a mop), so it proposes nothing.
pub fn compensation_for(category: Category) -> Option<Compensation> {
    let coupon = |kind, value, key: &str, days| Compensation {
        kind,
        value,
        text_key: key.to_string(),
        days,
    };
    match category {
        Category::Quality => Some(coupon(CouponKind::FreeItem, 1, "compensation-quality", 30)),
        Category::Service => Some(coupon(CouponKind::FreeItem, 1, "compensation-service", 30)),
        Category::Wait => Some(coupon(CouponKind::PercentOff, 10, "compensation-wait", 30)),
        Category::Price | Category::Cleanliness | Category::Other => None,
    }
}

/// The member's answer at their next visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum FollowUp {
    /// It was put right.
    Yes,
    No,
}

/// A complaint as the screens and the CLI show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Complaint {
    pub id: ComplaintId,
    pub member_id: Option<MemberId>,
    pub member_name: Option<String>,
    pub category: Category,
    pub severity: Severity,
    pub note: String,
    pub logged_by: StaffId,
    pub logged_by_name: Option<String>,
    pub logged_at: DateTime<Utc>,
    pub owner_id: StaffId,
    pub owner_name: Option<String>,
    pub due_at: DateTime<Utc>,
    /// The coupon given for it, if one was.
    pub coupon_id: Option<CouponId>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub follow_up: Option<FollowUp>,
    pub followed_up_at: Option<DateTime<Utc>>,
}

/// A complaint logged, and the coupon the shop's rule proposes for it (none for some
/// categories), which the staff member may give on the spot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Logged {
    pub id: ComplaintId,
    pub complaint: Complaint,
    pub proposed_coupon: Option<NewCoupon>,
}

/// Time to resolution and the members' answers, over the complaints logged in a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ComplaintFigures {
    /// The period's days, in the shop's time zone.
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub logged: i64,
    pub resolved: i64,
    pub open: i64,
    /// Open and past their due time.
    pub overdue: i64,
    /// Hours from logging to resolution: the median, and the slowest.
    pub median_hours_to_resolve: Option<f64>,
    pub max_hours_to_resolve: Option<f64>,
    /// Members asked at their next visit: how many said it was put right, how many not.
    pub put_right: i64,
    pub not_put_right: i64,
}

const COMPLAINT_COLUMNS: &str = "c.id, c.member_id, m.name AS member_name, c.category, \
     c.severity, c.note, c.logged_by, l.name AS logged_by_name, c.logged_at, c.owner_id, \
     o.name AS owner_name, c.due_at, c.coupon_id, c.resolved_at, c.resolution, c.follow_up, \
     c.followed_up_at";

const COMPLAINT_FROM: &str = "FROM complaint c
     LEFT JOIN member m ON m.id = c.member_id
     LEFT JOIN staff l ON l.id = c.logged_by
     LEFT JOIN staff o ON o.id = c.owner_id";

/// The compensation a rule proposes, as the coupon it would issue, in the shop's words.
fn proposal(shop: &Shop, complaint: &Complaint) -> Option<NewCoupon> {
    let rule = compensation_for(complaint.category)?;
    let messages = Messages::new(&shop.language);
    Some(NewCoupon {
        kind: rule.kind,
        value: rule.value,
        text: messages.format(&rule.text_key, &Default::default()),
        member_id: complaint.member_id,
        expires_on: Some(shop.today(Utc::now()) + Duration::days(rule.days)),
        only_here: false,
    })
}

impl Store {
    /// Any staff member: logs a complaint, which they own until someone puts it right, due
    /// by the time its severity allows. Returns it with the coupon the shop's rule proposes.
    pub async fn add_complaint(&self, actor: &Actor, new: &NewComplaint) -> Result<Logged> {
        actor.require(Permission::LogComplaints)?;
        let note = validate::text("note", &new.note, validate::TEXT_MAX)?;
        let shop = self.require_shop().await?;
        let member_id = match new.member_id {
            Some(id) => Some(
                self.member(crate::counter::merge::canonical(self.pool(), id).await?)
                    .await?
                    .id,
            ),
            None => None,
        };
        let id = ComplaintId::new();
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO complaint (id, shop_id, member_id, category, severity, note, logged_by,
                                    logged_at, owner_id, due_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(shop.id)
        .bind(member_id)
        .bind(new.category)
        .bind(new.severity)
        .bind(&note)
        .bind(actor.staff_id)
        .bind(now)
        .bind(actor.staff_id)
        .bind(now + new.severity.due_after())
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        let complaint = self.complaint(id).await?;
        Ok(Logged {
            id,
            proposed_coupon: proposal(&shop, &complaint),
            complaint,
        })
    }

    pub async fn complaint(&self, id: ComplaintId) -> Result<Complaint> {
        sqlx::query_as(&format!(
            "SELECT {COMPLAINT_COLUMNS} {COMPLAINT_FROM} WHERE c.id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::ComplaintNotFound)
    }

    /// The complaints still open, soonest due first; with `all`, every one, newest first.
    pub async fn complaints(&self, all: bool) -> Result<Vec<Complaint>> {
        let which = if all {
            "ORDER BY c.logged_at DESC LIMIT 500"
        } else {
            "WHERE c.resolved_at IS NULL ORDER BY c.due_at"
        };
        Ok(sqlx::query_as(&format!(
            "SELECT {COMPLAINT_COLUMNS} {COMPLAINT_FROM} {which}"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Any staff member: gives the coupon the shop's rule proposes for this complaint, once.
    /// (Any other coupon is a manager's to issue.)
    pub async fn compensate_complaint(&self, actor: &Actor, id: ComplaintId) -> Result<CouponView> {
        actor.require(Permission::LogComplaints)?;
        let complaint = self.complaint(id).await?;
        if complaint.coupon_id.is_some() {
            return Err(CoreError::ComplaintCompensated);
        }
        let shop = self.require_shop().await?;
        let coupon = proposal(&shop, &complaint).ok_or(CoreError::NoCompensation)?;
        let coupon = self.prepare_coupon(actor, &coupon).await?;
        // The coupon and its link to the complaint are one write: never a coupon given twice,
        // or given and forgotten.
        let mut tx = self.begin_write().await?;
        coupon.insert(&mut tx).await?;
        let linked =
            sqlx::query("UPDATE complaint SET coupon_id = ? WHERE id = ? AND coupon_id IS NULL")
                .bind(coupon.terms.id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if linked == 0 {
            return Err(CoreError::ComplaintCompensated);
        }
        self.commit(tx).await?;
        self.coupon(coupon.terms.id).await
    }

    /// Its owner or a manager: the complaint is put right, in their words. Done once.
    pub async fn resolve_complaint(
        &self,
        actor: &Actor,
        id: ComplaintId,
        resolution: &str,
    ) -> Result<Complaint> {
        actor.require(Permission::LogComplaints)?;
        let resolution = validate::text("note", resolution, validate::TEXT_MAX)?;
        let complaint = self.complaint(id).await?;
        if complaint.owner_id != actor.staff_id && actor.role != Role::Manager {
            return Err(CoreError::ManagerOnly);
        }
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE complaint SET resolved_at = ?, resolved_by = ?, resolution = ?
             WHERE id = ? AND resolved_at IS NULL",
        )
        .bind(Utc::now())
        .bind(actor.staff_id)
        .bind(&resolution)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(CoreError::ComplaintResolved);
        }
        self.commit(tx).await?;
        self.complaint(id).await
    }

    /// The complaint to ask this member about now, if any: the oldest of theirs not asked
    /// about yet that was logged on an earlier day than today (in the shop's time zone), so
    /// the question comes at their next visit, not while they are still at the counter.
    pub async fn follow_up_due(&self, member_id: MemberId) -> Result<Option<Complaint>> {
        let member_id = crate::counter::merge::canonical(self.pool(), member_id).await?;
        let shop = self.require_shop().await?;
        let clock = crate::reports::clock::ReportClock::zone(shop.time_zone.as_deref());
        let today_starts = clock.start_of(shop.today(Utc::now()));
        Ok(sqlx::query_as(&format!(
            "SELECT {COMPLAINT_COLUMNS} {COMPLAINT_FROM}
             WHERE c.member_id IN (SELECT ?1 UNION ALL
                                   SELECT alias_id FROM member_alias WHERE member_id = ?1)
               AND c.follow_up IS NULL AND c.logged_at < ?2 AND m.erased_at IS NULL
             ORDER BY c.logged_at LIMIT 1"
        ))
        .bind(member_id)
        .bind(today_starts)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Any staff member: the member's answer to "Was this put right?", once.
    pub async fn answer_follow_up(
        &self,
        actor: &Actor,
        id: ComplaintId,
        answer: FollowUp,
    ) -> Result<Complaint> {
        actor.require(Permission::LogComplaints)?;
        self.complaint(id).await?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE complaint SET follow_up = ?, followed_up_at = ?, followed_up_by = ?
             WHERE id = ? AND follow_up IS NULL",
        )
        .bind(answer)
        .bind(Utc::now())
        .bind(actor.staff_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(CoreError::FollowUpAnswered);
        }
        self.commit(tx).await?;
        self.complaint(id).await
    }

    /// Managers: the complaints logged in the period's days (the shop's time zone): how many,
    /// how fast they were put right, what members said at their next visit.
    pub async fn complaint_figures(
        &self,
        actor: &Actor,
        period: crate::reports::Period,
    ) -> Result<ComplaintFigures> {
        actor.require(Permission::ReadReports)?;
        let clock = crate::reports::clock::ReportClock::of(self).await?;
        let from = clock.start_of(period.from);
        let to = clock.start_of(period.to + Duration::days(1));
        #[derive(sqlx::FromRow)]
        struct Row {
            logged_at: DateTime<Utc>,
            due_at: DateTime<Utc>,
            resolved_at: Option<DateTime<Utc>>,
            follow_up: Option<FollowUp>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT logged_at, due_at, resolved_at, follow_up FROM complaint
             WHERE logged_at >= ? AND logged_at < ?",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let now = Utc::now();
        let mut hours: Vec<f64> = rows
            .iter()
            .filter_map(|r| {
                r.resolved_at
                    .map(|done| (done - r.logged_at).num_seconds() as f64 / 3600.0)
            })
            .collect();
        hours.sort_by(f64::total_cmp);
        let median = match hours.len() {
            0 => None,
            n if n % 2 == 1 => Some(hours[n / 2]),
            n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
        };
        let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as i64;
        Ok(ComplaintFigures {
            from: period.from,
            to: period.to,
            logged: rows.len() as i64,
            resolved: hours.len() as i64,
            open: count(&|r| r.resolved_at.is_none()),
            overdue: count(&|r| r.resolved_at.is_none() && r.due_at < now),
            median_hours_to_resolve: median,
            max_hours_to_resolve: hours.last().copied(),
            put_right: count(&|r| r.follow_up == Some(FollowUp::Yes)),
            not_put_right: count(&|r| r.follow_up == Some(FollowUp::No)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worse_a_complaint_the_sooner_it_is_due() {
        assert!(Severity::High.due_after() < Severity::Medium.due_after());
        assert!(Severity::Medium.due_after() < Severity::Low.due_after());
    }

    #[test]
    fn every_proposed_coupon_has_its_words_in_every_language() {
        for category in Category::ALL {
            let Some(rule) = compensation_for(category) else {
                continue;
            };
            for language in crate::input::validate::LANGUAGES {
                let words = Messages::new(language).format(&rule.text_key, &Default::default());
                assert_ne!(words, rule.text_key, "{language}: {category:?}");
            }
        }
    }
}
