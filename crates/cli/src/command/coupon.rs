//! `tessera coupon issue|show|redeem|pdf|withdraw`: coupons, vouchers good for one use
//! (docs/decisions/0029-coupons.md). Issuing is a manager's; taking one at the counter is any
//! staff member's; showing one (as `tessera scan` does) needs no sign-in.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use tessera_core::codes::coupon_token::CouponKind;
use tessera_core::counter::coupons::{self, CouponState, CouponUse, CouponView, NewCoupon};
use tessera_core::{CoreError, Result};

use super::cards::{printed_line, PrintArgs};
use super::{shared, Context};
use crate::output::{shown, Render, Text};
use tessera_core::support::printing::PrintJob;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    FreeItem,
    AmountOff,
    PercentOff,
}

impl From<Kind> for CouponKind {
    fn from(kind: Kind) -> CouponKind {
        match kind {
            Kind::FreeItem => CouponKind::FreeItem,
            Kind::AmountOff => CouponKind::AmountOff,
            Kind::PercentOff => CouponKind::PercentOff,
        }
    }
}

/// A coupon's last day as typed: a date, "never", or the default (90 days from today).
pub async fn expiry(cx: &Context<'_>, typed: Option<&str>) -> Result<Option<NaiveDate>> {
    Ok(match typed.map(str::trim) {
        Some("never") => None,
        Some(day) => Some(
            day.parse::<NaiveDate>()
                .map_err(|_| CoreError::InvalidDate)?,
        ),
        None => Some(coupons::default_expiry(
            cx.store.require_shop().await?.today(Utc::now()),
        )),
    })
}

#[derive(clap::Subcommand)]
enum Command {
    /// Issue a coupon (managers); prints its id and token (what its QR code holds).
    Issue {
        #[arg(long, value_enum)]
        kind: Kind,
        /// How many items (free-item, 1 if left out), the amount off (amount-off, in the
        /// shop's currency: 5 or 2,50) or the percentage off (percent-off, 1 to 100).
        #[arg(long)]
        value: Option<String>,
        /// What the coupon says, in the shop's words ("A coffee of your choice").
        #[arg(long)]
        text: String,
        /// The member it is for (their card or code): shown at their next scan.
        #[arg(long, value_name = "CODE")]
        member: Option<String>,
        /// Its last day (YYYY-MM-DD, in the shop's time zone), or "never"; 90 days if left out.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// Good only in this shop, not in every shop of the chain.
        #[arg(long)]
        only_here: bool,
    },
    /// Show a coupon from its token (or scan) or its id: what it gives and whether it is good.
    Show { coupon: String },
    /// Take a coupon at the counter: refused if it is used, withdrawn, expired or not good here.
    Redeem { token: String },
    /// Withdraw a coupon (managers): every till refuses it from then on.
    Withdraw { id: String },
    /// Print a coupon as a voucher (managers): a6, or a strip for a 58 or 80 mm receipt printer.
    Pdf {
        /// The coupon's id (from `coupon issue`).
        id: String,
        #[arg(long, default_value = "a6", value_name = "a6|strip-58|strip-80")]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        #[command(flatten)]
        print: PrintArgs,
    },
}

/// A coupon as `show`, `issue` and `tessera scan` print it.
#[derive(Serialize)]
#[serde(transparent)]
pub struct CouponOutput(pub CouponView);

impl Render for CouponOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        coupon_lines(t, &self.0)
    }
}

/// A coupon in a few lines: what it says and gives, whom it is for, until when, whether it is
/// good now, its id.
pub fn coupon_lines(t: &Text, c: &CouponView) -> Vec<String> {
    let offer = c.offer(t.messages());
    let mut lines = vec![match &c.text {
        Some(text) => format!("{} · {offer}", shown(text)),
        None => offer,
    }];
    if let Some(member) = &c.member_name {
        lines.push(format!(
            "  {}",
            t.t("coupon-for", &[("member", shown(member))])
        ));
    }
    lines.push(format!(
        "  {}",
        match c.expires_on {
            Some(day) => t.t("coupon-until", &[("date", t.date(day))]),
            None => t.t("coupon-no-expiry", &[]),
        }
    ));
    if c.only_at.is_some() {
        lines.push(format!("  {}", t.t("coupon-only-issuing-shop", &[])));
    }
    lines.push(format!(
        "  {}",
        match (&c.state, &c.refusal) {
            (CouponState::Open, _) | (_, None) => t.t("coupon-ready", &[]),
            (_, Some(refusal)) => t.error_text(refusal),
        }
    ));
    lines.push(format!("  {}", c.id));
    lines
}

/// A coupon taken: the event written and the coupon as it now stands.
#[derive(Serialize)]
#[serde(transparent)]
pub struct CouponUseOutput(pub CouponUse);

impl Render for CouponUseOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let offer = self.0.coupon.offer(t.messages());
        vec![
            t.t("cli-coupon-used", &[("offer", offer)]),
            format!("  {}", self.0.event.id),
        ]
    }
}

/// The voucher written, and with `--print` the job the print service accepted.
#[derive(Serialize)]
pub struct VoucherWritten {
    pub file: std::path::PathBuf,
    pub printed: Option<PrintJob>,
}

impl Render for VoucherWritten {
    fn text(&self, t: &Text) -> Vec<String> {
        let mut lines = vec![t.t(
            "cli-voucher-written",
            &[("file", shown(&self.file.display().to_string()))],
        )];
        lines.extend(self.printed.as_ref().map(|job| printed_line(t, job)));
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    match args.command {
        Command::Issue {
            kind,
            value: typed,
            text,
            member,
            expires,
            only_here,
        } => {
            let actor = shared::signed_in(cx).await?;
            let kind = CouponKind::from(kind);
            let member_id = match member {
                Some(code) => Some(shared::member_id(cx.store, &code).await?),
                None => None,
            };
            let expires_on = expiry(cx, expires.as_deref()).await?;
            let new = NewCoupon {
                kind,
                value: coupons::typed_value(kind, typed.as_deref())?,
                text,
                member_id,
                expires_on,
                only_here,
            };
            let coupon = cx.store.issue_coupon(&actor, &new).await?;
            cx.out.print(&CouponOutput(coupon));
        }
        Command::Show { coupon } => {
            let view = match coupon.trim().parse() {
                Ok(id) => cx.store.coupon(id).await?,
                Err(_) => cx.store.scan_coupon(&coupon).await?,
            };
            cx.out.print(&CouponOutput(view));
        }
        Command::Pdf {
            id,
            format,
            out,
            print,
        } => {
            let actor = shared::signed_in(cx).await?;
            let id = id.trim().parse().map_err(|_| CoreError::CouponNotFound)?;
            let pdf = cx.store.coupon_pdf(&actor, id, format.parse()?).await?;
            tessera_core::support::files::write_file(&out, &pdf)?;
            let printed = print.send(cx.store, &out).await?;
            cx.out.print(&VoucherWritten { file: out, printed });
        }
        Command::Withdraw { id } => {
            let actor = shared::signed_in(cx).await?;
            let id = id.trim().parse().map_err(|_| CoreError::CouponNotFound)?;
            cx.out
                .print(&CouponOutput(cx.store.withdraw_coupon(&actor, id).await?));
        }
        Command::Redeem { token } => {
            let actor = shared::signed_in(cx).await?;
            let taken = cx.store.redeem_coupon(&actor, &token).await?;
            cx.out.print(&CouponUseOutput(taken));
        }
    }
    Ok(())
}
