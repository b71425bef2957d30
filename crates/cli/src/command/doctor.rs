//! `tessera doctor`: checks the store's integrity, from where its last sound check left off;
//! `--full` checks everything, `--rebuild` checks everything and recomputes card balances and
//! report figures from the ledger (a manager's).

use serde::Serialize;
use tessera_core::support::doctor::{Doctor, DoctorReport, DoctorScope};
use tessera_core::Result;

use super::{shared, Context};
use crate::output::{shown, shown_opt, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// Check everything, not only what changed since the last sound check.
    #[arg(long)]
    full: bool,
    /// Check everything, and rewrite what differs from the ledger.
    #[arg(long)]
    rebuild: bool,
}

/// Each check, the balances that differ from the ledger, and whether they were rebuilt.
#[derive(Serialize)]
#[serde(transparent)]
pub struct DoctorOutput(pub DoctorReport);

impl Render for DoctorOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let report = &self.0;
        let mut lines: Vec<String> = report
            .checks
            .iter()
            .map(|check| {
                let mark = if check.ok { "✓" } else { "✗" };
                let detail = shown_opt(check.detail.as_deref()).unwrap_or_default();
                format!("{mark} {} {detail}", shown(&check.name))
            })
            .collect();
        lines.push(match &report.scope {
            DoctorScope::Everything => t.t("cli-doctor-everything", &[]),
            DoctorScope::SinceLastCheck { checked_at, events } => {
                let day = checked_at.with_timezone(&chrono::Local).date_naive();
                let args = [("count", events.to_string()), ("date", t.date(day))];
                t.t("cli-doctor-since", &args)
            }
        });
        let failed = report.checks.iter().filter(|c| !c.ok).count();
        lines.push(if failed == 0 {
            t.t("cli-doctor-ok", &[])
        } else {
            t.t("cli-doctor-problems", &[("count", failed.to_string())])
        });
        if report.rebuilt {
            lines.push(t.t("cli-doctor-rebuilt", &[]));
        }
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let doctor = match (args.rebuild, args.full) {
        (true, _) => Doctor::Rebuild,
        (false, true) => Doctor::Full,
        (false, false) => Doctor::SinceLastCheck,
    };
    // Progress on stderr (a big store takes minutes): stdout stays the answer.
    let report = cx
        .store
        .doctor_with_progress(&actor, doctor, &mut |done, total| {
            let args = [("done", done.to_string()), ("total", total.to_string())];
            cx.out.note("cli-doctor-progress", &args);
        })
        .await?;
    cx.out.print(&DoctorOutput(report));
    Ok(())
}
