//! `tessera campaign export|send`: write to a segment of members, each with a coupon of their
//! own if one is given (docs/decisions/0031-panel-and-campaigns.md). Only members who said yes
//! on the channel, with an address on it, are in the file or receive the email. Managers only.

use std::path::PathBuf;

use serde::Serialize;
use tessera_core::care::campaigns::{Campaign, CampaignChannel, CampaignCoupon, CampaignPlan};
use tessera_core::care::segments::Segment;
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::{CoreError, Result};

use super::coupon::{self, Kind};
use super::{shared, Context};
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Write the segment's consented contacts to a CSV file for the shop's own mail tool.
    Export {
        #[command(flatten)]
        plan: PlanArgs,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(clap::Args)]
struct PlanArgs {
    #[arg(long, value_name = "at-risk|new|regulars|birthday|panel")]
    segment: String,
    #[arg(long, value_name = "email|sms")]
    channel: String,
    /// The shop's own words to the members (not translated).
    #[arg(long)]
    message: Option<String>,
    /// Give each member a coupon of their own, of this kind.
    #[arg(long, value_enum)]
    coupon_kind: Option<Kind>,
    /// The coupon's value, as for `coupon issue --value`.
    #[arg(long, requires = "coupon_kind")]
    coupon_value: Option<String>,
    /// What the coupon says ("A coffee on us").
    #[arg(long, requires = "coupon_kind")]
    coupon_text: Option<String>,
    /// The coupon's last day (YYYY-MM-DD) or "never"; 90 days if left out.
    #[arg(long, requires = "coupon_kind", value_name = "DATE")]
    coupon_expires: Option<String>,
    /// Where the shop's pages are reached (the till's `tessera serve`, or a public address
    /// that leads to it): each message's unsubscribe link starts with it.
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
}

impl PlanArgs {
    async fn plan(self, cx: &Context<'_>) -> Result<CampaignPlan> {
        let coupon = match self.coupon_kind {
            Some(kind) => {
                let kind = CouponKind::from(kind);
                Some(CampaignCoupon {
                    kind,
                    value: coupon::value(kind, self.coupon_value.as_deref())?,
                    text: self.coupon_text.ok_or(CoreError::Empty {
                        field: "coupon_text",
                    })?,
                    expires_on: coupon::expiry(cx, self.coupon_expires.as_deref()).await?,
                })
            }
            None => None,
        };
        Ok(CampaignPlan {
            segment: self
                .segment
                .trim()
                .parse::<Segment>()
                .map_err(|_| CoreError::InvalidSegment)?,
            channel: self
                .channel
                .trim()
                .parse::<CampaignChannel>()
                .map_err(|_| CoreError::InvalidChannel)?,
            message: self.message,
            coupon,
            link_base: self.link_base,
        })
    }
}

/// What a campaign did: how many in the segment, written to, left out and why.
#[derive(Serialize)]
pub struct CampaignOutput {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub file: Option<PathBuf>,
}

impl Render for CampaignOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let c = &self.campaign;
        let count = |n: usize| n.to_string();
        let mut lines = vec![t.t(
            "cli-campaign-done",
            &[
                ("segment", c.segment.as_str().to_string()),
                ("written", count(c.recipients.len())),
                ("members", count(c.in_segment)),
            ],
        )];
        lines.push(format!(
            "  {}",
            t.t(
                "cli-campaign-left-out",
                &[
                    ("no_consent", count(c.without_consent)),
                    ("no_contact", count(c.without_contact)),
                ],
            )
        ));
        if let Some(file) = &self.file {
            lines.push(format!(
                "  {}",
                t.t(
                    "cli-campaign-file",
                    &[("file", shown(&file.display().to_string()))]
                )
            ));
        }
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.command {
        Command::Export { plan, out } => {
            let actor = shared::signed_in(cx).await?;
            let plan = plan.plan(cx).await?;
            let (campaign, csv) = cx.store.export_campaign(&actor, &plan).await?;
            tessera_core::support::files::write_file(&out, &csv)?;
            cx.out.print(&CampaignOutput {
                campaign,
                file: Some(out),
            });
        }
    }
    Ok(())
}
