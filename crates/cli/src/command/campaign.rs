//! `tessera campaign export|send`: write to a segment of members, each with a coupon of their
//! own if one is given (docs/decisions/0031-panel-and-campaigns.md). Only members who said yes
//! on the channel, with an address on it, are in the file or receive the email. Managers only.

use std::path::PathBuf;

use serde::Serialize;
use tessera_core::care::campaigns::{Campaign, CampaignChannel, CampaignCoupon, CampaignPlan};
use tessera_core::care::mail::{CampaignSent, MailServer};
use tessera_core::care::segments::Segment;
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::counter::coupons;
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
    /// Send the campaign by email from this till, each member in their language.
    Send {
        #[command(flatten)]
        plan: PlanArgs,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Send what a campaign cut short did not (the mail server went away): nobody twice.
    Resume {
        /// The campaign's id (from `campaign send`).
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(clap::Args)]
struct ServerArgs {
    /// The shop's mail server: smtps://user:password@mail.example, or smtp://…?tls=required
    /// (from the environment, so the password is not on the command line).
    #[arg(
        long,
        env = "TESSERA_SMTP_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    smtp: String,
    /// Who the emails come from: "Café Lumière <hello@cafe.example>".
    #[arg(long, value_name = "ADDRESS")]
    from: String,
}

impl ServerArgs {
    fn server(self) -> MailServer {
        MailServer {
            url: self.smtp,
            from: self.from,
        }
    }
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
    /// Add what the shop changed after feedback (`tessera we-did`) to the message.
    #[arg(long)]
    with_we_did: bool,
}

impl PlanArgs {
    async fn plan(self, cx: &Context<'_>) -> Result<CampaignPlan> {
        let coupon = match self.coupon_kind {
            Some(kind) => {
                let kind = CouponKind::from(kind);
                Some(CampaignCoupon {
                    kind,
                    value: coupons::typed_value(kind, self.coupon_value.as_deref())?,
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
            with_we_did: self.with_we_did,
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

/// What a send did.
#[derive(Serialize)]
#[serde(transparent)]
pub struct SentOutput(pub CampaignSent);

impl Render for SentOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let s = &self.0;
        vec![
            t.t(
                "cli-campaign-sent",
                &[
                    ("sent", s.sent.to_string()),
                    ("refused", s.refused.to_string()),
                ],
            ),
            format!("  {}", s.campaign),
        ]
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
        Command::Send { plan, server } => {
            let actor = shared::signed_in(cx).await?;
            let plan = plan.plan(cx).await?;
            let sent = cx
                .store
                .send_campaign(&actor, &plan, &server.server())
                .await?;
            cx.out.print(&SentOutput(sent));
        }
        Command::Resume { id, server } => {
            let actor = shared::signed_in(cx).await?;
            let id = id.trim().parse().map_err(|_| CoreError::CampaignNotFound)?;
            let sent = cx
                .store
                .resume_campaign(&actor, id, &server.server())
                .await?;
            cx.out.print(&SentOutput(sent));
        }
    }
    Ok(())
}
