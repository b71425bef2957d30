//! `tessera audit [--from DATE] [--to DATE] [--limit N]`: the audit trail, newest first
//! (managers): voids and settlements from the ledger, failed PINs, staff changes, backups,
//! members' data exported or erased. Dates are days of this computer's time zone.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use tessera_core::audit::AuditEntry;
use tessera_core::{CoreError, Result};

use super::{shared, Context};
use crate::output::{shown, shown_opt, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// The first day (YYYY-MM-DD), included.
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD), included.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// At most this many lines.
    #[arg(long, default_value_t = 200)]
    limit: i64,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct AuditOutput(pub Vec<AuditEntry>);

impl Render for AuditOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        if self.0.is_empty() {
            return vec![t.t("cli-audit-none", &[])];
        }
        self.0
            .iter()
            .map(|entry| {
                let fields = [
                    Some(
                        entry
                            .at
                            .with_timezone(&Local)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    ),
                    Some(t.t(&entry.kind.message_key(), &[])),
                    shown_opt(entry.staff_name.as_deref()),
                    shown_opt(entry.subject_name.as_deref().or(entry.subject.as_deref())),
                    entry.detail.as_deref().map(shown),
                ];
                fields.into_iter().flatten().collect::<Vec<_>>().join("  ")
            })
            .collect()
    }
}

/// The start of `day` in this computer's time zone (the first instant, across a DST change).
fn start_of(day: NaiveDate) -> Result<DateTime<Utc>> {
    Local
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or(CoreError::InvalidDate)
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let from = match args.from {
        Some(day) => start_of(day)?,
        None => DateTime::<Utc>::UNIX_EPOCH,
    };
    let to = match args.to {
        Some(day) => start_of(day.succ_opt().ok_or(CoreError::InvalidDate)?)?,
        // Times are compared as stored text: a year of four digits, not chrono's MAX_UTC.
        None => Utc::now() + chrono::Duration::days(1),
    };
    let trail = cx.store.audit_trail(&actor, from, to, args.limit).await?;
    cx.out.print(&AuditOutput(trail));
    Ok(())
}
