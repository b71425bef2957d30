//! What punch, redeem and void answer: one shape, the app's `ActionResult`, so a script reads
//! `event.id`, `card` and `rewards_earned_now` the same way whichever it ran.

use serde::Serialize;
use tessera_core::counter::actions::ActionResult;
use tessera_core::counter::programs::ProgramKind;
use tessera_core::ledger::EventKind;

use crate::output::{shown, Render, Text};

/// `{"event": {...}, "card": {...}, "rewards_earned_now": n}`: the one event written (a void's
/// own event, whose `voids` names the event it cancels), the card as it now stands, and the
/// rewards this action completed (0 but for a punch that fills the card).
#[derive(Serialize)]
#[serde(transparent)]
pub struct ActionOutput(pub ActionResult);

impl Render for ActionOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let ActionResult {
            event,
            card,
            rewards_earned_now,
        } = &self.0;
        let line = match event.kind {
            EventKind::Void => {
                return vec![t.t("cli-voided", &[("reason", t.reason(event))])];
            }
            EventKind::Forgive => t.t("event-forgive", &[("reason", t.reason(event))]),
            EventKind::ChargeBack => t.t("event-charge-back", &[("reason", t.reason(event))]),
            EventKind::Redeem => t.t(
                "feedback-redeemed",
                &[("reward", shown(card.reward_of(event)))],
            ),
            _ if card.kind == ProgramKind::Points => t.t(
                "feedback-points",
                &[
                    ("program", shown(&card.program_name)),
                    ("points", event.amount.to_string()),
                    ("balance", card.rewards_available.to_string()),
                ],
            ),
            _ if *rewards_earned_now > 0 => {
                t.t("feedback-reward-earned", &[("reward", shown(&card.reward))])
            }
            _ => t.t(
                "feedback-punched",
                &[
                    ("program", shown(&card.program_name)),
                    ("punches", card.punches.to_string()),
                    ("needed", card.punches_needed.to_string()),
                ],
            ),
        };
        // The id, for a `tessera void` of this action.
        vec![line, event.id.to_string()]
    }
}
