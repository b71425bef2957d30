//! `tessera sync`: pushes this till's waiting events and changes to the hub and pulls the
//! chain's; `--watch` keeps doing it (a till's background sync, as a service); `status` says
//! where the till stands.

use std::time::Duration;

use serde::Serialize;
use tessera_core::sync::session::{self, SyncReport};
use tessera_core::sync::till::{CodeClash, Rejection, SyncStatus};
use tessera_core::Result;

use super::Context;
use crate::output::{shown, Render, Text};

#[derive(clap::Args)]
pub struct Args {
    /// Keep syncing, every `--every` seconds, until stopped. A failed round (the hub is away)
    /// is reported and the next one tries again.
    #[arg(long)]
    watch: bool,
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    every: u64,
    #[command(subcommand)]
    status: Option<Status>,
}

#[derive(clap::Subcommand)]
enum Status {
    /// Where this till stands: hub, last sync, what waits to go up, what the hub refused.
    Status,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct SyncOutput(pub SyncReport);

pub(super) fn report_lines(report: &SyncReport, t: &Text) -> Vec<String> {
    let mut lines = vec![t.t(
        "cli-sync-done",
        &[
            (
                "sent",
                (report.pushed_changes + report.pushed_events).to_string(),
            ),
            (
                "received",
                (report.pulled_changes + report.pulled_events).to_string(),
            ),
        ],
    )];
    if report.rejected > 0 {
        lines.push(t.t(
            "cli-sync-rejected",
            &[("count", report.rejected.to_string())],
        ));
    }
    if report.code_clashes > 0 {
        lines.push(t.t(
            "cli-sync-code-clashes",
            &[("count", report.code_clashes.to_string())],
        ));
    }
    lines
}

impl Render for SyncOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        report_lines(&self.0, t)
    }
}

#[derive(Serialize)]
pub struct StatusOutput {
    #[serde(flatten)]
    status: SyncStatus,
    rejections: Vec<Rejection>,
    clashes: Vec<CodeClash>,
}

impl Render for StatusOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let s = &self.status;
        let Some(hub) = &s.hub else {
            return vec![t.t("cli-sync-not-in-chain", &[])];
        };
        let mut lines = vec![t.t(
            "cli-sync-status",
            &[
                ("hub", shown(hub)),
                ("device", s.device_no.unwrap_or_default().to_string()),
                ("events", s.events_waiting.to_string()),
                ("changes", s.changes_waiting.to_string()),
            ],
        )];
        lines.push(match s.last_sync_at {
            Some(at) => t.t(
                "cli-sync-last",
                &[("at", at.format("%Y-%m-%d %H:%M UTC").to_string())],
            ),
            None => t.t("cli-sync-never", &[]),
        });
        if let Some(error) = &s.last_error {
            lines.push(t.t("cli-sync-last-error", &[("code", error.clone())]));
        }
        for r in &self.rejections {
            lines.push(format!("✗ {} #{}: {}", r.log, r.seq, shown(&r.reason)));
        }
        for clash in &self.clashes {
            lines.push(t.t(
                "cli-sync-code-clash",
                &[
                    ("code", crate::output::display_code(&clash.code)),
                    ("name", clash.name.as_deref().map(shown).unwrap_or_default()),
                    (
                        "holder",
                        clash.holder.as_deref().map(shown).unwrap_or_default(),
                    ),
                ],
            ));
        }
        lines
    }
}

pub async fn run(args: Args, cx: &Context<'_>) -> Result<()> {
    if args.status.is_some() {
        let status = cx.store.sync_status().await?;
        let rejections = cx.store.sync_rejections().await?;
        let clashes = cx.store.code_clashes().await?;
        cx.out.print(&StatusOutput {
            status,
            rejections,
            clashes,
        });
        return Ok(());
    }
    if !args.watch {
        let report = session::sync_once(cx.store).await?;
        cx.out.print(&SyncOutput(report));
        return Ok(());
    }
    cx.store.require_hub_link().await?;
    loop {
        match session::sync_once(cx.store).await {
            Ok(report) => cx.out.print(&SyncOutput(report)),
            // Offline is normal: say so and try again at the next round.
            Err(error) => cx.out.error(&error),
        }
        tokio::time::sleep(Duration::from_secs(args.every.max(1))).await;
    }
}
