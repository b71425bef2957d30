//! What happens at the counter: scan, punch, redeem, and undo (a compensating `void`).
//! Each action is one IMMEDIATE transaction: the event and the card totals are written together,
//! so an action acknowledged on screen is on disk (synchronous=FULL) and balances never drift.

use chrono::{DateTime, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use crate::auth::Permission;
use crate::card::{self, CardTotals, CardView};
use crate::error::{CoreError, Result};
use crate::ledger::{self, Event, EventKind, NewEvent, VoidReason};
use crate::members::Member;
use crate::programs::Program;
use crate::scan::{self, Decoded};
use crate::shop::Actor;
use crate::store::{Store, WriteTx};
use crate::validate;

/// A member with each of their cards in the shop's active programs (default program first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberView {
    pub member: Member,
    pub cards: Vec<CardView>,
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
}

impl ScanOutcome {
    /// Why this scan finds nobody, as a person is told it: the one mapping from a scan's
    /// outcome to a message, used by the till, the scanner test screen and the CLI.
    pub fn refusal(&self) -> Option<CoreError> {
        Some(match self {
            ScanOutcome::Member(_) => return None,
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
        })
    }

    pub fn into_result(self) -> Result<MemberView> {
        match self.refusal() {
            Some(refusal) => Err(refusal),
            None => match self {
                ScanOutcome::Member(view) => Ok(view),
                _ => unreachable!("only a member has no refusal"),
            },
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

/// The outcome of punch, redeem or void: the event written and the card as it now stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ActionResult {
    pub event: Event,
    pub card: CardView,
    /// How many rewards this action earned (a punch that fills the card): the screen celebrates.
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
    pub member_name: String,
    pub program_name: Option<String>,
}

impl Store {
    /// Everything a scanner or a person types goes through here. `key_codes` are the physical
    /// keys of a scan when the UI knows them (`KeyboardEvent.code`), else empty.
    pub async fn lookup(&self, input: &str, key_codes: &[String]) -> Result<ScanOutcome> {
        let code = match scan::decode(input, key_codes) {
            Decoded::Code(code) => code,
            Decoded::Token(readings) => match self.verify_token(&readings).await {
                Ok(code) => code,
                Err(CoreError::ForgedCard) => return Ok(ScanOutcome::ForgedCard),
                Err(CoreError::UnknownCardKey) => return Ok(ScanOutcome::UnknownCardKey),
                Err(CoreError::TruncatedCard) => return Ok(ScanOutcome::TruncatedCard),
                Err(other) => return Err(other),
            },
            Decoded::Mistyped => return Ok(ScanOutcome::MistypedCode),
            Decoded::NotACode => return Ok(ScanOutcome::NotACode),
        };
        match self.card_record(&code).await? {
            // A till with no shop yet knows no card: that is what to say, not "unknown card".
            None if self.shop().await?.is_none() => Err(CoreError::ShopNotSetUp),
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

    pub async fn member_view(&self, member_id: Uuid) -> Result<MemberView> {
        let member = self.member(member_id).await?;
        self.view_of(member).await
    }

    pub(crate) async fn view_of(&self, member: Member) -> Result<MemberView> {
        let totals: Vec<(Uuid, i64, i64)> = sqlx::query_as(
            "SELECT program_id, punches_total, redeemed_total FROM card WHERE member_id = ?",
        )
        .bind(member.id)
        .fetch_all(self.pool())
        .await?;
        let cards = self
            .programs()
            .await?
            .iter()
            .filter(|p| p.active)
            .map(|program| {
                let card = totals
                    .iter()
                    .find(|(id, _, _)| *id == program.id)
                    .map(|&(_, punches_total, redeemed_total)| CardTotals {
                        punches_total,
                        redeemed_total,
                    })
                    .unwrap_or_default();
                CardView::new(program, card)
            })
            .collect();
        Ok(MemberView { member, cards })
    }

    pub async fn punch(
        &self,
        actor: &Actor,
        member_id: Uuid,
        program_id: Option<Uuid>,
        count: i64,
    ) -> Result<ActionResult> {
        actor.require(Permission::Punch)?;
        let count = validate::count(count)?;
        let program = self.resolve_program(program_id).await?;
        self.member(member_id).await?;
        let mut tx = self.begin_write().await?;
        let result = punch_in(&mut tx, actor, &program, member_id, count).await?;
        self.commit(tx).await?;
        Ok(result)
    }

    pub async fn redeem(
        &self,
        actor: &Actor,
        member_id: Uuid,
        program_id: Option<Uuid>,
    ) -> Result<ActionResult> {
        actor.require(Permission::Redeem)?;
        let program = self.resolve_program(program_id).await?;
        self.member(member_id).await?;
        let mut tx = self.begin_write().await?;
        let before = card::totals(&mut tx, member_id, program.id).await?;
        if before.rewards_available(program.punches_needed) < 1 {
            return Err(CoreError::NothingToRedeem);
        }
        let redemption = NewEvent {
            kind: EventKind::Redeem,
            member_id,
            program_id: Some(program.id),
            amount: 1,
            voids: None,
            reason: None,
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
        event_id: Uuid,
        reason: &VoidReason,
    ) -> Result<ActionResult> {
        actor.require(Permission::Void)?;
        self.cancel(actor, event_id, reason).await
    }

    /// The compensating event itself, once the caller's permission is checked.
    async fn cancel(
        &self,
        actor: &Actor,
        event_id: Uuid,
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
        let already: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM event WHERE voids = ?)")
                .bind(event_id)
                .fetch_one(&mut *tx)
                .await?;
        if already {
            return Err(CoreError::AlreadyVoided);
        }
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
               AND e.kind IN ('punch', 'redeem')
               AND NOT EXISTS (SELECT 1 FROM event v WHERE v.voids = e.id)
             ORDER BY e.seq DESC LIMIT 1",
            ledger::EVENT_COLUMNS
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
        let member_name = self.member(last.member_id).await?.name;
        let program_name = match last.program_id {
            Some(id) => Some(self.program(id).await?.name),
            None => None,
        };
        Ok(UndoCandidate {
            event: last,
            member_name,
            program_name,
        })
    }

    /// Undoes exactly the event the dialog showed; refuses if it is no longer the last one.
    pub async fn undo(
        &self,
        actor: &Actor,
        session_start: DateTime<Utc>,
        event_id: Uuid,
        reason: &VoidReason,
    ) -> Result<ActionResult> {
        let last = self.last_undoable(actor, session_start).await?;
        if last.event.id != event_id {
            return Err(CoreError::NothingToUndo);
        }
        self.cancel(actor, event_id, reason).await
    }
}

/// A punch inside the caller's write transaction (a counter punch, or enrolment's first stamp).
pub(crate) async fn punch_in(
    tx: &mut WriteTx,
    actor: &Actor,
    program: &Program,
    member_id: Uuid,
    count: i64,
) -> Result<ActionResult> {
    let punch = NewEvent {
        kind: EventKind::Punch,
        member_id,
        program_id: Some(program.id),
        amount: count,
        voids: None,
        reason: None,
    };
    record(tx, actor, program, punch).await
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
    let (before, after) = card::apply(tx, &event).await?.ok_or_else(|| {
        CoreError::internal("card projection", "a counter action changed no card")
    })?;
    Ok(result(event, program, before, after))
}

fn result(event: Event, program: &Program, before: CardTotals, after: CardTotals) -> ActionResult {
    let needed = program.punches_needed;
    ActionResult {
        event,
        card: CardView::new(program, after),
        rewards_earned_now: (after.rewards_earned(needed) - before.rewards_earned(needed)).max(0),
    }
}
