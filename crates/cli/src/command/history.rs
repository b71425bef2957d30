//! `tessera history`: a member's events, newest first, with who did each and whether it was
//! voided. Reading: no sign-in.

use serde::Serialize;
use tessera_core::ledger::{EventKind, HistoryEntry};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown_opt, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    code: String,
    #[arg(long, default_value_t = 100)]
    limit: i64,
}

/// The events, a JSON array: each event's fields, and `staff_name`, `program_name`, `voided`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct HistoryOutput(pub Vec<HistoryEntry>);

impl Render for HistoryOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        self.0
            .iter()
            .map(|entry| {
                let e = &entry.event;
                let program = shown_opt(entry.program_name.as_deref()).unwrap_or_default();
                let what = match e.kind {
                    EventKind::Enroll => t.t("event-enroll", &[]),
                    EventKind::Punch => t.t(
                        "event-punch",
                        &[("count", e.amount.to_string()), ("program", program)],
                    ),
                    EventKind::Redeem => t.t("event-redeem", &[("program", program)]),
                    EventKind::Void => t.t("event-void", &[("reason", t.reason(e))]),
                    EventKind::Forgive => t.t("event-forgive", &[("reason", t.reason(e))]),
                    EventKind::ChargeBack => t.t("event-charge-back", &[("reason", t.reason(e))]),
                    EventKind::Merge => t.t("event-merge", &[]),
                    EventKind::CouponRedeem => t.t("event-coupon-redeem", &[]),
                };
                let struck = if entry.voided { " ✗" } else { "" };
                let staff = shown_opt(entry.staff_name.as_deref());
                format!(
                    "{}  {what}{struck}  · {}  {}",
                    e.at.format("%Y-%m-%d %H:%M"),
                    staff.as_deref().unwrap_or("?"),
                    e.id
                )
            })
            .collect()
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let member = shared::member_by_code(cx.store, &args.code).await?;
    let entries = cx.store.history(member.member.id, args.limit).await?;
    cx.out.print(&HistoryOutput(entries));
    Ok(())
}
