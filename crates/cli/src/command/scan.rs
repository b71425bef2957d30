//! `tessera scan`: decodes a scanned or typed code (a card's QR token, a code in any case or
//! grouping) as the counter does, and shows the member and each card; a coupon's token shows
//! the coupon, as `{"coupon": …}`. Reading: no sign-in.

use serde::Serialize;
use tessera_core::counter::coupons::CouponView;
use tessera_core::counter::lookup::{MemberView, ScanOutcome};
use tessera_core::Result;

use super::coupon::coupon_lines;
use super::Context;
use crate::output::{display_code, shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    input: String,
}

/// The member and each of their cards, as the counter shows them after a scan.
#[derive(Serialize)]
#[serde(transparent)]
pub struct ScanOutput(pub MemberView);

impl Render for ScanOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let view = &self.0;
        let name = if view.new_here {
            t.t("member-new-here", &[])
        } else {
            shown(&view.member.name)
        };
        let mut lines = vec![format!("{name} ({})", display_code(&view.member.code))];
        for card in &view.cards {
            let stamps = t.t(
                "card-stamps",
                &[
                    ("punches", card.punches.to_string()),
                    ("needed", card.punches_needed.to_string()),
                ],
            );
            let rewards = if card.rewards_available > 0 {
                t.t(
                    "rewards-ready",
                    &[("count", card.rewards_available.to_string())],
                )
            } else {
                t.t("no-reward", &[])
            };
            lines.push(format!(
                "  {}: {stamps} · {rewards}",
                shown(&card.program_name)
            ));
        }
        lines
    }
}

/// A coupon's scan: the coupon, under its own key so that a script tells it from a member.
#[derive(Serialize)]
pub struct ScannedCoupon {
    pub coupon: CouponView,
}

impl Render for ScannedCoupon {
    fn text(&self, t: &Text) -> Vec<String> {
        coupon_lines(t, &self.coupon)
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match cx.store.lookup(&args.input, &[]).await? {
        ScanOutcome::Coupon(coupon) => cx.out.print(&ScannedCoupon { coupon }),
        other => cx.out.print(&ScanOutput(other.into_result()?)),
    }
    Ok(())
}
