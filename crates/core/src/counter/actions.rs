//! What happens at the counter: scan, punch, redeem, and undo (a compensating `void`).
//! Each action is one IMMEDIATE transaction: the event and the card totals are written together,
//! so an action acknowledged on screen is on disk (synchronous=FULL) and balances never drift.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::counter::card::{self, CardTotals, CardView};
use crate::counter::programs::{Program, ProgramKind};
use crate::error::{CoreError, Result};
use crate::ids::{EventId, MemberId, ProgramId};
use crate::input::validate;
use crate::ledger::{self, Event, EventKind, NewEvent, VoidReason};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

/// What the counter asks a punch to be. A stamps program takes `count` (1 if absent); a
/// points program takes `spent`, the amount spent as the cashier typed it (`12,50`).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Punch {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub program_id: Option<ProgramId>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub count: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub spent: Option<String>,
    /// Why this punch comes sooner than the program's minimum time between punches.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub override_reason: Option<String>,
}

/// The outcome of punch, redeem or void: the event written and the card as it now stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ActionResult {
    pub event: Event,
    pub card: CardView,
    /// How many rewards this action earned (a punch that fills the card; in a points program,
    /// the rewards the balance reached): the screen celebrates.
    pub rewards_earned_now: i64,
}

/// How far back a cashier's Undo reaches: their own actions of the last few minutes, in this
/// session on this till. Older corrections are a manager's void, with the audit trail.
pub const UNDO_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// What Undo would cancel, with the names the dialog shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct UndoCandidate {
    pub event: Event,
    /// Empty for a voucher used by nobody in particular.
    pub member_name: String,
    pub program_name: Option<String>,
    /// A coupon's use: what the coupon says.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub coupon_text: Option<String>,
}

/// Whom an action's member id stands for, read with the programs' cache stamp.
struct Acting {
    member_id: MemberId,
    /// A member here, or a card from another shop noted at its scan.
    known: bool,
    /// `cache_stamp.programs` as the statement read it.
    programs_stamp: i64,
}

impl Acting {
    fn member(&self) -> Result<MemberId> {
        if self.known {
            Ok(self.member_id)
        } else {
            Err(CoreError::MemberNotFound)
        }
    }
}

impl Store {
    /// The member an action is for: the member `member_id` stands for (after a merge), which
    /// must be known here, as a member or as a card from another shop noted at its scan
    /// ([`Acting::member`]). Read with the programs' cache stamp in one statement (issue 12:
    /// fewer round trips per punch): the action's program then comes from memory.
    async fn acting(&self, member_id: MemberId) -> Result<Acting> {
        let (member_id, known, programs_stamp): (MemberId, bool, i64) = sqlx::query_as(
            "SELECT k.id, EXISTS (SELECT 1 FROM member m WHERE m.id = k.id)
                          OR EXISTS (SELECT 1 FROM provisional_card p WHERE p.member_id = k.id),
                    (SELECT programs FROM cache_stamp WHERE id = 1)
             FROM (SELECT coalesce((SELECT member_id FROM member_alias WHERE alias_id = ?1),
                                   ?1) AS id) k",
        )
        .bind(member_id)
        .fetch_one(self.pool())
        .await?;
        Ok(Acting {
            member_id,
            known,
            programs_stamp,
        })
    }

    /// Stamps `count` on the member's card in the program named, or the shop's only active
    /// one (a stamps program, outside any minimum time between punches).
    pub async fn punch(
        &self,
        actor: &Actor,
        member_id: MemberId,
        program_id: Option<ProgramId>,
        count: i64,
    ) -> Result<ActionResult> {
        let punch = Punch {
            program_id,
            count: Some(count),
            ..Punch::default()
        };
        self.punch_with(actor, member_id, &punch).await
    }

    /// A punch as the counter asks for it: stamps, or points for an amount spent, and a
    /// reason when it comes sooner than the program's minimum time (kept on the event, and
    /// shown in the audit trail as an override).
    pub async fn punch_with(
        &self,
        actor: &Actor,
        member_id: MemberId,
        punch: &Punch,
    ) -> Result<ActionResult> {
        actor.require(Permission::Punch)?;
        let acting = self.acting(member_id).await?;
        let program = self
            .program_to_punch(acting.programs_stamp, punch.program_id)
            .await?;
        let amount = match program.kind {
            ProgramKind::Stamps => validate::count(punch.count.unwrap_or(1))?,
            ProgramKind::Points => {
                let spent = punch.spent.as_deref().ok_or(CoreError::AmountRequired)?;
                program.points_for(crate::input::money::cents(spent)?)?
            }
        };
        let reason = punch
            .override_reason
            .as_deref()
            .map(|words| validate::text("reason", words, validate::TEXT_MAX))
            .transpose()
            .map_err(|e| match e {
                CoreError::Empty { .. } => CoreError::ReasonRequired,
                other => other,
            })?;
        let member_id = acting.member()?;
        let mut tx = self.begin_write().await?;
        let too_soon = too_soon(&mut tx, &program, member_id).await?;
        let note = match (too_soon, reason) {
            (Some(minutes), None) => return Err(CoreError::PunchTooSoon { minutes }),
            // A reason given when none was needed is not an override: not kept.
            (None, _) => None,
            (Some(_), reason) => reason,
        };
        let result = punch_in(&mut tx, actor, &program, member_id, amount, note).await?;
        self.commit(tx).await?;
        Ok(result)
    }

    /// Gives one reward: a stamps program's, or for a points program the tier costing
    /// `tier_points`. Rewards earned on a paused or retired program are still given.
    pub async fn redeem(
        &self,
        actor: &Actor,
        member_id: MemberId,
        program_id: Option<ProgramId>,
    ) -> Result<ActionResult> {
        self.redeem_tier(actor, member_id, program_id, None).await
    }

    pub async fn redeem_tier(
        &self,
        actor: &Actor,
        member_id: MemberId,
        program_id: Option<ProgramId>,
        tier_points: Option<i64>,
    ) -> Result<ActionResult> {
        actor.require(Permission::Redeem)?;
        let acting = self.acting(member_id).await?;
        let program = self
            .program_to_redeem_as_of(acting.programs_stamp, program_id)
            .await?;
        let amount = match program.kind {
            ProgramKind::Stamps => 1,
            ProgramKind::Points => program.tier(tier_points)?.points,
        };
        let member_id = acting.member()?;
        let mut tx = self.begin_write().await?;
        let before = card::totals(&mut tx, member_id, program.id).await?;
        let card = CardView::read(&mut tx, &program, member_id, before, Utc::now()).await?;
        if card.rewards_available < amount {
            return Err(CoreError::NothingToRedeem);
        }
        let redemption = NewEvent {
            kind: EventKind::Redeem,
            member_id,
            program_id: Some(program.id),
            amount,
            voids: None,
            reason: None,
            other_member: None,
            note: None,
            coupon_id: None,
        };
        let result = record(&mut tx, actor, &program, redemption).await?;
        self.commit(tx).await?;
        Ok(result)
    }

    /// Cancels a punch or a redemption with a compensating `void` event; nothing is deleted.
    /// Voiding a punch whose reward was already redeemed is refused: the member has had the
    /// reward, so taking the stamps back would leave the card owing one (see docs/decisions).
    /// Managers only: any punch or redemption, anyone's, of any age (cashiers undo their own
    /// recent ones with [`Store::undo`]).
    pub async fn void(
        &self,
        actor: &Actor,
        event_id: EventId,
        reason: &VoidReason,
    ) -> Result<ActionResult> {
        actor.require(Permission::Void)?;
        self.cancel(actor, event_id, reason).await
    }

    /// The compensating event itself, once the caller's permission is checked.
    async fn cancel(
        &self,
        actor: &Actor,
        event_id: EventId,
        reason: &VoidReason,
    ) -> Result<ActionResult> {
        let reason = reason.validated()?;
        let target = self.event(event_id).await?;
        let program_id = match (target.kind, target.program_id) {
            (EventKind::Punch | EventKind::Redeem, Some(program_id)) => program_id,
            _ => return Err(CoreError::NotVoidable),
        };
        let program = self.program(program_id).await?;
        let mut tx = self.begin_write().await?;
        refuse_if_cancelled(&mut tx, event_id).await?;
        let before = card::totals(&mut tx, target.member_id, program.id).await?;
        let taken = card::contribution(&card::Fact::from(&target)).unwrap_or_default();
        let would_be = CardTotals {
            punches_total: before.punches_total - taken.punches_total,
            redeemed_total: before.redeemed_total - taken.redeemed_total,
        };
        if would_be.rewards_available(program.punches_needed) < 0 {
            return Err(CoreError::RewardAlreadyRedeemed);
        }
        let void = NewEvent {
            kind: EventKind::Void,
            member_id: target.member_id,
            program_id: Some(program.id),
            amount: target.amount,
            voids: Some(target.id),
            reason: Some(reason),
            other_member: None,
            note: None,
            coupon_id: None,
        };
        let result = record(&mut tx, actor, &program, void).await?;
        self.commit(tx).await?;
        Ok(result)
    }

    /// The last punch or redemption this staff member made on this till, in this session
    /// (`session_start`: when they signed in) and within [`UNDO_WINDOW`], that is not voided
    /// yet: what the cashier's Undo key cancels, described for the confirmation dialog.
    pub async fn last_undoable(
        &self,
        actor: &Actor,
        session_start: DateTime<Utc>,
    ) -> Result<UndoCandidate> {
        actor.require(Permission::UndoOwnRecent)?;
        let last: Event = sqlx::query_as(&format!(
            "SELECT {} FROM event e
             WHERE e.staff_id = ? AND e.device_id = (SELECT id FROM device)
               AND e.kind_code IN (2, 3, 8)
               AND NOT EXISTS (SELECT 1 FROM ledger v WHERE v.voids = e.id AND v.kind IN {})
             ORDER BY e.seq DESC LIMIT 1",
            ledger::EVENT_COLUMNS,
            ledger::CANCELLING_KINDS
        ))
        .bind(actor.staff_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::NothingToUndo)?;
        // Sequence order is time order on one till: if the newest undoable action is out of
        // reach, every older one is too.
        let reach = session_start.max(Utc::now() - UNDO_WINDOW);
        if last.at < reach {
            return Err(CoreError::NothingToUndo);
        }
        // A voucher nobody in particular was given is used by no member (the nil id).
        let member_name = if last.member_id == MemberId::nil() {
            String::new()
        } else {
            self.member(last.member_id).await?.name
        };
        let program_name = match last.program_id {
            Some(id) => Some(self.program(id).await?.name),
            None => None,
        };
        let coupon_text = match last.coupon_id {
            Some(id) => self.coupon(id).await?.text,
            None => None,
        };
        Ok(UndoCandidate {
            event: last,
            member_name,
            program_name,
            coupon_text,
        })
    }

    /// Undoes the coupon use the dialog showed (the cashier's own, of the last few minutes): a
    /// `void` naming it, carrying its coupon, so the coupon is good again on every till once it
    /// has synced. Refused if that use is no longer the cashier's last undoable action.
    pub async fn undo_coupon_use(
        &self,
        actor: &Actor,
        session_start: DateTime<Utc>,
        event_id: EventId,
        reason: &VoidReason,
    ) -> Result<crate::counter::coupons::CouponUse> {
        let last = self.last_undoable(actor, session_start).await?;
        let coupon_id = match (last.event.id == event_id, last.event.coupon_id) {
            (true, Some(coupon_id)) if last.event.kind == EventKind::CouponRedeem => coupon_id,
            _ => return Err(CoreError::NothingToUndo),
        };
        let reason = reason.validated()?;
        let mut tx = self.begin_write().await?;
        refuse_if_cancelled(&mut tx, event_id).await?;
        let event = ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: EventKind::Void,
                member_id: last.event.member_id,
                program_id: None,
                amount: last.event.amount,
                voids: Some(event_id),
                reason: Some(reason),
                other_member: None,
                note: None,
                coupon_id: Some(coupon_id),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(crate::counter::coupons::CouponUse {
            event,
            coupon: self.coupon(coupon_id).await?,
        })
    }

    /// Undoes exactly the event the dialog showed; refuses if it is no longer the last one.
    pub async fn undo(
        &self,
        actor: &Actor,
        session_start: DateTime<Utc>,
        event_id: EventId,
        reason: &VoidReason,
    ) -> Result<ActionResult> {
        let last = self.last_undoable(actor, session_start).await?;
        if last.event.id != event_id {
            return Err(CoreError::NothingToUndo);
        }
        self.cancel(actor, event_id, reason).await
    }
}

/// `already_voided` if a void or a settlement cancels `event_id` already (read inside the
/// writing transaction, so two undos cannot both pass).
async fn refuse_if_cancelled(tx: &mut WriteTx, event_id: EventId) -> Result<()> {
    let already: bool = sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM ledger WHERE voids = ? AND kind IN {})",
        ledger::CANCELLING_KINDS
    ))
    .bind(event_id)
    .fetch_one(&mut **tx)
    .await?;
    if already {
        return Err(CoreError::AlreadyVoided);
    }
    Ok(())
}

/// A punch inside the caller's write transaction (a counter punch, or enrolment's first
/// stamp). `note`: why it came sooner than the program's minimum time.
pub(crate) async fn punch_in(
    tx: &mut WriteTx,
    actor: &Actor,
    program: &Program,
    member_id: MemberId,
    amount: i64,
    note: Option<String>,
) -> Result<ActionResult> {
    let punch = NewEvent {
        kind: EventKind::Punch,
        member_id,
        program_id: Some(program.id),
        amount,
        voids: None,
        reason: None,
        other_member: None,
        note,
        coupon_id: None,
    };
    record(tx, actor, program, punch).await
}

/// The program's minimum time, when the member's last standing punch in it is more recent
/// than that (this till's knowledge: a punch in another shop counts once it has synced).
async fn too_soon(tx: &mut WriteTx, program: &Program, member_id: MemberId) -> Result<Option<i64>> {
    let Some(minutes) = program.min_gap_minutes else {
        return Ok(None);
    };
    let since = Utc::now() - chrono::Duration::minutes(minutes);
    let recent: bool = sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM ledger e
                        WHERE e.member = (SELECT n FROM short_id WHERE id = ?)
                          AND e.at > ?
                          AND e.program = (SELECT n FROM short_id WHERE id = ?)
                          AND e.kind = 2
                          AND NOT EXISTS (SELECT 1 FROM ledger v
                                          WHERE v.voids = e.id AND v.kind IN {}))",
        ledger::CANCELLING_KINDS
    ))
    .bind(member_id)
    .bind(ledger::stored_at(since)?)
    .bind(program.id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(recent.then_some(minutes))
}

/// The common end of every counter action: append the event and apply it to the card through
/// the one projection rule (`card::apply`), in the action's one transaction (the caller
/// commits it through `Store::commit`).
async fn record(
    tx: &mut WriteTx,
    actor: &Actor,
    program: &Program,
    new: NewEvent,
) -> Result<ActionResult> {
    let event = ledger::append(tx, actor.staff_id, new).await?;
    let (before, after) = card::apply(tx, &event, card::Arrival::JustMade)
        .await?
        .ok_or_else(|| {
            CoreError::internal("card projection", "a counter action changed no card")
        })?;
    let needed = program.punches_needed;
    let rewards_earned_now = match program.kind {
        ProgramKind::Stamps => {
            (after.rewards_earned(needed) - before.rewards_earned(needed)).max(0)
        }
        // Points: the rewards the balance reached with this punch.
        ProgramKind::Points => {
            let (was, is) = (before.rewards_available(1), after.rewards_available(1));
            program
                .tiers
                .iter()
                .filter(|tier| was < tier.points && tier.points <= is)
                .count() as i64
        }
    };
    let card = CardView::read(tx, program, event.member_id, after, event.at).await?;
    Ok(ActionResult {
        event,
        card,
        rewards_earned_now,
    })
}
