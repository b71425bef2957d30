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

/// A shop's rule: the coupon the till proposes for a category of complaint. A category
/// without a rule proposes nothing (it is put right otherwise: a refund, a mop).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(deny_unknown_fields)]
pub struct CompensationRule {
    pub category: Category,
    pub kind: CouponKind,
    pub value: i64,
    /// The coupon's words, as the manager wrote them; none: the till's own words for the
    /// category, in the shop's language when the coupon is given.
    pub text: Option<String>,
    /// How many days the coupon is good for.
    pub days: i64,
}

/// The longest a compensation coupon can be good for: a year.
pub const MAX_COMPENSATION_DAYS: i64 = 365;

/// The rules a shop starts with: a quality problem earns the item again, poor service a free
/// coffee, a wait 10 % off; a price, cleanliness or other problem proposes nothing.
pub fn default_rules() -> Vec<CompensationRule> {
    let rule = |category, kind, value| CompensationRule {
        category,
        kind,
        value,
        text: None,
        days: 30,
    };
    vec![
        rule(Category::Quality, CouponKind::FreeItem, 1),
        rule(Category::Service, CouponKind::FreeItem, 1),
        rule(Category::Wait, CouponKind::PercentOff, 10),
    ]
}

/// The till's own words for a compensation coupon of `category` (a Fluent key).
pub fn words_key(category: Category) -> &'static str {
    match category {
        Category::Quality => "compensation-quality",
        Category::Service => "compensation-service",
        Category::Wait => "compensation-wait",
        Category::Price | Category::Cleanliness | Category::Other => "compensation-apology",
    }
}

/// The rules checked: a coupon value its kind allows, 1 to 365 days, words a coupon may
/// carry, one rule per category at most. Returned in the categories' order.
pub fn checked_rules(rules: &[CompensationRule]) -> Result<Vec<CompensationRule>> {
    let mut checked: Vec<CompensationRule> = Vec::with_capacity(rules.len());
    for rule in rules {
        if checked.iter().any(|r| r.category == rule.category) {
            return Err(CoreError::CompensationRuleTwice {
                category: rule.category.as_str().to_string(),
            });
        }
        let value = crate::counter::coupons::checked_value(rule.kind, rule.value)?;
        if !(1..=MAX_COMPENSATION_DAYS).contains(&rule.days) {
            return Err(CoreError::InvalidNumber {
                field: "days",
                min: 1,
                max: MAX_COMPENSATION_DAYS,
            });
        }
        let text = match rule.text.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(validate::text("text", text, validate::TEXT_MAX)?),
        };
        checked.push(CompensationRule {
            text,
            value,
            ..rule.clone()
        });
    }
    checked.sort_by_key(|r| Category::ALL.iter().position(|c| *c == r.category));
    Ok(checked)
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

/// The compensation the shop's rule proposes, as the coupon it would issue, in the shop's words.
fn proposal(shop: &Shop, rules: &[CompensationRule], complaint: &Complaint) -> Option<NewCoupon> {
    let rule = rules.iter().find(|r| r.category == complaint.category)?;
    let text = match &rule.text {
        Some(text) => text.clone(),
        None => Messages::new(&shop.language).format(words_key(rule.category), &Default::default()),
    };
    Some(NewCoupon {
        kind: rule.kind,
        value: rule.value,
        text,
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
        let rules = self.compensation_rules().await?;
        Ok(Logged {
            id,
            proposed_coupon: proposal(&shop, &rules, &complaint),
            complaint,
        })
    }

    /// The shop's compensation rules (the built-in ones until a manager sets its own).
    pub async fn compensation_rules(&self) -> Result<Vec<CompensationRule>> {
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT compensation_rules FROM shop WHERE id = (SELECT shop_id FROM device)",
        )
        .fetch_optional(self.pool())
        .await?
        .flatten();
        match stored {
            None => Ok(default_rules()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| CoreError::internal("compensation rules", e)),
        }
    }

    /// Managers only: the shop's own compensation rules, each checked; audited, and they sync
    /// to every till of the shop.
    pub async fn set_compensation_rules(
        &self,
        actor: &Actor,
        rules: &[CompensationRule],
    ) -> Result<Vec<CompensationRule>> {
        actor.require(Permission::ManageSettings)?;
        let rules = checked_rules(rules)?;
        let json = serde_json::to_string(&rules)
            .map_err(|e| CoreError::internal("compensation rules", e))?;
        let shop = self.require_shop().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE shop SET compensation_rules = ? WHERE id = ?")
            .bind(&json)
            .bind(shop.id)
            .execute(&mut *tx)
            .await?;
        let detail = rules
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}d",
                    r.category.as_str(),
                    <&str>::from(r.kind),
                    r.value,
                    r.days
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        crate::audit::record(
            &mut tx,
            Some(actor.staff_id),
            crate::audit::AuditKind::SettingsChanged,
            None,
            Some(&format!("compensation: {detail}")),
        )
        .await?;
        self.commit(tx).await?;
        Ok(rules)
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
        let rules = self.compensation_rules().await?;
        let coupon = proposal(&shop, &rules, &complaint).ok_or(CoreError::NoCompensation)?;
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
    fn every_category_has_the_till_s_own_words_in_every_language() {
        for category in Category::ALL {
            let key = words_key(category);
            for language in crate::input::validate::LANGUAGES {
                let words = Messages::new(language).format(key, &Default::default());
                assert_ne!(words, key, "{language}: {category:?}");
            }
        }
    }

    #[test]
    fn rules_out_of_range_or_twice_for_a_category_are_refused() {
        let rule = |category, kind, value, days| CompensationRule {
            category,
            kind,
            value,
            text: Some("  Un croissant  ".into()),
            days,
        };
        let code = |rules: &[CompensationRule]| checked_rules(rules).unwrap_err().code();
        assert_eq!(
            code(&[rule(Category::Wait, CouponKind::PercentOff, 101, 30)]),
            "invalid_number"
        );
        assert_eq!(
            code(&[rule(Category::Wait, CouponKind::FreeItem, 1, 0)]),
            "invalid_number"
        );
        assert_eq!(
            code(&[
                rule(Category::Price, CouponKind::AmountOff, 200, 30),
                rule(Category::Price, CouponKind::FreeItem, 1, 30),
            ]),
            "compensation_rule_twice"
        );
        // Kept in the categories' order, the words trimmed.
        let kept = checked_rules(&[
            rule(Category::Other, CouponKind::AmountOff, 250, 365),
            rule(Category::Quality, CouponKind::FreeItem, 2, 1),
        ])
        .unwrap();
        assert_eq!(kept[0].category, Category::Quality);
        assert_eq!(kept[1].text.as_deref(), Some("Un croissant"));
    }
}
