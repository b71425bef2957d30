//! `tessera backup FILE` (a consistent copy while the till works) and `tessera restore FILE`
//! (a backup put in the database's place, the one replaced kept aside). Managers; a restore
//! onto a database that no longer opens needs nobody signed in: whoever can replace the file
//! can restore it (docs/decisions/0013, 0018).

use std::path::{Path, PathBuf};

use serde::Serialize;
use tessera_core::support::backup::{self, Backup, Restored};
use tessera_core::{Result, Store};

use super::{shared, Context};
use crate::output::{shown, Output, Render, Text};

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Where to write the backup (replaced only once the new one is whole).
    file: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup to put in place of the database.
    file: PathBuf,
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct BackupOutput(pub Backup);

impl Render for BackupOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        vec![t.t(
            "cli-backup-taken",
            &[
                ("path", shown(&self.0.path)),
                ("size", (self.0.bytes / 1024).max(1).to_string()),
            ],
        )]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct RestoredOutput(pub Restored);

impl Render for RestoredOutput {
    fn text(&self, t: &Text) -> Vec<String> {
        let mut lines = vec![t.t("cli-restored", &[("path", shown(&self.0.restored_from))])];
        if let Some(kept) = &self.0.replaced_kept_at {
            lines.push(t.t("cli-restore-kept", &[("path", shown(kept))]));
        }
        lines
    }
}

pub async fn run_backup(args: BackupArgs, cx: &Context<'_>) -> Result<()> {
    let actor = shared::signed_in(cx).await?;
    let backup = cx.store.back_up(&actor, &args.file).await?;
    cx.out.print(&BackupOutput(backup));
    Ok(())
}

/// Runs without the store open: the database is about to be replaced, and may not open at all.
pub async fn run_restore(
    args: RestoreArgs,
    db: &Path,
    out: &Output,
    staff: Option<&str>,
    pin: Option<&str>,
) -> Result<()> {
    let actor = match Store::open_existing_for_one_command(db).await {
        Ok(store) => {
            let cx = Context {
                store: &store,
                out,
                staff,
                pin,
            };
            // A database that opens and holds a shop is restored by one of its managers.
            let actor = match store.shop().await {
                Ok(Some(_)) => Some(shared::signed_in(&cx).await),
                _ => None,
            };
            store.close().await;
            actor.transpose()?
        }
        Err(_) => None,
    };
    let restored = backup::restore(db, &args.file, actor.as_ref()).await?;
    out.print(&RestoredOutput(restored));
    Ok(())
}
